"""PDF: tables (ruled grids) and the text around them, with pdfplumber.

Each page: the tables pdfplumber finds become tables; the words outside them
become lines in reading order.  A PDF without a text layer (a scan) is refused
with a message saying so, never imported as empty.
"""

from __future__ import annotations

import io

from ...errors import XxgkError
from . import MAX_CELLS, MAX_PDF_PAGES, Document, Para, Table, too_big


def read_pdf(data: bytes, name: str) -> Document:
    try:
        import pdfplumber
    except ImportError:
        raise XxgkError(f"{name}：读取 PDF 需要安装 pdfplumber（pip install pdfplumber）") from None
    from pdfminer.pdfparser import PDFSyntaxError
    blocks: list = []
    chars = 0
    cells = 0
    try:
        with pdfplumber.open(io.BytesIO(data)) as pdf:
            if len(pdf.pages) > MAX_PDF_PAGES:
                raise too_big(name, "PDF（页数）")
            for pno, page in enumerate(pdf.pages, start=1):
                chars += len(page.chars)
                found = page.find_tables()
                boxes = [t.bbox for t in found]
                items = []  # (top, kind, payload)
                for ti, t in enumerate(found, start=1):
                    rows = [[(c or "").strip() for c in r] for r in t.extract()]
                    cells += sum(len(r) for r in rows)
                    if cells > MAX_CELLS:
                        raise too_big(name, "表格")
                    items.append((t.bbox[1], 1, Table(rows, where=f"第{pno}页第{ti}个表格")))

                def outside(obj):
                    cx = (obj["x0"] + obj["x1"]) / 2
                    cy = (obj["top"] + obj["bottom"]) / 2
                    return not any(b[0] <= cx <= b[2] and b[1] <= cy <= b[3] for b in boxes)
                rest = page.filter(outside) if boxes else page
                for ln, line in enumerate(rest.extract_text_lines(), start=1):
                    items.append((line["top"], 0, Para(line["text"].strip(), f"第{pno}页第{ln}行")))
                items.sort(key=lambda it: (it[0], it[1]))
                blocks += [it[2] for it in items if not isinstance(it[2], str) or it[2].strip()]
                page.flush_cache()
    except XxgkError:
        raise
    except (PDFSyntaxError, ValueError, KeyError, TypeError, AttributeError, OSError) as exc:
        raise XxgkError(f"{name}：PDF 文件已损坏或无法读取（{type(exc).__name__}）") from None
    except Exception as exc:  # pdfminer raises many private exception types on damaged files
        raise XxgkError(f"{name}：PDF 文件无法读取（{type(exc).__name__}）") from None
    if chars == 0:
        raise XxgkError(f"{name}：这是扫描件（PDF 中没有文字层），无法识别文字。请向发布单位索取 Word / 网页版本，"
                        "或先用 OCR 软件转成文字")
    return Document(blocks, kind="pdf")
