"""A small, guarded reader for untrusted .xlsx/.xlsm files.

Reads exactly what checking needs — cell values, formulas, merges, data
validations, sheet protection and states — straight from the package XML,
without evaluating anything.  Every input is treated as hostile:

* the file type is sniffed before unzipping (empty, CSV/text, legacy
  ``.xls`` and encrypted OOXML, which are both OLE compound files);
* zip members are size-checked *before* inflation (total size and
  compression ratio caps defeat zip bombs);
* XML is parsed with ``defusedxml`` (no entity expansion, no external
  entities, no DTD tricks);
* declared sheet dimensions are checked before a sheet is parsed and the
  number of cells read is capped.

This is also much faster than loading the workbook with openpyxl, which
matters when a district merges thousands of files.
"""

from __future__ import annotations

import posixpath
import re
import zipfile
from dataclasses import dataclass, field
from pathlib import Path

from defusedxml import DefusedXmlException
from defusedxml.ElementTree import fromstring

from .errors import UnreadableWorkbook

NS_MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
NS_REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
NS_PKG_REL = "http://schemas.openxmlformats.org/package/2006/relationships"
M = "{%s}" % NS_MAIN

MAX_FILE_BYTES = 50 * 1024 * 1024
MAX_MEMBER_BYTES = 40 * 1024 * 1024  # uncompressed, per XML part we read
MAX_TOTAL_BYTES = 120 * 1024 * 1024  # uncompressed, whole package
MAX_RATIO = 200  # uncompressed / compressed, for members larger than 1 MB
MAX_ROWS = 20000
MAX_COLS = 1000
MAX_CELLS = 500_000

OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_ADDR = re.compile(r"^\$?([A-Z]{1,3})\$?(\d+)$")


@dataclass
class RawCell:
    value: object = None  # str | int | float | bool | None
    formula: str | None = None  # without leading "="
    error: str | None = None  # "#DIV/0!" etc.


@dataclass
class RawSheet:
    name: str
    state: str = "visible"
    cells: dict = field(default_factory=dict)  # "B12" -> RawCell
    merges: list = field(default_factory=list)
    validations: list = field(default_factory=list)  # dicts: sqref, type, operator, formula1
    protected: bool = False
    dimension: str = ""

    def value(self, addr: str):
        c = self.cells.get(addr)
        return c.value if c else None


@dataclass
class RawBook:
    path: str
    sheets: dict = field(default_factory=dict)  # name -> RawSheet (only those read)
    sheet_names: list = field(default_factory=list)  # every sheet, in order
    sheet_states: dict = field(default_factory=dict)
    structure_locked: bool = False
    has_vba: bool = False
    external_links: int = 0


def _col_index(letters: str) -> int:
    n = 0
    for ch in letters:
        n = n * 26 + (ord(ch) - 64)
    return n


def _dimension_size(ref: str) -> tuple[int, int]:
    parts = ref.split(":")
    last = _ADDR.match(parts[-1].upper())
    first = _ADDR.match(parts[0].upper())
    if not last or not first:
        return 0, 0
    rows = int(last.group(2)) - int(first.group(2)) + 1
    cols = _col_index(last.group(1)) - _col_index(first.group(1)) + 1
    return rows, cols


def sniff(path: Path) -> None:
    """Reject what is not an OOXML package, with a precise Chinese message."""
    try:
        size = path.stat().st_size
    except FileNotFoundError:
        raise UnreadableWorkbook(path, "文件不存在") from None
    if path.is_dir():
        raise UnreadableWorkbook(path, "这是一个文件夹，不是 Excel 文件")
    if size == 0:
        raise UnreadableWorkbook(path, "文件为空（0 字节），可能保存或传输失败，请重新获取")
    if size > MAX_FILE_BYTES:
        raise UnreadableWorkbook(path, f"文件过大（{size // 1024 // 1024} MB），不像是年度报告填报表")
    with open(path, "rb") as fh:
        head = fh.read(8)
        if head == OLE_MAGIC:
            fh.seek(0)
            blob = fh.read(min(size, 2_000_000))
            if "EncryptionInfo".encode("utf-16-le") in blob or b"EncryptedPackage" in blob \
                    or "EncryptedPackage".encode("utf-16-le") in blob:
                raise UnreadableWorkbook(
                    path, "工作簿设置了打开密码（已加密），无法读取。请在 Excel 中取消密码"
                          "（文件 → 信息 → 保护工作簿 → 用密码进行加密，清空密码）后重新报送")
            raise UnreadableWorkbook(
                path, "这是旧版 Excel 97-2003 格式（.xls），请用 Excel 另存为 .xlsx 后再处理，"
                      "最好直接使用 xxgk 模板填写")
    if head[:2] != b"PK":
        text_like = all(b == 9 or b == 10 or b == 13 or 32 <= b < 127 or b >= 128 for b in head)
        hint = "（看起来是文本或 CSV 文件被改了扩展名）" if text_like else ""
        raise UnreadableWorkbook(path, f"不是 Excel 工作簿文件{hint}，请使用 xxgk 模板填写后另存为 .xlsx")


def _check_zip(zf: zipfile.ZipFile, path: Path) -> None:
    total = 0
    for info in zf.infolist():
        total += info.file_size
        if info.file_size > 1_000_000 and info.compress_size > 0 \
                and info.file_size / info.compress_size > MAX_RATIO:
            raise UnreadableWorkbook(
                path, f"压缩包内“{info.filename}”的解压后大小异常（{info.file_size // 1024 // 1024} MB，"
                      f"压缩比 {info.file_size // max(info.compress_size, 1)}:1），疑似压缩炸弹，已拒绝读取")
        if total > MAX_TOTAL_BYTES:
            raise UnreadableWorkbook(path, "工作簿解压后总大小超过上限，疑似压缩炸弹，已拒绝读取")


def _read_member(zf: zipfile.ZipFile, name: str, path: Path) -> bytes:
    info = zf.getinfo(name)
    if info.file_size > MAX_MEMBER_BYTES:
        raise UnreadableWorkbook(path, f"“{name}”解压后过大（{info.file_size // 1024 // 1024} MB），已拒绝读取")
    with zf.open(info) as fh:
        data = fh.read(MAX_MEMBER_BYTES + 1)
    if len(data) > MAX_MEMBER_BYTES:
        raise UnreadableWorkbook(path, f"“{name}”解压后过大，已拒绝读取")
    return data


def _parse(data: bytes, name: str, path: Path):
    try:
        return fromstring(data)
    except DefusedXmlException:
        raise UnreadableWorkbook(
            path, f"“{name}”含有不安全的 XML 内容（实体声明或外部实体引用），已拒绝读取") from None
    except Exception:  # ParseError and friends
        raise UnreadableWorkbook(path, f"“{name}”的 XML 内容已损坏，无法读取") from None


def _rels(zf, part: str, path: Path) -> dict:
    d, base = posixpath.split(part)
    rel_name = posixpath.join(d, "_rels", base + ".rels")
    if rel_name not in zf.NameToInfo:
        return {}
    root = _parse(_read_member(zf, rel_name, path), rel_name, path)
    out = {}
    for r in root:
        target = r.get("Target", "")
        if r.get("TargetMode") == "External":
            out[r.get("Id")] = ("external", target, r.get("Type", ""))
            continue
        full = posixpath.normpath(posixpath.join(d, target)) if not target.startswith("/") \
            else target.lstrip("/")
        out[r.get("Id")] = ("internal", full, r.get("Type", ""))
    return out


def _shared_strings(zf, name: str, path: Path) -> list:
    root = _parse(_read_member(zf, name, path), name, path)
    out = []
    for si in root.iter(M + "si"):
        out.append("".join(t.text or "" for t in si.iter(M + "t")
                           if not _in_phonetic(si, t)))
    return out


def _in_phonetic(si, t) -> bool:
    # Phonetic runs (<rPh>) are not part of the text; cheap check by parent scan.
    for rph in si.iter(M + "rPh"):
        for x in rph.iter(M + "t"):
            if x is t:
                return True
    return False


def _number(text: str):
    try:
        f = float(text)
    except ValueError:
        return text
    if f.is_integer() and abs(f) < 2**53 and "e" not in text.lower() and "." not in text:
        return int(f)
    return f


def _parse_sheet(zf, part: str, sheet: RawSheet, strings: list, path: Path) -> None:
    data = _read_member(zf, part, path)
    # Cheap pre-check of the declared dimension before a full parse.
    m = re.search(rb'<(?:\w+:)?dimension[^>]*\sref="([^"]+)"', data[:4096])
    if m:
        sheet.dimension = m.group(1).decode("ascii", "replace")
        rows, cols = _dimension_size(sheet.dimension)
        if rows > MAX_ROWS or cols > MAX_COLS:
            raise UnreadableWorkbook(
                path, f"工作表尺寸异常（声明的范围为 {sheet.dimension}），不像是年度报告填报表，已拒绝读取",
                sheet=sheet.name)
    root = _parse(data, part, path)
    n = 0
    for c in root.iter(M + "c"):
        n += 1
        if n > MAX_CELLS:
            raise UnreadableWorkbook(path, "工作表中的单元格数量超过上限，已拒绝读取", sheet=sheet.name)
        addr = c.get("r")
        if not addr:
            continue
        t = c.get("t", "n")
        v = c.find(M + "v")
        f = c.find(M + "f")
        cell = RawCell()
        if f is not None:
            cell.formula = f.text or ("" if f.get("t") != "shared" else "<shared>")
        text = v.text if v is not None else None
        if t == "s":
            try:
                cell.value = strings[int(text)] if text is not None else None
            except (ValueError, IndexError):
                cell.value = None
        elif t == "inlineStr":
            is_ = c.find(M + "is")
            cell.value = "".join(x.text or "" for x in is_.iter(M + "t")) if is_ is not None else None
        elif t == "str":
            cell.value = text
        elif t == "b":
            cell.value = text == "1"
        elif t == "e":
            cell.error = text
        elif text is not None:
            cell.value = _number(text)
        if cell.value is None and cell.formula is None and cell.error is None:
            continue
        sheet.cells[addr] = cell
    for mc in root.iter(M + "mergeCell"):
        if mc.get("ref"):
            sheet.merges.append(mc.get("ref"))
    for dv in root.iter(M + "dataValidation"):
        f1 = dv.find(M + "formula1")
        sheet.validations.append({
            "sqref": dv.get("sqref", ""), "type": dv.get("type", "none"),
            "operator": dv.get("operator", "between"),
            "formula1": f1.text if f1 is not None else None,
        })
    # x14 extension validations (Excel writes list validations with sheet refs there)
    for dv in root.iter("{http://schemas.microsoft.com/office/spreadsheetml/2009/9/main}dataValidation"):
        sq = dv.find("{http://schemas.microsoft.com/office/excel/2006/main}sqref")
        sheet.validations.append({"sqref": sq.text if sq is not None else "",
                                  "type": dv.get("type", "none"),
                                  "operator": dv.get("operator", "between"), "formula1": None})
    sp = root.find(M + "sheetProtection")
    sheet.protected = sp is not None and sp.get("sheet") in ("1", "true")


def read_workbook(path: str | Path, sheets: set | None = None) -> RawBook:
    """Read the named ``sheets`` (all when None) of the workbook at ``path``."""
    path = Path(path)
    sniff(path)
    try:
        zf = zipfile.ZipFile(path)
    except zipfile.BadZipFile:
        raise UnreadableWorkbook(path, "文件已损坏（压缩包不完整或被截断），请重新获取原文件") from None
    except OSError as exc:
        raise UnreadableWorkbook(path, f"无法打开文件（{exc.strerror or exc}）") from None
    with zf:
        try:
            _check_zip(zf, path)
            return _read(zf, path, sheets)
        except (zipfile.BadZipFile, EOFError, zipfile.LargeZipFile, NotImplementedError, KeyError):
            raise UnreadableWorkbook(path, "文件已损坏（压缩包内容无法解压），请重新获取原文件") from None
        except (OSError, ValueError) as exc:  # zlib.error is a subclass of Exception
            raise UnreadableWorkbook(path, f"文件已损坏，无法解压（{type(exc).__name__}）") from None
        except Exception as exc:
            if isinstance(exc, UnreadableWorkbook):
                raise
            if type(exc).__name__ == "error":  # zlib.error
                raise UnreadableWorkbook(path, "文件已损坏，无法解压") from None
            raise


def _read(zf: zipfile.ZipFile, path: Path, wanted: set | None) -> RawBook:
    names = zf.NameToInfo
    if "[Content_Types].xml" not in names:
        raise UnreadableWorkbook(path, "压缩包不是 Excel 工作簿（缺少 [Content_Types].xml）")
    root_rels = _rels(zf, "", path) if "_rels/.rels" in names else {}
    wb_part = next((t for kind, t, typ in root_rels.values()
                    if kind == "internal" and typ.endswith("/officeDocument")), "xl/workbook.xml")
    if wb_part not in names:
        raise UnreadableWorkbook(path, "压缩包不是 Excel 工作簿（缺少 workbook.xml），"
                                       "可能是 Word/PowerPoint 文件或其他压缩包")
    book = RawBook(path=str(path))
    wb = _parse(_read_member(zf, wb_part, path), wb_part, path)
    rels = _rels(zf, wb_part, path)
    wp = wb.find(M + "workbookProtection")
    book.structure_locked = wp is not None and wp.get("lockStructure") in ("1", "true")
    book.has_vba = any(n.lower().endswith("vbaproject.bin") for n in names)
    book.external_links = sum(1 for n in names if n.startswith("xl/externalLinks/") and n.endswith(".xml"))
    strings: list = []
    for kind, target, typ in rels.values():
        if kind == "internal" and typ.endswith("/sharedStrings") and target in names:
            strings = _shared_strings(zf, target, path)
    sheets_el = wb.find(M + "sheets")
    for s in (sheets_el if sheets_el is not None else []):
        name = s.get("name", "")
        state = s.get("state", "visible")
        book.sheet_names.append(name)
        book.sheet_states[name] = state
        if wanted is not None and name not in wanted:
            continue
        rid = s.get("{%s}id" % NS_REL)
        rel = rels.get(rid)
        if not rel or rel[0] != "internal" or rel[1] not in names:
            continue  # chartsheet or broken reference: treated as missing
        if not rel[2].endswith("/worksheet"):
            continue
        sheet = RawSheet(name=name, state=state)
        _parse_sheet(zf, rel[1], sheet, strings, path)
        book.sheets[name] = sheet
    return book
