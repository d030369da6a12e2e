"""Word ``.docx``: paragraphs and tables of the main document part, streamed.

The XML is parsed incrementally (``iterparse``) and each finished paragraph or
table cell is reduced to its text and dropped, so memory stays proportional to
the text, not to the XML; the uncompressed part and the number of cells are
capped; DTDs and entities are refused (defusedxml).
"""

from __future__ import annotations

import io
import zipfile
import zlib

from ...errors import XxgkError
from . import MAX_CELLS, MAX_XML_BYTES, Document, Para, Table, too_big

W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"


class _Capped(io.RawIOBase):
    """A read-only stream that fails once more than ``limit`` bytes were read."""

    def __init__(self, raw, limit: int):
        self.raw, self.limit, self.seen = raw, limit, 0

    def readable(self):
        return True

    def readinto(self, b):
        chunk = self.raw.read(min(len(b), 1 << 16))
        self.seen += len(chunk)
        if self.seen > self.limit:
            raise OverflowError
        b[:len(chunk)] = chunk
        return len(chunk)


def _text_of(el) -> str:
    parts = []
    for node in el.iter():
        if node.tag == W + "t" and node.text:
            parts.append(node.text)
        elif node.tag == W + "tab":
            parts.append("\t")
        elif node.tag in (W + "br", W + "cr"):
            parts.append("\n")
        elif node.tag == W + "p" and node is not el:
            parts.append("\n")
    return "".join(parts).strip("\n")


def blocks_from_docx_bytes(data: bytes, name: str) -> list:
    from defusedxml import DefusedXmlException
    from defusedxml.ElementTree import ParseError, iterparse
    blocks: list = []
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as zf:
            info = zf.getinfo("word/document.xml")
            if info.file_size > MAX_XML_BYTES:
                raise too_big(name, "文档")
            with zf.open(info) as raw:
                stream = io.BufferedReader(_Capped(raw, MAX_XML_BYTES))
                depth_tbl = 0
                rows: list = []
                spans: list = []
                row: list = []
                rspan: list = []
                cells = 0
                paras = 0
                tables = 0
                for event, el in iterparse(stream, events=("start", "end"), forbid_dtd=True):
                    if event == "start":
                        if el.tag == W + "tbl":
                            depth_tbl += 1
                            if depth_tbl == 1:
                                rows, spans = [], []
                        elif el.tag == W + "tr" and depth_tbl == 1:
                            row, rspan = [], []
                        continue
                    tag = el.tag
                    if tag == W + "tc" and depth_tbl == 1:
                        cells += 1
                        if cells > MAX_CELLS:
                            raise too_big(name, "表格")
                        span = 1
                        pr = el.find(W + "tcPr")
                        if pr is not None:
                            gs = pr.find(W + "gridSpan")
                            if gs is not None:
                                try:
                                    span = max(1, min(64, int(gs.get(W + "val", "1"))))
                                except ValueError:
                                    span = 1
                        row.append(_text_of(el))
                        rspan.append((1, span))
                        el.clear()
                    elif tag == W + "tr" and depth_tbl == 1:
                        rows.append(row)
                        spans.append(rspan)
                        el.clear()
                    elif tag == W + "tbl":
                        depth_tbl -= 1
                        if depth_tbl == 0:
                            tables += 1
                            blocks.append(Table(rows, spans, where=f"第{tables}个表格"))
                            el.clear()
                    elif tag == W + "p" and depth_tbl == 0:
                        paras += 1
                        if paras > MAX_CELLS:
                            raise too_big(name, "文档")
                        for line in _text_of(el).split("\n"):
                            blocks.append(Para(line, f"第{paras}段"))
                        el.clear()
                    elif tag == W + "body":
                        el.clear()
    except KeyError:
        raise XxgkError(f"{name}：不是有效的 Word（.docx）文件（缺少正文部分）") from None
    except OverflowError:
        raise too_big(name, "文档") from None
    except DefusedXmlException:
        raise XxgkError(f"{name}：文档含有不允许的 XML 声明（DTD 或实体），出于安全原因不予导入") from None
    except ParseError as exc:
        raise XxgkError(f"{name}：Word 文档已损坏（XML 无法解析：{exc}）") from None
    except (zipfile.BadZipFile, zlib.error, EOFError, NotImplementedError, ValueError, OSError) as exc:
        raise XxgkError(f"{name}：Word 文档已损坏，无法解压（{type(exc).__name__}）") from None
    return blocks


def read_docx(data: bytes, name: str) -> Document:
    return Document(blocks_from_docx_bytes(data, name), kind="docx")
