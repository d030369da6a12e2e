"""What ``import`` recognised in one document: every table cell with its printed text
and position, the edition, year, unit, narrative, notes, findings and completeness."""

from __future__ import annotations

from dataclasses import dataclass, field

from ..spec import DEFAULT_EDITION, get_edition



@dataclass
class CellRead:
    """One cell of the official tables as read from the document."""

    value: object = None  # number, None (blank / not printed) or text that is not a number
    text: str = ""  # as printed
    where: str = ""  # position in the source
    status: str = "not_printed"  # printed | blank | none | not_printed
    note: str = ""  # how the printed text was interpreted, when it needed interpreting

    def to_dict(self, cid: str, ed) -> dict:
        c = ed.by_id.get(cid)
        return {"id": cid, "label": c.label if c else cid, "kind": c.kind if c else "",
                "value": self.value, "text": self.text, "where": self.where,
                "status": self.status, "note": self.note or None}


@dataclass
class ImportResult:
    """What was recognised in one published report."""

    source: str = ""
    kind: str = ""  # text | html | docx | doc | pdf | xlsx
    edition: str = DEFAULT_EDITION
    edition_source: str = ""  # labels | year | default
    year: int | None = None
    unit: str = ""
    values: dict = field(default_factory=dict)  # input cell id -> number / None / text
    raw: dict = field(default_factory=dict)  # input cell id -> printed text
    cells: dict = field(default_factory=dict)  # every table cell id (inputs and totals) -> CellRead
    printed_totals: dict = field(default_factory=dict)  # total cell id -> printed number
    info: dict = field(default_factory=dict)
    texts: dict = field(default_factory=dict)  # overview / problems / other
    notes: list = field(default_factory=list)  # Chinese remarks
    findings: list = field(default_factory=list)  # Finding: I-1, then the narrative's (核实)
    claims: list = field(default_factory=list)  # engine.narrative.Claim: what the prose says of the tables
    sections: list = field(default_factory=list)  # indices of section titles found
    has_tables: bool = False
    complete: bool = False
    cut_at: str = ""  # where a cut report stops (Chinese)
    not_printed: list = field(default_factory=list)  # input cell ids never printed
    cut_row: str = ""  # the row the document stops in, when it stops mid-row

    @property
    def usable(self) -> bool:
        return self.has_tables or any(self.texts.values())

    @property
    def exit_code(self) -> int:
        if not self.usable:
            return 2
        if not self.complete or self.findings or not self.unit or not self.year:
            return 1
        return 0

    def to_dict(self) -> dict:
        ed = get_edition(self.edition)
        order = {c.id: i for i, c in enumerate(ed.cells)}
        return {
            "source": self.source, "format": self.kind, "edition": self.edition,
            "edition_source": self.edition_source, "year": self.year, "unit": self.unit,
            "info": self.info, "complete": self.complete, "has_tables": self.has_tables,
            "cut_at": self.cut_at or None, "exit_code": self.exit_code,
            "notes": list(self.notes), "findings": [f.to_dict() for f in self.findings],
            "not_printed": list(self.not_printed),
            "cells": [self.cells[cid].to_dict(cid, ed)
                      for cid in sorted(self.cells, key=lambda c: order.get(c, 10**6))],
            "texts": self.texts,
            "claims": [c.to_dict() for c in self.claims],
        }


Imported = ImportResult  # the name used before the importer handled every layout
