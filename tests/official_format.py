"""The official tables as FORMAT.md describes them.

Nothing here reads ``toolkit.spec``: the expected labels, merged ranges and
data cells come from the specification text itself, so the template is
checked against the document, not against our own data.

The tests read the vendored copy ``tests/fixtures/official_format.json``
(written from ../shared/FORMAT.md by ``python tests/official_format.py
--write``; its ``source`` field names the official documents and the
published copies FORMAT.md verified them against), so a plain clone runs every
test.  ``test_vendored_official_format_matches_format_md`` re-parses
FORMAT.md when it is present and fails on drift.

Two readings are offered:

* :func:`yaml_summary` — the machine-readable block of §7 (labels only);
* :func:`official_grid` — the cell-by-cell layout tables of §1.1–§1.3 and
  §2.1–§2.3 (labels with their official addresses, merged ranges, data
  cells).  Official row 1 is row 2 of our sheets (one title row on top);
  :func:`shift` converts.
"""

from __future__ import annotations

import json
import re
import sys
from dataclasses import asdict, dataclass, field
from functools import lru_cache
from pathlib import Path

import pytest
import yaml
from openpyxl.utils.cell import column_index_from_string, get_column_letter, range_boundaries

FORMAT_MD = Path(__file__).resolve().parents[1].parent / "shared" / "FORMAT.md"
VENDORED = Path(__file__).resolve().parent / "fixtures" / "official_format.json"
TITLE_ROWS = 1  # our sheets have one title row above the official table
GRIDS = [(ed, t) for ed in ("2019", "2021") for t in ("t2", "t3", "t4")]
# The FORMAT.md section stating each table's data-cell count ("Data cells: … = **N**").
COUNT_SECTIONS = {("2019", "t2"): "### 1.1 ", ("2019", "t3"): "### 1.2 ", ("2019", "t4"): "### 1.3 ",
                  ("2021", "t2"): "### 2.1 ", ("2021", "t3"): "### 2.2 ", ("2021", "t4"): "### 1.3 "}
SOURCE = {
    "written_from": "shared/FORMAT.md (§1.1–§1.3, §2.1–§2.3 layout tables; §7 machine-readable summary)",
    "official_documents": [
        "国办公开办函〔2019〕60号《中华人民共和国政府信息公开工作年度报告格式（试行）》（2019、2020年度报告）",
        "国办公开办函〔2021〕30号《中华人民共和国政府信息公开工作年度报告格式》（2021年度起）",
    ],
    "verified_against": "the published reports FORMAT.md lists per edition (e.g. xiongxian.gov.cn, "
                        "xiaogan.gov.cn, huichang.gov.cn for 2019; lufengshi.gov.cn, gaoling.gov.cn, "
                        "css.sh.gov.cn, lg.gov.cn for 2021)",
    "regenerate": "python tests/official_format.py --write",
}


@lru_cache(maxsize=None)
def vendored() -> dict:
    return json.loads(VENDORED.read_text(encoding="utf-8"))


def format_text() -> str:
    if not FORMAT_MD.exists():
        pytest.skip(f"specification not available: {FORMAT_MD} (the shared/ folder beside the repo)")
    return FORMAT_MD.read_text(encoding="utf-8")


def section(text: str, heading: str) -> str:
    """Text of the section whose heading line starts with ``heading``."""
    m = re.search(rf"^{re.escape(heading)}", text, re.M)
    assert m, f"FORMAT.md has no section {heading!r}"
    end = re.compile(r"^#{2,3} ", re.M).search(text, m.end())
    return text[m.start(): end.start() if end else len(text)]


def yaml_summary() -> dict:
    """The §7 summary (vendored copy)."""
    return vendored()["yaml_summary"]


def stated_data_cells(edition: str, table: str) -> list:
    """The data-cell counts FORMAT.md states for a table (vendored copy)."""
    return vendored()["stated_data_cells"][f"{edition}/{table}"]


def parse_yaml_summary(text: str) -> dict:
    body = section(text, "## 7.")
    m = re.search(r"```yaml\n(.*?)```", body, re.S)
    assert m, "FORMAT.md §7 has no yaml block"
    return yaml.safe_load(m.group(1))


# ---------------------------------------------------------------------------
# The layout tables of §1 / §2
# ---------------------------------------------------------------------------

@dataclass
class Grid:
    """A table in official coordinates."""

    labels: dict = field(default_factory=dict)  # anchor address -> label
    merges: dict = field(default_factory=dict)  # anchor address -> "A6:A25"
    data: list = field(default_factory=list)  # anchor addresses of data cells
    rowspans: dict = field(default_factory=dict)  # label -> rowspan printed in bold

    def bounds(self) -> tuple[int, int]:
        """(last row, last column) of the table."""
        rows, cols = [], []
        for a in list(self.labels) + self.data:
            c, r = _split(a)
            rows.append(r)
            cols.append(column_index_from_string(c))
        for rng in self.merges.values():
            _, _, c2, r2 = range_boundaries(rng)
            rows.append(r2)
            cols.append(c2)
        return max(rows), max(cols)


_LABEL = re.compile(r"`([^`]+)`")
_MERGE = re.compile(r"\[merge ([A-Z]\d*):([A-Z]\d*)\]|([A-Z]\d*):([A-Z]\d*) merged"
                    r"|now ([A-Z]\d+):([A-Z]\d+)")
_ROWSPAN = re.compile(r"rowspan \*\*(\d+)\*\*")
_ROW = re.compile(r"^\| (\d+) \|(.*)\|\s*$", re.M)
_ADDRESSED = re.compile(r"\b([A-Z]\d+)(?::([A-Z]\d+))?(?: merged)?:? `([^`]+)`")


def _split(address: str) -> tuple[str, int]:
    m = re.fullmatch(r"([A-Z]+)(\d+)", address)
    return m.group(1), int(m.group(2))


def _row_table(grid: Grid, text: str, first_col: str, skip_rows=()) -> list[int]:
    """Read ``| n | A | B | … |`` rows; returns the row numbers read."""
    rows = []
    for m in _ROW.finditer(text):
        r = int(m.group(1))
        if r in skip_rows:
            continue
        rows.append(r)
        for i, raw in enumerate(m.group(2).split("|")):
            col = get_column_letter(column_index_from_string(first_col) + i)
            _read_cell(grid, raw.strip(), col, r)
    return rows


def _read_cell(grid: Grid, raw: str, col: str, row: int) -> None:
    if not raw or raw == "↑" and "`" not in raw:
        return
    anchor = f"{col}{row}"
    merge = _MERGE.search(raw)
    if merge:
        start, end = [g for g in merge.groups() if g is not None]
        if not start[-1].isdigit():
            start, end = f"{start}{row}", f"{end}{row}"
        anchor = start
        grid.merges[anchor] = f"{start}:{end}"
    label = _LABEL.search(raw)
    if label:
        grid.labels[anchor] = label.group(1)
        span = _ROWSPAN.search(raw)
        if span:
            grid.rowspans[label.group(1)] = int(span.group(1))
    elif raw.startswith("data"):
        grid.data.append(anchor)


def _addressed(grid: Grid, text: str) -> None:
    """Read ``A1:C3 merged: `label``` / ``E3 `label``` statements."""
    for m in _ADDRESSED.finditer(text):
        start, end, label = m.groups()
        grid.labels[start] = label
        if end:
            grid.merges[start] = f"{start}:{end}"


def _data_range(grid: Grid, text: str, rows: list[int]) -> None:
    m = re.search(r"(\d+) data cells ([A-Z])–([A-Z])", text)
    assert m, "no 'N data cells X–Y' statement"
    n, c1, c2 = int(m.group(1)), column_index_from_string(m.group(2)), column_index_from_string(m.group(3))
    assert c2 - c1 + 1 == n
    grid.data.extend(f"{get_column_letter(c)}{r}" for r in rows for c in range(c1, c2 + 1))


def official_grid(edition: str, table: str) -> Grid:
    """The official layout of ``table`` (t2/t3/t4) in ``edition`` (vendored copy)."""
    return Grid(**vendored()["grids"][f"{edition}/{table}"])


def parse_stated_data_cells(text: str, edition: str, table: str) -> list:
    return [int(n) for n in re.findall(r"Data cells:[^\n]*?\*\*(\d+)\*\*",
                                       section(text, COUNT_SECTIONS[(edition, table)]))]


def parse_grid(text: str, edition: str, table: str) -> Grid:
    """The official layout of ``table`` in ``edition``, parsed from FORMAT.md's text."""
    grid = Grid()
    if table == "t2":
        sec = section(text, {"2019": "### 1.1 ", "2021": "### 2.1 "}[edition])
        _row_table(grid, sec, "A")
    elif table == "t3":
        sec = section(text, "### 1.2 ")
        head, body = sec.split("Header (rows 1–3):", 1)[1].split("Body", 1)
        _addressed(grid, head)
        skip = range(24, 100) if edition == "2021" else ()
        rows = _row_table(grid, body, "A", skip_rows=skip)
        if edition == "2021":
            # §2.2: "Identical to §1.2 except rows 24–26 of the 2019 layout become" …
            rows += _row_table(grid, section(text, "### 2.2 "), "A")
        _data_range(grid, body, rows)
    elif table == "t4":
        sec = section(text, "### 1.3 ").split("```")[0]
        _addressed(grid, sec)
        m = re.search(r"(\d+) data cells \(([A-Z]+\d+)–([A-Z]+\d+)\)", sec)
        assert m, "table 四: no data cell statement"
        c1, r1 = _split(m.group(2))
        c2, r2 = _split(m.group(3))
        assert r1 == r2
        grid.data.extend(f"{get_column_letter(c)}{r1}" for c in range(
            column_index_from_string(c1), column_index_from_string(c2) + 1))
        assert len(grid.data) == int(m.group(1))
    else:
        raise KeyError(table)
    return grid


def shift(address_or_range: str, rows: int = TITLE_ROWS) -> str:
    """Official coordinates -> our sheet (``A1`` -> ``A2``; ranges too)."""
    return ":".join(f"{c}{r + rows}" for c, r in (_split(a) for a in address_or_range.split(":")))


def parse_all(text: str) -> dict:
    """Everything the tests need from FORMAT.md, as the vendored JSON holds it."""
    return {
        "source": SOURCE,
        "yaml_summary": parse_yaml_summary(text),
        "grids": {f"{ed}/{t}": asdict(parse_grid(text, ed, t)) for ed, t in GRIDS},
        "stated_data_cells": {f"{ed}/{t}": parse_stated_data_cells(text, ed, t) for ed, t in GRIDS},
    }


if __name__ == "__main__":
    if sys.argv[1:] == ["--write"]:
        VENDORED.write_text(json.dumps(parse_all(FORMAT_MD.read_text(encoding="utf-8")),
                                       ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
        print(f"wrote {VENDORED}")
    else:
        print("usage: python tests/official_format.py --write")
