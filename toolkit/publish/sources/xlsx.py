"""A workbook laid out like the official tables (an office's own Excel version, an
older or damaged template): each visible sheet's rows in order; a row holding one
text cell in column A is a paragraph, other rows are table rows.

Only occupied columns are kept (mapped to a dense grid in their order), so a cell
in column XFD costs one cell, not 16,384.
"""

from __future__ import annotations

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


def blocks_from_book(book, name: str) -> list:
    from openpyxl.utils.cell import column_index_from_string, coordinate_from_string
    blocks: list = []
    total = 0
    for sheet_name in book.sheet_names:
        sheet = book.sheets.get(sheet_name)
        if sheet is None or book.sheet_states.get(sheet_name) != "visible":
            continue
        grid: dict = {}
        used_cols: set = set()
        for addr, cell in sheet.cells.items():
            if (cell.value is None or cell.value == "") and not cell.formula:
                continue
            total += 1
            if total > MAX_CELLS:
                raise too_big(name, "工作簿")
            try:
                col, row = coordinate_from_string(addr)
                c = column_index_from_string(col)
            except ValueError:
                continue
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
