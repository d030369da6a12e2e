"""Seeds and deterministic structural mutations for the fuzzer (issue #11).

Seeds are valid inputs made by the toolkit itself: a filled 2021 report and a
2019 report (the template), a demo unit's report with the demo's mistakes,
the Word export of a report (.docx) and its text (.txt).  A mutation works
at the zip level (truncate, flip bytes, drop/duplicate/rename a member,
stored instead of deflated, a garbage member) or at the XML level of one
member (drop/duplicate/move an element, odd attribute values, odd text and
``<v>`` values, a DTD, deep nesting, truncated XML), or on the text of a
.txt.  ``mutate(seed_bytes, kind, rng)`` is a pure function of its inputs:
the same case number always gives the same bytes.
"""

from __future__ import annotations

import io
import random
import re
import warnings
import zipfile
import xml.etree.ElementTree as ET
from pathlib import Path

ODD_VALUES = [
    "", "NaN", "inf", "-inf", "1e400", "9E+307", "-9E+307", "1_0", "１２", "0x10", "-0", "1e10",
    "99999", "9999", "9" * 5000, "A", "XFD1048576", "A1:XFD1048576", "D:D", "1:1048576", "\x0c",
    "_x000D_", "a_x000D_b", '=HYPERLINK("http://x","y")', "=cmd|' /C calc'!A0", "+1", "-1", "@SUM(1)",
    "\u202eevil", "\u200b甲镇", "甲镇\n【通过】伪造.xlsx", "x" * 40000, "2147483648", "-2147483649",
    "1.5", "true", "#REF!", "../../x", 'a*?:|<>"b', "\ud7ff", "𠀀😀", "0" * 300 + "1",
]
ODD_ATTRS = {
    "r": ["A", "XFD1048576", "A0", "", "AAAA1", "1A", "B99999999", "ZZZ1"],
    "t": ["d", "e", "str", "b", "inlineStr", "n", "s", "x"],
    "s": ["99999", "-1", "", "x"],
    "ref": ["A1:XFD1048576", "D:D", "1:1", "", "A1:A1:A1", "Z9:A1"],
    "sqref": ["D:D", "A1:XFD1048576", " ".join(["D5"] * 200), "", "1:1048576"],
    "state": ["hidden", "veryHidden", "visible", "odd"],
    "count": ["-1", "99999999", "x"],
    "uniqueCount": ["-1", "99999999"],
    "sheetId": ["0", "-1", "99999"],
    "spans": ["1:16384", "x"],
}

_DEFAULT_ATTRS = ["", "-1", "99999999", "x", "A1:XFD1048576"]


# -- seeds ------------------------------------------------------------------------------


def build_seeds(folder: Path) -> dict:
    """Write the seed files into ``folder``; returns {name: path}."""
    from toolkit.demo.sample import sample_info, sample_texts, sample_values, write_sample_workbook
    from toolkit.publish.export import export_docx
    folder.mkdir(parents=True, exist_ok=True)
    seeds = {}
    for edition, year, unit in (("2021", 2021, "甲镇人民政府"), ("2019", 2020, "乙镇人民政府")):
        rng = random.Random(7)
        values = sample_values(edition, rng, unit_type="乡镇")
        info = sample_info(unit, "乡镇", year)
        texts = sample_texts(unit, year, values, rng)
        p = folder / f"report-{edition}.xlsx"
        write_sample_workbook(p, edition, values, info, texts, force=True)
        seeds[f"report-{edition}"] = p
    # a demo unit, with the demo's own mistakes (typed total, text in a number cell)
    rng = random.Random(11)
    values = sample_values("2021", rng, scale=2.5, unit_type="县级政府部门")
    info = sample_info("示例区交通运输局", "县级政府部门", 2021, county="示例区")
    texts = sample_texts("示例区交通运输局", 2021, values, rng)
    p = folder / "demo.xlsx"
    write_sample_workbook(p, "2021", values, info, texts, force=True,
                          overrides={"t3.results_total.natural": 7, "t4.review.upheld": "无"})
    seeds["demo"] = p
    docx = export_docx(seeds["report-2021"], folder / "report.docx", force=True)
    seeds["docx"] = docx
    seeds["txt"] = _docx_text(docx, folder / "report.txt")
    for name, path in seeds.items():
        if name != "txt":
            _fix_timestamps(path)
    return seeds


def _fix_timestamps(path: Path) -> None:
    """Same seed bytes on every run: fixed zip dates and document properties."""
    items = []
    for info, blob in _members(path.read_bytes()):
        if info.filename == "docProps/core.xml":
            blob = re.sub(rb"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z?", b"2021-01-01T00:00:00Z", blob)
        items.append((info.filename, blob))
    path.write_bytes(_pack(items))


def _docx_text(docx: Path, out: Path) -> Path:
    from docx import Document
    doc = Document(str(docx))
    lines = [p.text for p in doc.paragraphs]
    for t in doc.tables:
        for row in t.rows:
            lines.append("\t".join(c.text for c in row.cells))
    out.write_text("\n".join(lines), encoding="utf-8")
    return out


# -- mutations -----------------------------------------------------------------------------


def mutate(data: bytes, kind: str, rng: random.Random) -> tuple[bytes, list]:
    """Apply 1–3 mutations to ``data`` (a ``zip`` package or ``txt``); returns (bytes, names)."""
    names = []
    for _ in range(rng.choice((1, 1, 2, 3))):
        if kind == "txt":
            op = rng.choice(TEXT_OPS)
        else:
            op = rng.choice(ZIP_OPS + XML_OPS * 3)  # XML-level mutations are the more telling
        try:
            data = op(data, rng)
        except Exception:  # noqa: BLE001 — a previous mutation broke the package
            data = _flip_bytes(data, rng)  # stay at byte level
            op = _flip_bytes
        names.append(op.__name__.lstrip("_"))
    return data, names


# zip level


def _members(data: bytes) -> list:
    with zipfile.ZipFile(io.BytesIO(data)) as zf:
        return [(i, zf.read(i)) for i in zf.infolist()]


def _pack(items: list, stored: bool = False) -> bytes:
    buf = io.BytesIO()
    with warnings.catch_warnings(), zipfile.ZipFile(buf, "w", zipfile.ZIP_STORED if stored else zipfile.ZIP_DEFLATED) as zf:
        warnings.simplefilter("ignore")  # duplicate member names are one of the mutations
        for info, blob in items:
            name = info.filename if isinstance(info, zipfile.ZipInfo) else info
            zf.writestr(zipfile.ZipInfo(name, (2021, 1, 1, 0, 0, 0)), blob,
                        compress_type=zipfile.ZIP_STORED if stored else zipfile.ZIP_DEFLATED)
    return buf.getvalue()


def _truncate(data: bytes, rng) -> bytes:
    return data[: rng.randrange(max(1, len(data)))]


def _flip_bytes(data: bytes, rng) -> bytes:
    b = bytearray(data)
    for _ in range(rng.randint(1, 12)):
        if b:
            b[rng.randrange(len(b))] = rng.randrange(256)
    return bytes(b)


def _drop_member(data: bytes, rng) -> bytes:
    items = _members(data)
    del items[rng.randrange(len(items))]
    return _pack(items)


def _dup_member(data: bytes, rng) -> bytes:
    items = _members(data)
    items.append(items[rng.randrange(len(items))])
    return _pack(items)


def _rename_member(data: bytes, rng) -> bytes:
    items = _members(data)
    i = rng.randrange(len(items))
    info, blob = items[i]
    new = rng.choice([info.filename.upper(), info.filename + "x", "../" + info.filename,
                      info.filename.replace("/", "\\"), "xl/worksheets/sheet99.xml"])
    items[i] = (new, blob)
    return _pack(items)


def _stored(data: bytes, rng) -> bytes:
    return _pack(_members(data), stored=True)


def _garbage_member(data: bytes, rng) -> bytes:
    items = _members(data)
    i = rng.randrange(len(items))
    items[i] = (items[i][0], bytes(rng.randrange(256) for _ in range(rng.randint(0, 300))))
    return _pack(items)


ZIP_OPS = [_truncate, _flip_bytes, _drop_member, _dup_member, _rename_member, _stored, _garbage_member]


# XML level


def _xml_member(items: list, rng) -> int:
    xml = [i for i, (info, _) in enumerate(items)
           if str(getattr(info, "filename", info)).endswith((".xml", ".rels"))]
    # sheets, shared strings and the main document are the interesting ones: weight them
    hot = [i for i in xml if re.search(r"(worksheets/|sharedStrings|workbook\.xml|document\.xml)",
                                       str(getattr(items[i][0], "filename", items[i][0])))]
    return rng.choice(hot * 3 + xml)


def _parse(blob: bytes):
    for _, (prefix, uri) in ET.iterparse(io.BytesIO(blob), events=("start-ns",)):
        if prefix and not re.match(r"ns\d+$", prefix):
            try:
                ET.register_namespace(prefix, uri)
            except ValueError:
                pass
    return ET.fromstring(blob)


def _xml_op(fn):
    def op(data: bytes, rng) -> bytes:
        items = _members(data)
        i = _xml_member(items, rng)
        info, blob = items[i]
        try:
            root = _parse(blob)
        except ET.ParseError:
            items[i] = (info, _flip_bytes(blob, rng))
            return _pack(items)
        out = fn(root, blob, rng)
        items[i] = (info, out if isinstance(out, bytes) else
                    b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n' + ET.tostring(root))
        return _pack(items)
    op.__name__ = fn.__name__
    return op


def _elements(root) -> list:
    return [(parent, child) for parent in root.iter() for child in parent]


def _drop_element(root, blob, rng):
    pairs = _elements(root)
    if pairs:
        parent, child = rng.choice(pairs)
        parent.remove(child)


def _dup_element(root, blob, rng):
    import copy
    pairs = _elements(root)
    if pairs:
        parent, child = rng.choice(pairs)
        for _ in range(rng.choice((1, 1, 5, 200))):
            parent.insert(list(parent).index(child), copy.deepcopy(child))


def _move_element(root, blob, rng):
    pairs = _elements(root)
    if len(pairs) > 2:
        parent, child = rng.choice(pairs)
        parent.remove(child)
        target = rng.choice([e for e in root.iter()])
        target.append(child)


def _odd_attribute(root, blob, rng):
    elems = [e for e in root.iter() if e.attrib]
    if elems:
        e = rng.choice(elems)
        key = rng.choice(list(e.attrib))
        local = key.rsplit("}", 1)[-1]
        e.set(key, rng.choice(ODD_ATTRS.get(local, _DEFAULT_ATTRS)))


def _odd_text(root, blob, rng):
    elems = [e for e in root.iter() if (e.text or "").strip()]
    vs = [e for e in elems if e.tag.endswith(("}v", "}t"))]
    if elems:
        e = rng.choice(vs * 3 + elems)
        e.text = rng.choice(ODD_VALUES)


def _strip_attribute(root, blob, rng):
    elems = [e for e in root.iter() if e.attrib]
    if elems:
        e = rng.choice(elems)
        del e.attrib[rng.choice(list(e.attrib))]


def _truncate_xml(root, blob, rng) -> bytes:
    return blob[: rng.randrange(max(1, len(blob)))]


def _insert_dtd(root, blob, rng) -> bytes:
    dtd = rng.choice([b'<!DOCTYPE x [<!ENTITY a "aaaaaaaaaa">]>',
                      b'<!DOCTYPE x SYSTEM "http://127.0.0.1:9/x.dtd">', b"<!DOCTYPE x>"])
    end = blob.find(b"?>")
    return blob[: end + 2] + dtd + blob[end + 2:] if end >= 0 else dtd + blob


def _deep_nest(root, blob, rng):
    elems = list(root.iter())
    e = rng.choice(elems)
    depth = rng.choice((50, 500, 5000))
    inner = e
    for _ in range(depth):
        inner = ET.SubElement(inner, e.tag)


XML_OPS = [_xml_op(f) for f in (_drop_element, _dup_element, _move_element, _odd_attribute, _odd_text,
                                 _odd_text, _strip_attribute, _truncate_xml, _insert_dtd, _deep_nest)]


# text (.txt imports)


def _t_insert(data: bytes, rng) -> bytes:
    text = data.decode("utf-8", "replace")
    pos = rng.randrange(len(text) + 1)
    piece = rng.choice(["\x0c", "\x00", "\r", "\u202e", "\ufeff", "9" * 5000, "一、" * 2000, "件" * 10000,
                        "\n" * 1000, "收到申请" + "9" * 5000 + "件", "x" * 200000, "\t" * 500])
    return (text[:pos] + piece + text[pos:]).encode("utf-8")


def _t_delete_lines(data: bytes, rng) -> bytes:
    lines = data.split(b"\n")
    for _ in range(rng.randint(1, max(1, len(lines) // 3))):
        if lines:
            del lines[rng.randrange(len(lines))]
    return b"\n".join(lines)


def _t_shuffle(data: bytes, rng) -> bytes:
    lines = data.split(b"\n")
    rng.shuffle(lines)
    return b"\n".join(lines)


def _t_encoding(data: bytes, rng) -> bytes:
    text = data.decode("utf-8", "replace")
    return text.encode(rng.choice(["gb18030", "utf-16", "utf-8-sig", "latin-1"]), "replace")


def _t_bytes(data: bytes, rng) -> bytes:
    return _flip_bytes(data, rng)


TEXT_OPS = [_t_insert, _t_insert, _t_delete_lines, _t_shuffle, _t_encoding, _t_bytes, _truncate]
