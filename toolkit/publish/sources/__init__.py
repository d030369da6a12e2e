"""Readers for published reports: every format into one intermediate model.

A document is a list of *blocks* in reading order:

* a paragraph — :class:`Para`, a ``str`` carrying ``where`` (its position in
  the source, e.g. ``第12行``), one line of text;
* a table — :class:`Table`, rows of cell texts (``rows``) with each cell's
  row/column span (``spans``, parallel to ``rows``) and ``where``.

The recogniser (``toolkit.publish.recognize``) consumes only this model, so a
new format needs only a reader here.  Every reader is linear in its input and
bounded: inputs over the caps below are refused with a Chinese message.
"""

from __future__ import annotations

import io
import zipfile
from dataclasses import dataclass, field
from pathlib import Path

from ...errors import XxgkError

# Caps (bytes / characters / cells).  Real reports are far below them; past them
# a file is refused with a clear message rather than read slowly or exhausting memory.
MAX_FILE_BYTES = 30 * 1024 * 1024
MAX_XML_BYTES = 40 * 1024 * 1024  # uncompressed document.xml of a .docx
MAX_TEXT_CHARS = 3_000_000
MAX_CELLS = 200_000
MAX_PDF_PAGES = 200


class Para(str):
    """One paragraph (line) of text, with its position in the source."""

    where: str = ""

    def __new__(cls, text: str, where: str = ""):
        obj = super().__new__(cls, text)
        obj.where = where
        return obj


@dataclass
class Table:
    rows: list  # list[list[str]]
    spans: list | None = None  # list[list[(rowspan, colspan)]], parallel to rows
    where: str = ""
    formulas: set = field(default_factory=set)  # (row, col) of workbook formula cells


@dataclass
class Document:
    blocks: list = field(default_factory=list)
    kind: str = ""  # text | html | docx | doc | pdf | xlsx
    notes: list = field(default_factory=list)  # what the reader did (Chinese)


SUFFIXES = {
    ".txt": "text", ".md": "text", ".text": "text", ".csv": "text",
    ".html": "html", ".htm": "html", ".shtml": "html", ".xhtml": "html", ".mht": "html",
    ".docx": "docx", ".doc": "doc", ".pdf": "pdf", ".xlsx": "xlsx", ".xlsm": "xlsx",
}


def too_big(name: str, what: str = "文件") -> XxgkError:
    return XxgkError(f"{name}：{what}过大，超出导入的上限（文件不超过 {MAX_FILE_BYTES // 1024 // 1024} MB、"
                     f"文字不超过 {MAX_TEXT_CHARS // 10000} 万字），请拆分或只保留年度报告本身")


def sniff(data: bytes, name: str) -> str:
    """The format of ``data``: from its first bytes, else from the file name."""
    head = data[:2048].lstrip()
    if data[:4] == b"%PDF":
        return "pdf"
    if data[:8] == b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1":
        return "doc"
    if data[:2] == b"PK":
        try:
            with zipfile.ZipFile(io.BytesIO(data)) as zf:
                names = set(zf.namelist()[:5000])
        except (zipfile.BadZipFile, OSError, ValueError, EOFError):
            raise XxgkError(f"{name}：文件已损坏（不是有效的 Word / Excel 文件）") from None
        if "word/document.xml" in names:
            return "docx"
        if "xl/workbook.xml" in names:
            return "xlsx"
        raise XxgkError(f"{name}：无法识别的压缩文件（不是 .docx 或 .xlsx）")
    low = head[:512].lower()
    if low.startswith((b"<!doctype html", b"<html", b"<?xml")) or b"<html" in low or b"<table" in low \
            or b"<body" in low:
        return "html"
    kind = SUFFIXES.get(Path(name).suffix.lower())
    if kind in ("text", "html"):
        return kind
    return "text"


def read_document(source, *, filename: str | None = None) -> Document:
    """Read ``source`` (a path, or the bytes of a file named ``filename``)."""
    if isinstance(source, (bytes, bytearray, memoryview)):
        data = bytes(source)
        name = filename or "（上传的文件）"
        path = None
    else:
        path = Path(source)
        name = filename or str(path)
        try:
            size = path.stat().st_size
        except OSError as exc:
            raise XxgkError(f"{name}：无法读取（{exc.strerror or exc}）") from None
        if size > MAX_FILE_BYTES:
            raise too_big(name)
        data = path.read_bytes()
    if len(data) > MAX_FILE_BYTES:
        raise too_big(name)
    if not data.strip():
        raise XxgkError(f"{name}：文件是空的")
    kind = sniff(data, filename or (str(path) if path else ""))
    if kind == "pdf":
        from .pdf import read_pdf
        doc = read_pdf(data, name)
    elif kind == "doc":
        from .doc import read_doc
        doc = read_doc(data, name)
    elif kind == "docx":
        from .docx import read_docx
        doc = read_docx(data, name)
    elif kind == "xlsx":
        from .xlsx import read_xlsx
        doc = read_xlsx(data, name)
    elif kind == "html":
        from .html import read_html
        doc = read_html(data, name)
    else:
        from .text import read_text
        doc = read_text(data, name)
    doc.kind = doc.kind or kind
    from .chinese import to_simplified
    to_simplified(doc)
    return doc
