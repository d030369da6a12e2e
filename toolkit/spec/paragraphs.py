"""A 正文 section as paragraph cells, and back (template version 2).

A section is ``TEXT_PARAGRAPHS[section]`` input cells of at most
``TEXT_PARAGRAPH_MAX`` characters each (``toolkit.spec.editions``).  Every writer
(fill, import, the demo sample, export's reader …) goes through :func:`split_section`
and every reader through :func:`join_paragraphs`, so the two never disagree:

* the text is split on newlines into lines, and the lines are packed greedily
  into the cells (several short lines share a cell, joined by a newline), so
  ``join_paragraphs(split_section(t))`` is ``t`` itself whenever no line is longer
  than the limit;
* a line over the limit is cut after the last sentence end (。！？；) below the
  limit (hard at the limit when there is none); reading the cells back then puts a
  newline at each cut, nothing else changes and nothing is ever dropped;
* a cell of many short lines is closed at ``MAX_LINES`` printed lines, so its row
  stays below Excel's 409 pt;
* a section that does not fit raises :class:`SectionTooLong` (Chinese message).
"""

from __future__ import annotations

from ..errors import XxgkError
from . import editions as E

SENTENCE_ENDS = "。！？；!?;"

# Printed size of a paragraph cell (11 pt 宋体 in column A of the 正文 sheet, width 76):
# about 36 full-width characters a line (34 counted: a margin for WPS and font metrics),
# 14.5 pt a line.  LibreOffice does not fit a row to its text when it opens an .xlsx
# (checked in the PDF render: a row without a height stays 15 pt and the text is cut),
# so writers give each filled paragraph row this
# estimated height, as a height that is *not* custom (no ``customHeight``): Excel, WPS
# and LibreOffice still refit the row when the clerk edits the cell.
LINE_CHARS = 34
LINE_PT = 14.5
ROW_PAD_PT = 4
MAX_ROW_PT = 409  # Excel's largest row height
MAX_LINES = int((MAX_ROW_PT - ROW_PAD_PT) // LINE_PT) - 2  # packed cells stay below it


class SectionTooLong(XxgkError, ValueError):
    """A 正文 section needs more cells than the template has."""


def section_label(section: str) -> str:
    return next((label for key, label, _ in E.TEXT_SECTIONS if key == section), section)


def _cut(line: str, limit: int) -> list[str]:
    """``line`` in pieces of at most ``limit`` characters, cut after a sentence end."""
    out = []
    while len(line) > limit:
        window = line[:limit]
        at = max(window.rfind(ch) for ch in SENTENCE_ENDS)
        at = at + 1 if at > 0 else limit
        out.append(line[:at])
        line = line[at:]
    out.append(line)
    return out


def _width(text: str) -> float:
    """Printed width in full-width characters (ASCII counts half)."""
    return sum(0.5 if ord(ch) < 0x2E80 else 1 for ch in text)


def line_count(text: str) -> int:
    """Printed lines of ``text`` in a paragraph cell (estimate; see ``LINE_CHARS``)."""
    return sum(max(1, -(-int(_width(line) * 2) // (LINE_CHARS * 2))) for line in str(text).split("\n"))


def row_height(text: str) -> float | None:
    """The row height (pt) that shows all of ``text`` in a paragraph cell (None: empty)."""
    if not text:
        return None
    return min(MAX_ROW_PT, max(15.0, line_count(text) * LINE_PT + ROW_PAD_PT))


def pack(text: str, limit: int | None = None) -> list[str]:
    """The cell texts of ``text`` (any number of cells, each at most ``limit`` characters)."""
    limit = limit or E.TEXT_PARAGRAPH_MAX
    if text is None or text == "":
        return []
    cells: list[str] = []
    current: str | None = None
    for line in str(text).split("\n"):
        for piece in _cut(line, limit):
            if (current is not None and len(current) + 1 + len(piece) <= limit
                    and line_count(current) + line_count(piece) <= MAX_LINES):
                current += "\n" + piece
            else:
                if current is not None:
                    cells.append(current)
                current = piece
    if current is not None:
        cells.append(current)
    return cells


def split_section(section: str, text: str, count: int | None = None,
                  limit: int | None = None) -> list[str]:
    """The texts of the ``count`` paragraph cells of ``section`` (empty strings pad).

    Raises :class:`SectionTooLong` when the text needs more cells than there are."""
    count = count or E.TEXT_PARAGRAPHS[section]
    limit = limit or E.TEXT_PARAGRAPH_MAX
    cells = pack(text, limit)
    if len(cells) > count:
        raise SectionTooLong(
            f"正文“{section_label(section)}”共 {len(text)} 字，按每格一段（每格不超过 {limit} 字）"
            f"需要 {len(cells)} 格，模板只有 {count} 格（最多约 {count * limit} 字）；"
            "为免丢失内容，未写出文件，请精简或合并段落后重试")
    return cells + [""] * (count - len(cells))


def join_paragraphs(cells) -> str:
    """The section text of its paragraph cells: the non-empty ones joined by newlines."""
    return "\n".join(str(c) for c in cells if c is not None and str(c) != "")


def cell_holding(cells, quote: str = "") -> str:
    """The id of the cell of ``cells`` (``(cell id, text)`` pairs, in order) whose text
    holds ``quote`` (whitespace ignored), else of the first non-empty cell, else the first."""
    def squash(t):
        return "".join(str(t).split())
    q = squash(quote)
    if q:
        for cid, text in cells:
            if q in squash(text):
                return cid
        for cid, text in cells:  # a quote cut by an ellipsis: its first 12 characters
            if q[:12] and q[:12] in squash(text):
                return cid
    for cid, text in cells:
        if text:
            return cid
    return cells[0][0]
