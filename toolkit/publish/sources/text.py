"""Plain text as people copy it from web pages (and the flattened seed layout).

Lines become paragraphs; the recogniser splits ``|`` rows, tab-separated rows
and Markdown tables into cells.  One layout is structural and is read here: the
*tab-indented* copy (each table cell on a line starting with a tab, rows ended
by a blank line), which becomes real tables.  Linear in the input.
"""

from __future__ import annotations

import re

from ...errors import XxgkError
from . import MAX_TEXT_CHARS, Document, Para, Table, too_big

# Every line break Python's str.splitlines knows, folded to "\n" (form feed,
# vertical tab, NEL, line/paragraph separators, lone CR).
_BREAKS = re.compile(r"\r\n|[\r\f\v\x1c\x1d\x1e\x85\u2028\u2029]")
_MD_RULE = re.compile(r"^\s*\|?\s*:?-{3,}:?\s*(\|\s*:?-{3,}:?\s*)*\|?\s*$")


def decode(data: bytes, name: str) -> str:
    for enc in ("utf-8-sig", "gb18030"):
        try:
            text = data.decode(enc)
            break
        except UnicodeDecodeError:
            continue
    else:
        raise XxgkError(f"{name}：无法识别文件编码（支持 UTF-8、GBK 文本）")
    if len(text) > MAX_TEXT_CHARS:
        raise too_big(name, "文字")
    return text.replace("\x00", "")


def lines_of(text: str) -> list:
    return _BREAKS.sub("\n", text).split("\n")


def blocks_from_text(text: str) -> list:
    """Paragraphs and tables of a text.  Tab-indented cells form tables (rows end at a
    blank line, a non-indented line right after a cell continues that cell)."""
    lines = lines_of(text)
    tabbed = sum(1 for ln in lines if ln.startswith("\t"))
    structured = tabbed >= 10
    blocks: list = []
    current: list | None = None  # rows of the open table; each cell is a list of lines
    row: list | None = None
    table_no = 0

    def close():
        nonlocal current
        if current is not None:
            blocks[-1].rows = [["\n".join(c) for c in r] for r in current if r]
            current = None

    for n, line in enumerate(lines, start=1):
        if structured and line.startswith("\t"):
            if current is None:
                table_no += 1
                current = []
                blocks.append(Table([], where=f"第{table_no}个表格（第{n}行起）"))
            if row is None:
                row = []
                current.append(row)
            row.append([line[1:]])
        elif line.strip() == "":
            row = None
        elif structured and row:
            row[-1].append(line)  # a line break inside a cell
        else:
            close()
            row = None
            if _MD_RULE.match(line):
                continue
            stripped = line.strip()
            if stripped.startswith("#"):
                stripped = stripped.lstrip("#").strip()
            blocks.append(Para(stripped, f"第{n}行"))
    close()
    return blocks


def read_text(data: bytes, name: str) -> Document:
    return Document(blocks_from_text(decode(data, name)), kind="text")
