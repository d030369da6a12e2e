"""``xxgk fill --from OLD``: the contents of a workbook of an earlier template version.

Template version 2 changed only the 正文 sheet (one cell per paragraph instead of one
cell per section, ``toolkit.spec.paragraphs``); every other input cell has the address
it had.  So an old workbook is read by values — through the guarded reader, nothing
evaluated — and handed to :func:`toolkit.fill.core.fill` as its data: the numbers,
the cover and each section's text, which fill packs into the paragraph cells.  Totals
are formulas in the new workbook; a number typed over a total in the old one is not
carried over (``xxgk check`` on the old file would have flagged it).
"""

from __future__ import annotations

from pathlib import Path

from ..errors import UnreadableWorkbook, XxgkError
from .. import spec as E
from ..spec import EDITIONS, get_edition


def old_workbook_data(path: str | Path) -> tuple[str, list]:
    """``(edition, [(key, value)])`` of a workbook of an earlier template version.

    Raises :class:`UnreadableWorkbook` (Chinese message) when it is not one."""
    from ..engine.report import _meta, wanted_sheets
    from ..xlsx.reader import read_workbook
    path = Path(path)
    book = read_workbook(path, wanted_sheets())
    meta = _meta(book)
    version = str(meta.get("template_version") or "")
    edition = str(meta.get("edition") or "")
    if version == E.TEMPLATE_VERSION:
        raise UnreadableWorkbook(path, f"已是当前第 {version} 版模板，不需要转换，请直接使用这个文件")
    if version not in E.OLD_TEXT_CELLS or edition not in EDITIONS or meta.get("kind") != "template":
        raise UnreadableWorkbook(path, "不是旧版 xxgk 模板填写的报告工作簿（模板标识缺失或无法识别），"
                                       "无法转换；请把内容填入 xxgk template 生成的新模板")
    ed = get_edition(edition)
    pairs = []
    for c in ed.cells:
        if c.kind not in ("input", "info"):
            continue
        sheet = book.sheets.get(c.sheet)
        cell = sheet.cells.get(c.address) if sheet else None
        if cell is not None and cell.value not in (None, ""):
            pairs.append((c.id, cell.value))
    text_sheet = book.sheets.get(E.SHEETS["text"])
    for key, address in E.OLD_TEXT_CELLS[version].items():
        cell = text_sheet.cells.get(address) if text_sheet else None
        if cell is not None and cell.value not in (None, ""):
            pairs.append((f"text.{key}", str(cell.value)))
    if not pairs:
        raise XxgkError(f"{path}：旧版工作簿中没有填写任何内容，无需转换，请直接使用新模板")
    return edition, pairs
