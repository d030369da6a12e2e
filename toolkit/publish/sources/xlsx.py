"""A workbook laid out like the official tables (an office's own Excel version, an
older or damaged template): each visible sheet's rows in order; a row holding one
text cell in column A is a paragraph, other rows are table rows.

Only occupied columns are kept (mapped to a dense grid in their order), so a cell
in column XFD costs one cell, not 16,384.
"""

from __future__ import annotations

import re
import tempfile
from pathlib import Path

from ...errors import UnreadableWorkbook, XxgkError
from . import MAX_CELLS, Document, Para, Table, too_big


def _fmt(v) -> str:
    if isinstance(v, str):
        return v
    if isinstance(v, bool):
        return str(v)
    if isinstance(v, float) and v.is_integer():
        return str(int(v))
    return str(v)


MAX_COL, MAX_ROW = 16_384, 1_048_576  # XFD1048576, the last cell Excel has
_ADDR = re.compile(r"\$?([A-Za-z]{1,3})\$?(\d{1,7})")


def cell_position(addr, name: str, sheet_name: str) -> tuple[int, int]:
    """(row, column) of a cell address; one outside XFD1048576 (a damaged file) is a clear error."""
    m = _ADDR.fullmatch(str(addr or ""))
    col = row = 0
    if m:
        for ch in m.group(1).upper():
            col = col * 26 + ord(ch) - 64
        row = int(m.group(2))
    if not (1 <= col <= MAX_COL and 1 <= row <= MAX_ROW):
        from ...outputs import terminal_text
        shown = terminal_text(str(addr)[:20])
        raise XxgkError(f"{name}：工作表“{sheet_name}”中有无效的单元格地址“{shown}”"
                        "（Excel 的单元格最多到 XFD1048576），文件已损坏；"
                        "请在 Excel 或 WPS 中打开，另存为 .xlsx 后再导入")
    return row, col


def _not_report_sheets() -> set:
    """Sheets xxgk itself adds beside the report: the live checks (校验) and the
    findings of ``check --annotate`` (校验结果); their text is not the report's."""
    from ...engine.findings import RESULTS_SHEET
    from ...spec.live import CHECK_SHEET
    return {CHECK_SHEET, RESULTS_SHEET}


def blocks_from_book(book, name: str) -> list:
    blocks: list = []
    total = 0
    skip = _not_report_sheets()
    for sheet_name in book.sheet_names:
        sheet = book.sheets.get(sheet_name)
        if sheet is None or book.sheet_states.get(sheet_name) != "visible" or sheet_name in skip:
            continue
        grid: dict = {}
        used_cols: set = set()
        for addr, cell in sheet.cells.items():
            if (cell.value is None or cell.value == "") and not cell.formula:
                continue
            total += 1
            if total > MAX_CELLS:
                raise too_big(name, "工作簿")
            row, c = cell_position(addr, name, sheet_name)
            grid.setdefault(row, {})[c] = cell
            used_cols.add(c)
        if not grid:
            continue
        dense = {c: i for i, c in enumerate(sorted(used_cols))}
        width = len(dense)
        table = None
        for r in sorted(grid):
            cells = grid[r]
            only = next(iter(cells.values()))
            if len(cells) == 1 and min(cells) == min(used_cols) and isinstance(only.value, str) and not only.formula:
                blocks.append(Para(only.value, f"工作表“{sheet_name}”第{r}行"))
                table = None
                continue
            if table is None:
                table = Table([], where=f"工作表“{sheet_name}”第{r}行起的表格")
                blocks.append(table)
            out = [""] * width
            for c, cell in cells.items():
                if cell.value is None or cell.value == "":
                    table.formulas.add((len(table.rows), dense[c]))
                else:
                    out[dense[c]] = _fmt(cell.value)
            table.rows.append(out)
    return blocks


def read_xlsx(data: bytes, name: str) -> Document:
    from ...xlsx.reader import read_workbook
    with tempfile.TemporaryDirectory(prefix="xxgk-import-") as tmp:
        path = Path(tmp) / "book.xlsx"
        path.write_bytes(data)
        try:
            book = read_workbook(path)
        except UnreadableWorkbook as exc:
            raise XxgkError(f"{name}：{exc.reason}") from None
    return Document(blocks_from_book(book, name), kind="xlsx")
