"""Findings are data: rule id, severity, cells, values, message.

Every renderer — terminal, JSON, cell notes, the 校验结果 sheet, the Excel
button, the merge summary — works from these objects.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from ..spec.catalogue import SEVERITIES, SEVERITY_LABELS, rule as catalogue_rule

SEVERITY_ORDER = {s: i for i, s in enumerate(SEVERITIES)}
TABLE_LABELS = {
    "file": "文件", "structure": "结构", "info": "封面", "t2": "表二", "t3": "表三", "t4": "表四",
    "text": "正文", "cross": "跨年度",
}
NOTE_AUTHOR = "xxgk校验"
# JSON schema version of CheckResult.to_dict(); bump on incompatible change.
JSON_SCHEMA_VERSION = 1


@dataclass(slots=True)  # slots: 10,000 units' findings are held at once by merge (about 35 MB less)
class CellRef:
    """A cell involved in a finding."""

    sheet: str
    address: str
    cell_id: str = ""
    path: str = ""
    value: object = None

    @property
    def ref(self) -> str:
        return f"{self.sheet}!{self.address}" if self.address else self.sheet

    def to_dict(self) -> dict:
        return {"sheet": self.sheet, "address": self.address, "id": self.cell_id,
                "path": self.path, "value": self.value}


@dataclass(slots=True)
class Finding:
    rule: str
    severity: str  # error | verify | hint
    message: str  # Chinese, self-contained, names cells and values
    table: str = ""  # see TABLE_LABELS
    cells: list = field(default_factory=list)  # CellRef, the operands
    related: list = field(default_factory=list)  # cell ids feeding formula totals among operands
    lhs: float | None = None
    rhs: float | None = None
    diff: float | None = None
    culprit: str = ""  # cell id most likely wrong, when one can be named
    explanation: str = ""  # clerk's written explanation (核实 findings)
    scope: str = ""  # the catalogue scope of the rule (workbook | cross_year | merge | import)
    rules: list = field(default_factory=list)  # every rule id this finding reports (one cause)
    suggested: object = None  # value the culprit should probably have (error localisation)
    # Equally likely cells when no single culprit can be named: [{"cell", "value", "current"}]
    candidates: list = field(default_factory=list)

    def __post_init__(self):
        if not self.scope:
            self.scope = catalogue_rule(self.rule).scope  # KeyError for an undeclared rule id
        if not self.rules:
            self.rules = [self.rule]

    @property
    def key(self) -> str:
        """Stable key of a finding (rule + first cell), used to keep explanations."""
        first = self.cells[0].ref if self.cells else ""
        return f"{self.rule}@{first}"

    @property
    def severity_label(self) -> str:
        return SEVERITY_LABELS[self.severity]

    @property
    def explained(self) -> bool:
        return self.severity == "verify" and len(self.explanation.strip()) >= 6

    @property
    def focus(self):
        """The cell this finding is about (its culprit, else its first cell): notes and links go there."""
        if self.culprit:
            ref = next((c for c in self.cells if c.cell_id == self.culprit), None)
            if ref is not None:
                return ref
        return next((c for c in self.cells if c.address), self.cells[0] if self.cells else None)

    def involves(self, cell_id: str) -> bool:
        return cell_id in self.related or any(c.cell_id == cell_id for c in self.cells)

    def to_dict(self) -> dict:
        return {
            "rule": self.rule, "severity": self.severity, "severity_label": self.severity_label,
            "scope": self.scope, "table": self.table, "message": self.message,
            "cells": [c.to_dict() for c in self.cells], "related": list(self.related),
            "lhs": self.lhs, "rhs": self.rhs, "diff": self.diff, "culprit": self.culprit or None,
            "explanation": self.explanation or None, "key": self.key,
            "rules": list(self.rules), "suggested": self.suggested,
            "candidates": [dict(c) for c in self.candidates],
        }


def finding(rule_id: str, variant: str = "", *, table: str = "", cells=(), culprit: str = "",
            **fields) -> Finding:
    """A finding of a catalogued rule: severity, scope and message come from the catalogue
    (``toolkit.spec.catalogue``); ``fields`` fill the message template of ``variant``."""
    r = catalogue_rule(rule_id)
    return Finding(rule=rule_id, severity=r.severity_of(variant), table=table,
                   message=r.message(variant, **fields), cells=list(cells), culprit=culprit,
                   scope=r.scope)


# The one findings frame (check and merge): columns in this order.
FRAME_COLUMNS = ["file", "unit", "edition", "rule", "severity", "severity_label", "scope", "table",
                 "table_label", "sheet", "address", "cell_id", "cells", "lhs", "rhs", "diff",
                 "culprit", "message", "explanation"]


def frame_row(f: Finding, file=None, unit=None, edition=None) -> dict:
    """One row of the findings frame."""
    first = next((c for c in f.cells if c.address), f.cells[0] if f.cells else None)
    return {
        "file": file, "unit": unit, "edition": edition, "rule": f.rule, "severity": f.severity,
        "severity_label": SEVERITY_LABELS[f.severity], "scope": f.scope, "table": f.table,
        "table_label": TABLE_LABELS.get(f.table, f.table),
        "sheet": first.sheet if first else None, "address": first.address if first else None,
        "cell_id": first.cell_id if first else None, "cells": ";".join(c.ref for c in f.cells),
        "lhs": f.lhs, "rhs": f.rhs, "diff": f.diff, "culprit": f.culprit or None,
        "message": f.message, "explanation": f.explanation or None,
    }


def findings_frame_of(rows: list):
    """The pandas DataFrame of ``frame_row`` rows (columns ``FRAME_COLUMNS``)."""
    import pandas as pd
    return pd.DataFrame(rows, columns=FRAME_COLUMNS)


def sort_findings(findings: list) -> list:
    order = list(TABLE_LABELS)
    return sorted(findings, key=lambda f: (order.index(f.table) if f.table in order else 99,
                                           SEVERITY_ORDER[f.severity]))


def count(findings: list, strict: bool = False) -> dict:
    """Counts by severity; with ``strict`` unexplained 核实 count as errors."""
    out = {s: 0 for s in SEVERITIES}
    for f in findings:
        out[f.severity] += 1
    out["unexplained_verify"] = sum(1 for f in findings if f.severity == "verify" and not f.explained)
    return out

# The 校验结果 sheet written by ``check --annotate`` and the Excel button, and
# read back for clerks' explanations of 核实 findings (keyed by Finding.key).
RESULTS_SHEET = "校验结果"
RESULTS_HEADER_ROW = 2
RESULTS_HEADERS = ["序号", "级别", "规则", "表", "单元格", "问题说明",
                   "情况说明（核实项请在此填写，至少6个字）", "键"]
RESULTS_SEVERITY_COL = 2  # B, filled with the severity's colour
RESULTS_LINK_COL = 5  # E, the cells: a link to the first one
RESULTS_EXPLANATION_COL = 7  # G, unlocked for the clerk
RESULTS_KEY_COL = 8  # H
