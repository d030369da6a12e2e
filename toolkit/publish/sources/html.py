"""HTML as published by government CMSs, including Word-exported pages.

Parsed with lxml (never regular expressions): paragraphs and ``<br>`` lines in
reading order, leaf ``<table>`` elements as tables with their ``rowspan`` /
``colspan``; layout tables that hold other tables are walked through.  Word
export noise (``<o:p>``, ``mso-`` styles, nested ``<span>``, ``&nbsp;``) is just
inline markup here.  The page ``<title>`` comes first (it often names the unit
and the year).  One walk over the tree: linear in the page.
"""

from __future__ import annotations

import re

from ...errors import XxgkError
from . import MAX_CELLS, MAX_TEXT_CHARS, Document, Para, Table, too_big

_CHARSET = re.compile(rb"""charset\s*=\s*["']?\s*([A-Za-z0-9_\-]+)""", re.I)
_SKIP = {"script", "style", "noscript", "template", "iframe", "object", "svg", "select", "option",
         "button", "input", "textarea", "head"}
_BLOCK = {"p", "div", "h1", "h2", "h3", "h4", "h5", "h6", "li", "ul", "ol", "section", "article",
          "blockquote", "center", "pre", "dd", "dt", "dl", "hr", "table", "tr", "td", "th", "tbody",
          "thead", "tfoot", "caption", "header", "footer", "nav", "main", "aside", "form", "body",
          "address", "figure", "figcaption", "br"}


def decode_html(data: bytes, name: str) -> str:
    encodings = []
    m = _CHARSET.search(data[:4096])
    if m:
        enc = m.group(1).decode("ascii", "ignore").lower()
        encodings.append("gb18030" if enc in ("gb2312", "gbk", "gb_2312-80", "x-gbk") else enc)
    encodings += ["utf-8-sig", "gb18030"]
    for enc in encodings:
        try:
            text = data.decode(enc)
            break
        except (UnicodeDecodeError, LookupError):
            continue
    else:
        text = data.decode("utf-8", "replace")
    if len(text) > MAX_TEXT_CHARS:
        raise too_big(name, "文字")
    text = re.sub(r"^\s*<\?xml[^>]*\?>", "", text)  # lxml refuses a str with an encoding declaration
    return text.replace("\x00", "")


def _tag(el) -> str:
    t = el.tag
    if not isinstance(t, str):
        return ""
    return t.rsplit("}", 1)[-1].split(":")[-1].lower()


def _hidden(el) -> bool:
    style = (el.get("style") or "").replace(" ", "").lower()
    return "display:none" in style or el.get("hidden") is not None


def _cell_text(cell) -> str:
    """Text of a table cell; ``<br>`` and block children become line breaks."""
    parts = []

    def walk(el):
        stack = [(el, False)]
        while stack:
            node, closing = stack.pop()
            if closing:
                if node.tail:
                    parts.append(node.tail)
                continue
            tag = _tag(node)
            if node is not el and (tag in _SKIP or _hidden(node)):
                if node.tail:
                    parts.append(node.tail)
                continue
            if tag == "br" or (tag in _BLOCK and node is not el):
                parts.append("\n")
            if node.text and tag not in _SKIP:
                parts.append(node.text)
            if node is not el:
                stack.append((node, True))
            for child in reversed(list(node)):
                stack.append((child, False))
    walk(cell)
    return "\n".join(line.strip() for line in "".join(parts).replace("\xa0", " ").split("\n")).strip()


def _int_attr(el, name) -> int:
    try:
        return max(1, min(1000, int(str(el.get(name, "1")).strip() or 1)))
    except ValueError:
        return 1


def _rows_of(table) -> list:
    rows = []
    for child in table:
        tag = _tag(child)
        if tag == "tr":
            rows.append(child)
        elif tag in ("tbody", "thead", "tfoot"):
            rows += [r for r in child if _tag(r) == "tr"]
    return rows


def blocks_from_html(text: str, name: str = "") -> list:
    import lxml.etree as etree
    import lxml.html
    try:
        root = lxml.html.document_fromstring(text)
    except (etree.ParserError, ValueError) as exc:
        raise XxgkError(f"{name}：网页无法解析（{exc}）") from None
    blocks: list = []
    buf: list = []
    nline = 0
    ncells = 0
    ntables = 0

    def flush():
        nonlocal nline
        if not buf:
            return
        joined = "".join(buf).replace("\xa0", " ")
        buf.clear()
        for line in joined.split("\n"):
            if line.strip():
                nline += 1
                blocks.append(Para(line.strip(), f"第{nline}段"))

    title = root.find(".//title")
    if title is not None and (title.text or "").strip():
        nline += 1
        blocks.append(Para(title.text.strip(), "网页标题"))
    body = root.find("body")
    if body is None:
        body = root
    # Leaf tables: those without a table inside them.
    # (lxml makes element proxies on demand: keep them alive so that id() is stable)
    all_tables = list(body.iter("table"))
    outer = [a for t in all_tables for a in t.iterancestors("table")]
    nested = {id(a) for a in outer}
    leaf = {id(t) for t in all_tables if id(t) not in nested}
    stack = [(body, False)]
    while stack:
        node, closing = stack.pop()
        if closing:
            if _tag(node) in _BLOCK:
                flush()
            if node.tail:
                buf.append(node.tail)
            continue
        tag = _tag(node)
        if tag in _SKIP or _hidden(node) or not isinstance(node.tag, str):
            if node.tail:
                buf.append(node.tail)
            continue
        if tag == "table" and id(node) in leaf:
            flush()
            rows, spans = [], []
            for tr in _rows_of(node):
                cells = [c for c in tr if _tag(c) in ("td", "th") and not _hidden(c)]
                ncells += len(cells)
                if ncells > MAX_CELLS:
                    raise too_big(name, "表格")
                rows.append([_cell_text(c) for c in cells])
                spans.append([(_int_attr(c, "rowspan"), _int_attr(c, "colspan")) for c in cells])
            ntables += 1
            blocks.append(Table(rows, spans, where=f"第{ntables}个表格"))
            if node.tail:
                buf.append(node.tail)
            continue
        if tag in _BLOCK:
            flush()
            if tag == "br":
                buf.append("\n")
        if node.text:
            buf.append(node.text)
        stack.append((node, True))
        for child in reversed(list(node)):
            stack.append((child, False))
    flush()
    return blocks


def read_html(data: bytes, name: str) -> Document:
    return Document(blocks_from_html(decode_html(data, name), name), kind="html")
