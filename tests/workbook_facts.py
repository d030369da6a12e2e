"""Facts read back from xlsx files on disk, for the template tests.

Nothing here consults ``toolkit.spec``: totals are located by the printed
labels of the sheet ("总计", "（七）总计", the merged "三、本年度办理结果" …),
formulas are parsed into sets of addresses, and a workbook is reduced to a
plain snapshot (values, formulas, protection, merges, validations, sizes,
print setup) that two files can be compared by.  Tests then compare these
facts with expectations derived from the official format.
"""

from __future__ import annotations

import re
from pathlib import Path

import openpyxl
from openpyxl.cell.cell import MergedCell
from openpyxl.utils.cell import get_column_letter, range_boundaries

# Sheet names are part of the public contract (readers find tables by them).
SHEET_T2 = "二、主动公开"
SHEET_T3 = "三、依申请公开"
SHEET_T4 = "四、复议诉讼"
SHEET_COVER = "封面"
SHEET_TEXT = "正文"
SHEET_META = "xxgk"

T3_APPLICANT_LABELS = ["自然人", "商业企业", "科研机构", "社会公益组织", "法律服务机构", "其他"]
T4_PART_LABELS = ["结果维持", "结果纠正", "其他结果", "尚未审结"]

_REF = r"\$?[A-Z]{1,3}\$?[0-9]+"
_SUM_RE = re.compile(rf"^=SUM\(({_REF}(?::{_REF})?(?:,{_REF}(?::{_REF})?)*)\)$")


def addr(row: int, col: int) -> str:
    return f"{get_column_letter(col)}{row}"


def cells_in_range(rng: str) -> list[str]:
    """Every address of ``"B2:D3"`` (or a single ``"B2"``), row by row."""
    min_col, min_row, max_col, max_row = range_boundaries(rng.replace("$", ""))
    return [addr(r, c) for r in range(min_row, max_row + 1) for c in range(min_col, max_col + 1)]


def formula_refs(formula: str) -> set[str]:
    """Addresses summed by ``=SUM(A1:B2,C3)``; AssertionError for anything else."""
    assert isinstance(formula, str), f"not a formula: {formula!r}"
    m = _SUM_RE.match(formula.replace(" ", ""))
    assert m, f"not a plain SUM over cell references: {formula!r}"
    out: set[str] = set()
    for part in m.group(1).split(","):
        refs = cells_in_range(part)
        assert not (out & set(refs)), f"a cell is summed twice in {formula!r}"
        out.update(refs)
    return out


def dv_index(ws) -> dict:
    """address -> list of DataValidation objects covering it."""
    out: dict = {}
    for dv in ws.data_validations.dataValidation:
        for rng in str(dv.sqref).split():
            for a in cells_in_range(rng):
                out.setdefault(a, []).append(dv)
    return out


def merge_at(ws, address: str):
    """The merged range containing ``address`` (a CellRange) or None."""
    for rng in ws.merged_cells.ranges:
        if address in rng:
            return rng
    return None


def find(ws, value: str, max_row: int | None = None) -> list[tuple[int, int]]:
    """(row, col) of every cell whose value is exactly ``value``."""
    hits = []
    for row in ws.iter_rows(max_row=max_row or ws.max_row):
        for cell in row:
            if cell.value == value:
                hits.append((cell.row, cell.column))
    return hits


def find_one(ws, value: str, max_row: int | None = None) -> tuple[int, int]:
    hits = find(ws, value, max_row)
    assert len(hits) == 1, f"{ws.title}: expected exactly one cell {value!r}, found {hits}"
    return hits[0]


# ---------------------------------------------------------------------------
# Totals, derived from the printed labels
# ---------------------------------------------------------------------------

def t3_structure(ws) -> dict:
    """Rows and columns of table 三 located by their labels."""
    total_hits = [rc for rc in find(ws, "总计") if rc[0] <= 6]
    assert len(total_hits) == 1, f"总计 header: {total_hits}"
    header_row, total_col = total_hits[0]
    cols = []
    for label in T3_APPLICANT_LABELS:
        hits = [rc for rc in find(ws, label) if rc[0] <= 6]
        assert len(hits) == 1, f"{label} header: {hits}"
        cols.append(hits[0][1])
    assert cols == list(range(total_col - 6, total_col)), f"applicant columns {cols}"
    first = find_one(ws, "一、本年新收政府信息公开申请数量")
    last = find_one(ws, "四、结转下年度继续办理")
    group = find_one(ws, "三、本年度办理结果")
    rng = merge_at(ws, addr(*group))
    assert rng is not None and rng.min_row == group[0], "三、本年度办理结果 is not a merged anchor"
    total_row = find_one(ws, "（七）总计")[0]
    assert total_row == rng.max_row, "（七）总计 must be the last row of 三、本年度办理结果"
    return {
        "cols": cols, "total_col": total_col,
        "rows": list(range(first[0], last[0] + 1)),
        "results": list(range(rng.min_row, total_row)),
        "total_row": total_row,
    }


def t4_structure(ws) -> dict:
    totals = [rc for rc in find(ws, "总计") if rc[0] <= 6]
    assert len(totals) == 3, f"table 四 总计 headers: {totals}"
    data_row = max(r for r, _ in totals) + 1
    return {"totals": [c for _, c in totals], "data_row": data_row}


def expected_totals(wb) -> dict:
    """(sheet, address) -> list of acceptable sets of summed addresses.

    Table 三: the 总计 column of every row sums the six applicant columns of
    that row; the （七）总计 row sums every result row between
    三、本年度办理结果 and （七）; the corner cell may be either.  Table 四:
    each 总计 sums the four cells before it.
    """
    out: dict = {}
    ws = wb[SHEET_T3]
    s = t3_structure(ws)
    for r in s["rows"]:
        out[(ws.title, addr(r, s["total_col"]))] = [{addr(r, c) for c in s["cols"]}]
    for c in s["cols"] + [s["total_col"]]:
        by_rows = {addr(r, c) for r in s["results"]}
        key = (ws.title, addr(s["total_row"], c))
        out[key] = out.get(key, []) + [by_rows]
    ws = wb[SHEET_T4]
    s4 = t4_structure(ws)
    for c in s4["totals"]:
        out[(ws.title, addr(s4["data_row"], c))] = [
            {addr(s4["data_row"], c - k) for k in range(4, 0, -1)}]
    return out


# ---------------------------------------------------------------------------
# Snapshot: everything a comparison "cell by cell" covers
# ---------------------------------------------------------------------------

def _color(c):
    return None if c is None else (c.type, c.rgb if c.type == "rgb" else c.value)


def _cell_facts(cell) -> tuple:
    f, a, p = cell.font, cell.alignment, cell.protection
    return (
        cell.value, cell.data_type, p.locked, p.hidden, cell.number_format,
        (f.name, f.sz, f.b, f.i, _color(f.color)),
        (cell.fill.fill_type, _color(cell.fill.fgColor)),
        (a.horizontal, a.vertical, a.wrap_text),
        tuple(getattr(cell.border, side).style for side in ("left", "right", "top", "bottom")),
    )


def _dv_facts(dv) -> tuple:
    return (
        " ".join(sorted(str(dv.sqref).split())), dv.type, dv.operator, dv.formula1, dv.formula2,
        dv.allow_blank, dv.showErrorMessage, dv.showInputMessage, dv.errorStyle,
        dv.promptTitle, dv.prompt, dv.errorTitle, dv.error,
    )


_PROTECTION_FIELDS = ("sheet", "objects", "scenarios", "formatCells", "formatColumns", "formatRows",
                      "insertColumns", "insertRows", "insertHyperlinks", "deleteColumns",
                      "deleteRows", "selectLockedCells", "selectUnlockedCells", "sort",
                      "autoFilter", "pivotTables", "password")


def snapshot(path: str | Path) -> dict:
    """A comparable description of a workbook file."""
    wb = openpyxl.load_workbook(path)
    sec = wb.security
    out = {
        "sheets": [(ws.title, ws.sheet_state) for ws in wb.worksheets],
        "workbook_protection": None if sec is None else (
            sec.lockStructure, sec.lockWindows, sec.workbookPassword),
    }
    for ws in wb.worksheets:
        cells = {}
        for row in ws.iter_rows():
            for cell in row:
                if isinstance(cell, MergedCell):
                    cells[cell.coordinate] = ("merged",) + _cell_facts(cell)[2:]
                elif cell.value is not None or cell.has_style:
                    cells[cell.coordinate] = _cell_facts(cell)
        ps = ws.page_setup
        out[ws.title] = {
            "cells": cells,
            "merges": sorted(str(r) for r in ws.merged_cells.ranges),
            "validations": sorted(_dv_facts(dv) for dv in ws.data_validations.dataValidation),
            "protection": tuple(getattr(ws.protection, k) for k in _PROTECTION_FIELDS),
            "widths": {k: d.width for k, d in ws.column_dimensions.items() if d.customWidth},
            "heights": {k: d.height for k, d in ws.row_dimensions.items() if d.height is not None},
            "print": (ps.orientation, ps.paperSize, ps.fitToWidth, ps.fitToHeight,
                      ws.sheet_properties.pageSetUpPr.fitToPage
                      if ws.sheet_properties.pageSetUpPr else None,
                      str(ws.print_area), str(ws.print_title_rows), ws.freeze_panes,
                      ws.sheet_view.showGridLines),
        }
    return out


def snapshot_diff(a: dict, b: dict, limit: int = 20) -> list[str]:
    """Human-readable differences between two snapshots (empty when equal)."""
    diffs: list[str] = []

    def walk(x, y, where):
        if len(diffs) >= limit:
            return
        if isinstance(x, dict) and isinstance(y, dict):
            for k in sorted(set(x) | set(y), key=str):
                if k not in x or k not in y:
                    diffs.append(f"{where}/{k}: only in {'second' if k not in x else 'first'}"
                                 f" ({(y if k not in x else x)[k]!r})")
                else:
                    walk(x[k], y[k], f"{where}/{k}")
        elif x != y:
            diffs.append(f"{where}: {x!r} != {y!r}")

    walk(a, b, "")
    return diffs
