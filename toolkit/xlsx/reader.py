"""A small, guarded reader for untrusted .xlsx/.xlsm files.

Reads exactly what checking needs — cell values, formulas, merges, data
validations, sheet protection and states — straight from the package XML,
without evaluating anything.  Every input is treated as hostile:

* the file type is sniffed before unzipping (empty, CSV/text, legacy
  ``.xls`` and encrypted OOXML, which are both OLE compound files);
* the number of zip members is read from the end-of-central-directory
  record before the archive is opened (a million empty members would
  otherwise cost seconds and hundreds of MB in ``zipfile`` itself);
* zip members are size-checked *before* inflation (total size and
  compression ratio caps defeat zip bombs);
* XML is parsed with ``defusedxml`` with DTDs forbidden (no entity
  expansion, no external entities; Excel never writes a DTD);
* sheets and shared strings are parsed as a stream: the declared sheet
  dimension is checked as soon as it is seen, before any cell is read, and
  the number of cells and XML elements is capped while parsing, so memory
  stays bounded whatever the part holds.

See docs/security.md for every hostile input and the message it gets.

This is also much faster than loading the workbook with openpyxl, which
matters when a district merges thousands of files.
"""

from __future__ import annotations

import codecs
import posixpath
import io
import itertools
import re
import struct
import zipfile
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from xml.parsers import expat

from defusedxml import DefusedXmlException
from defusedxml.ElementTree import fromstring

from ..errors import UnreadableWorkbook
from .cellref import col_index as _col_index

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
# Parsing costs about 5 µs per XML element (defusedxml hooks the pure-Python
# parser), so the element budget is what bounds the time a hostile file can
# take: 300 000 elements ≈ 1.5 s.  A filled template has about 5 000.
MAX_CELLS = 50_000  # per sheet; a template sheet has fewer than 1 000
MAX_ELEMENTS = 300_000  # XML elements in shared strings and sheets, whole workbook
MAX_MEMBERS = 10_000  # zip members; the template has about 15
MAX_SMALL_PART_BYTES = 1024 * 1024  # workbook.xml, relationship parts
MAX_RANGES = 50_000  # data-validation ranges per sheet (after removing repeats)



@dataclass(frozen=True)
class Limits:
    """The caps of one read (see docs/security.md)."""

    rows: int = MAX_ROWS
    cols: int = MAX_COLS
    cells: int = MAX_CELLS
    elements: int = MAX_ELEMENTS
    member_bytes: int = MAX_MEMBER_BYTES
    total_bytes: int = MAX_TOTAL_BYTES


DEFAULT_LIMITS = Limits()
# Reading the 明细 sheet of a summary that ``merge`` wrote (``merge --previous``):
# 10,000 units × 224 columns ≈ 2.3 million cells, ≈ 70 MB of sheet XML.  Only
# that sheet is read, streamed row by row (see ``on_cells``).
SUMMARY_LIMITS = Limits(cells=3_000_000, elements=8_000_000, member_bytes=110 * 1024 * 1024,
                        total_bytes=160 * 1024 * 1024)

OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_EOCD = b"PK\x05\x06"
_EOCD64 = b"PK\x06\x06"
_ADDR = re.compile(r"^\$?([A-Z]{1,3})\$?(\d+)$")


@dataclass(slots=True)
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
    # A token naming the exact bytes of the part when they are kept in the
    # per-process part cache (the same token = the same contents), else None.
    origin: int | None = None

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
        if path.name.startswith("~$"):
            raise UnreadableWorkbook(
                path, "这是 Excel 打开工作簿时自动生成的临时锁定文件（文件名以 ~$ 开头），不是报告，"
                      "可以忽略；关闭 Excel 后它会自动消失")
        if head[:5] == b"%PDF-":
            raise UnreadableWorkbook(path, "这是 PDF 文件，不是 Excel 工作簿，请报送用 xxgk 模板填写的 .xlsx 文件")
        if head.lstrip(b"\xef\xbb\xbf \t\r\n")[:1] == b"<":
            raise UnreadableWorkbook(
                path, "这是网页或 XML 文件（可能是“另存为网页”或“XML 电子表格”），不是 .xlsx 工作簿，"
                      "请在 Excel 中另存为“Excel 工作簿（*.xlsx）”")
        text_like = all(b == 9 or b == 10 or b == 13 or 32 <= b < 127 or b >= 128 for b in head)
        hint = "（看起来是文本或 CSV 文件被改了扩展名）" if text_like else ""
        raise UnreadableWorkbook(path, f"不是 Excel 工作簿文件{hint}，请使用 xxgk 模板填写后另存为 .xlsx")


def _member_count(path: Path) -> int | None:
    """Number of zip members from the end-of-central-directory record, read
    without letting ``zipfile`` build its (unbounded) member list first."""
    size = path.stat().st_size
    with open(path, "rb") as fh:
        fh.seek(max(0, size - 65_557))  # EOCD (22 bytes) + max comment
        tail = fh.read()
    at = tail.rfind(_EOCD)
    if at < 0 or len(tail) < at + 22:
        return None  # zipfile reports the damage
    count = struct.unpack("<H", tail[at + 10:at + 12])[0]
    if count == 0xFFFF:  # Zip64: the real count is in the Zip64 EOCD record
        at64 = tail.rfind(_EOCD64, 0, at)
        if at64 >= 0 and len(tail) >= at64 + 40:
            count = struct.unpack("<Q", tail[at64 + 32:at64 + 40])[0]
    return count


def _check_zip(zf: zipfile.ZipFile, path: Path, limits: "Limits" = None) -> None:
    limits = limits or DEFAULT_LIMITS
    total = 0
    for info in zf.infolist():
        total += info.file_size
        if info.file_size > 1_000_000 and info.compress_size > 0 \
                and info.file_size / info.compress_size > MAX_RATIO:
            raise UnreadableWorkbook(
                path, f"压缩包内“{info.filename}”的解压后大小异常（{info.file_size // 1024 // 1024} MB，"
                      f"压缩比 {info.file_size // max(info.compress_size, 1)}:1），疑似压缩炸弹，已拒绝读取")
        if total > limits.total_bytes:
            raise UnreadableWorkbook(path, "工作簿解压后总大小超过上限，疑似压缩炸弹，已拒绝读取")


def _open_member(zf: zipfile.ZipFile, name: str, path: Path, limit: int = MAX_MEMBER_BYTES):
    """Open a member for streaming, after checking its declared size.

    ``zipfile`` never returns more than the declared size (a member whose
    data inflates further fails its CRC check), so the check bounds the read.
    """
    info = zf.getinfo(name)
    if info.file_size > limit:
        raise UnreadableWorkbook(path, f"“{name}”解压后过大（{info.file_size // 1024 // 1024} MB），已拒绝读取")
    return zf.open(info)


def _read_member(zf: zipfile.ZipFile, name: str, path: Path, limit: int = MAX_SMALL_PART_BYTES) -> bytes:
    with _open_member(zf, name, path, limit) as fh:
        data = fh.read(limit + 1)
    if len(data) > limit:
        raise UnreadableWorkbook(path, f"“{name}”解压后过大，已拒绝读取")
    return data


_UNSAFE_XML = "含有不安全的 XML 内容（DTD、实体声明或外部实体引用，正常的 Excel 文件中不会出现），已拒绝读取"


_BROKEN, _UNSAFE = object(), object()


@lru_cache(maxsize=64)
def _parse_small(data: bytes):
    # Cached: workbook.xml and the relationship parts are byte for byte the same
    # in every workbook made from the template (the elements are only read).
    return _parse_bytes(data)


def _parse_bytes(data: bytes):
    try:
        return fromstring(data, forbid_dtd=True)
    except DefusedXmlException:
        return _UNSAFE
    except Exception:  # ParseError and friends
        return _BROKEN


def _parse(data: bytes, name: str, path: Path):
    root = _parse_small(data) if len(data) <= 65536 else _parse_bytes(data)
    if root is _UNSAFE:
        raise UnreadableWorkbook(path, f"“{name}”{_UNSAFE_XML}")
    if root is _BROKEN:
        raise UnreadableWorkbook(path, f"“{name}”的 XML 内容已损坏，无法读取")
    return root


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


class _Budget:
    """One read: its limits, the XML element budget left (see MAX_ELEMENTS), and
    the optional sink that takes cells as they are read instead of the sheet."""

    def __init__(self, path: Path, limits: Limits = DEFAULT_LIMITS, on_cells=None):
        self.path, self.limits, self.on_cells = path, limits, on_cells
        self.left = self.limit = limits.elements

    def flush(self, sheet: "RawSheet") -> None:
        if self.on_cells is not None and sheet.cells:
            self.on_cells(sheet.name, sheet.cells)
            sheet.cells.clear()

    def spend(self, where: str, n: int = 1) -> None:
        self.left -= n
        if self.left < 0:
            raise UnreadableWorkbook(
                self.path, f"{where}内容过多（超过 {self.limit} 个 XML 元素），不像是年度报告填报表，已拒绝读取")


# ---------------------------------------------------------------------------
# Values
# ---------------------------------------------------------------------------

# What Excel and LibreOffice accept as the text of a number cell (xsd:double in
# ASCII): no "1_0" (Python's float() would read 10), no full-width digits, no
# nan/inf.  Anything else is not a number and reads as the error "#VALUE!".
_NUMBER = re.compile(r"[ \t\r\n]*[+-]?(?:[0-9]+\.?[0-9]*|\.[0-9]+)(?:[eE][+-]?[0-9]+)?[ \t\r\n]*\Z")
_INTEGER = re.compile(r"[ \t\r\n]*[+-]?[0-9]+[ \t\r\n]*\Z")
NOT_A_NUMBER = "#VALUE!"


def _number(text: str):
    """The value of a number cell's ``<v>``: int, float, or None when it is not a number."""
    if text.isascii() and text.isdigit() and len(text) < 16:  # the common case, fast
        return int(text)
    if _INTEGER.match(text):
        n = int(text)
        if abs(n) < 2**53:
            return n
        return float(n)
    if _NUMBER.match(text):
        f = float(text)
        if f != f or f in (float("inf"), float("-inf")):
            return None
        return f
    return None


_ESCAPE = re.compile(r"&(#[xX][0-9a-fA-F]+|#[0-9]+|amp|lt|gt|quot|apos);")
_NAMED = {"amp": "&", "lt": "<", "gt": ">", "quot": '"', "apos": "'"}


def _unescape_one(m) -> str:
    s = m.group(1)
    if s[0] != "#":
        return _NAMED[s]
    return chr(int(s[2:], 16) if s[1] in "xX" else int(s[1:]))


def _text(raw: str) -> str:
    """Character data of well-formed XML as the parser would give it: line ends
    normalised, then the five entities and character references replaced."""
    if "\r" in raw:
        raw = raw.replace("\r\n", "\n").replace("\r", "\n")
    if "&" in raw:
        return _unescape(raw)
    return raw


@lru_cache(maxsize=16384)
def _unescape(raw: str) -> str:
    # Cached: the template's labels (written as character references by some
    # writers) are the same in every workbook of a merge.
    return _ESCAPE.sub(_unescape_one, raw)


def _attr(raw: str) -> str:
    """An attribute value as the parser gives it (whitespace normalised to spaces)."""
    if "\t" in raw or "\n" in raw or "\r" in raw:
        raw = raw.replace("\r\n", " ").replace("\t", " ").replace("\n", " ").replace("\r", " ")
    return _ESCAPE.sub(_unescape_one, raw) if "&" in raw else raw


# ---------------------------------------------------------------------------
# Addresses and ranges
# ---------------------------------------------------------------------------

from .cellref import EXCEL_MAX_COL, EXCEL_MAX_ROW, col_letters, range_bounds, split_ref  # noqa: E402,F401


def _check_ranges(sheet: "RawSheet", path: Path, limits: Limits = DEFAULT_LIMITS) -> None:
    """Merged ranges must fit the sheet caps (a merge of the whole sheet would
    make openpyxl, used by --annotate, create 17 billion cells); validation
    ranges are de-duplicated and counted."""
    for ref in sheet.merges:
        b = range_bounds(ref)
        if b is None or b[2] > limits.cols or b[3] > limits.rows:
            raise UnreadableWorkbook(
                path, f"工作表“{sheet.name}”中的合并单元格范围异常（{ref[:40]}），不像是年度报告填报表，"
                      "已拒绝读取", sheet=sheet.name)
    parts = 0
    seen: dict = {}
    for dv in sheet.validations:
        sq = " ".join(dict.fromkeys((dv.get("sqref") or "").split()))
        parts += sq.count(" ") + 1 if sq else 0
        if parts > MAX_RANGES:
            raise UnreadableWorkbook(
                path, f"工作表“{sheet.name}”中的数据有效性范围过多（超过 {MAX_RANGES} 个），"
                      "不像是年度报告填报表，已拒绝读取", sheet=sheet.name)
        dv["sqref"] = sq
        key = (sq, dv.get("type"), dv.get("operator"), dv.get("formula1"))
        seen.setdefault(key, dv)
    if len(seen) < len(sheet.validations):
        sheet.validations = list(seen.values())


# ---------------------------------------------------------------------------
# Shared strings
# ---------------------------------------------------------------------------


class _Forbidden(Exception):
    """A DTD or entity declaration in untrusted XML."""


class _SlowPath(Exception):
    """The part is not in the plain form the fast path reads (see _Plain)."""


def _forbid(*_args):
    raise _Forbidden()


def _safe_expat():
    """An expat parser that refuses DTDs and entities (as defusedxml does)."""
    p = expat.ParserCreate(namespace_separator="}")
    p.StartDoctypeDeclHandler = _forbid
    p.EntityDeclHandler = _forbid
    p.UnparsedEntityDeclHandler = _forbid
    p.ExternalEntityRefHandler = _forbid
    p.SetParamEntityParsing(expat.XML_PARAM_ENTITY_PARSING_NEVER)
    p.buffer_text = True
    return p


_NS = NS_MAIN + "}"
_CHUNK = 1 << 20
_DECL = re.compile(r'<\?xml(?:\s+[\w:.-]+\s*=\s*(?:"[^"]*"|\'[^\']*\'))*\s*\?>')
_ENCODING = re.compile(r'encoding\s*=\s*["\']([^"\']*)')
_ROOT = re.compile(r'\s*<(\w+)((?:\s+[\w:.-]+\s*=\s*(?:"[^"]*"|\'[^\']*\'))*)\s*(/?)>')
_ATTRS = re.compile(r'([\w:.-]+)\s*=\s*(?:"([^"]*)"|\'([^\']*)\')')


def _attrs(text: str, keys=None) -> dict:
    """Attributes of a start tag (only ``keys`` when given, the others are not unescaped)."""
    return {k: _attr(a or b) for k, a, b in _ATTRS.findall(text) if keys is None or k in keys}


_DV_KEYS = frozenset(("sqref", "type", "operator"))


class _Plain:
    """Streams a part for the fast path, and proves it is plain enough for it.

    Every chunk goes through a C expat parser without Python element handlers
    (well-formedness, no DTD, no entities: the same guarantees as the slow
    path) and is checked for what the regular expressions of the fast path do
    not understand; on any of these ``_SlowPath`` is raised and the caller
    reads the part again with the slow (per-element handler) parser:

    * an encoding other than UTF-8, comments, CDATA, processing instructions;
    * a root element that is not ``root`` in the main namespace as the
      default namespace, or any later namespace declaration that re-binds the
      default namespace or binds the main namespace to a prefix.
    """

    def __init__(self, zf, name: str, path: Path, root: str, limit: int = MAX_MEMBER_BYTES,
                 data: bytes | None = None):
        # ``data``: the part already inflated (and size-checked) by the caller
        self.fh = io.BytesIO(data) if data is not None else _open_member(zf, name, path, limit)
        self.name, self.path, self.root = name, path, root
        self.expat = _safe_expat()
        self.decoder = codecs.getincrementaldecoder("utf-8")()
        self.first = True
        self.carry = ""

    def close(self):
        self.fh.close()

    def chunks(self):
        """Yield decoded text chunks (validated as they are read)."""
        try:
            while True:
                raw = self.fh.read(_CHUNK)
                self.expat.Parse(raw, not raw)
                if not raw:
                    return
                text = self.decoder.decode(raw)
                if self.first:
                    text = self._head(text)
                    self.first = False
                seen = self.carry + text  # what a chunk boundary splits is still found
                if "<!" in seen or "<?" in seen or "xmlns=" in seen or NS_MAIN in seen:
                    raise _SlowPath()
                self.carry = text[-80:]
                yield text
        except _Forbidden:
            raise UnreadableWorkbook(self.path, f"“{self.name}”{_UNSAFE_XML}") from None
        except expat.ExpatError:
            raise UnreadableWorkbook(self.path, f"“{self.name}”的 XML 内容已损坏，无法读取") from None
        except UnicodeDecodeError:
            raise _SlowPath() from None

    def _head(self, text: str) -> str:
        if text.startswith("\ufeff"):
            text = text[1:]
        m = _DECL.match(text)
        if m:
            enc = _ENCODING.search(m.group(0))
            if enc and enc.group(1).lower().replace("-", "") != "utf8":
                raise _SlowPath()
            text = text[m.end():]
        m = _ROOT.match(text)
        if not m or m.group(1) != self.root:
            raise _SlowPath()
        attrs = _attrs(m.group(2))
        if attrs.get("xmlns") != NS_MAIN or any(k.startswith("xmlns:") and v == NS_MAIN
                                                  for k, v in attrs.items()):
            raise _SlowPath()
        return text[m.end():] if not m.group(3) else ""


def _shared_strings(zf, name: str, path: Path, budget: _Budget) -> list:
    left = budget.left
    try:
        return _shared_strings_fast(zf, name, path, budget)
    except _SlowPath:
        budget.left = left
        return _shared_strings_slow(zf, name, path, budget)


_SI = re.compile(r"<si>([^<]*(?:<(?!/si>)[^<]*)*)</si>|<si/>")  # unrolled: no lazy .*?
_T = re.compile(r"<t(?:\s[^>]*)?>(.*?)</t>|<t(?:\s[^>]*)?/>", re.S)
_RPH = re.compile(r"<rPh[\s>].*?</rPh>|<rPh(?:\s[^>]*)?/>", re.S)


class _Memo(dict):
    """A bounded memo that keeps an entry only the second time its key is seen.

    What recurs in every workbook (the template's labels, totals and live checks)
    is kept after the second workbook; what occurs once (one unit's name, its 正文)
    is never kept, so a worker's memory stays flat over 10,000 workbooks.
    """

    def __init__(self, limit: int, seen_limit: int | None = None):
        super().__init__()
        self.limit = limit
        self.seen_limit = seen_limit or 4 * limit
        self.seen: set = set()  # hashes of the keys seen once

    def wanted(self, key) -> bool:
        """Note a sighting of ``key``; True from the second one on (keep it then)."""
        h = hash(key)
        if h in self.seen:
            return True
        if len(self.seen) >= self.seen_limit:
            self.seen.clear()
        self.seen.add(h)
        return False

    def store(self, key, value) -> None:
        if len(self) >= self.limit:
            self.clear()
        self[key] = value

    def keep(self, key, value) -> None:
        if self.wanted(key):
            self.store(key, value)


_SI_TEXTS = _Memo(20_000)  # shared-string item -> its text (the template's labels recur in every workbook)


def _si_text(inner: str) -> str:
    text = _SI_TEXTS.get(inner)
    if text is None:
        text = _si_text_of(inner)
        _SI_TEXTS.keep(inner, text)
    return text


def _si_text_of(inner: str) -> str:
    if "<rPh" in inner:  # phonetic runs are not part of the text (linear)
        inner = _RPH.sub("", inner)
    if inner.startswith("<t>") and inner.endswith("</t>") and inner.count("<") == 2:
        return _text(inner[3:-4])
    return _text("".join(_T.findall(inner)))


def _shared_strings_fast(zf, name: str, path: Path, budget: _Budget) -> list:
    out: list = []
    where = "工作簿的共享文本"
    plain = _Plain(zf, name, path, "sst", budget.limits.member_bytes)
    buf = ""
    try:
        for text in plain.chunks():
            budget.spend(where, text.count("<") - text.count("</"))
            buf += text
            cut = buf.rfind("</si>")
            if cut < 0:
                continue
            cut += 5
            out.extend(_si_text(m) if m else "" for m in _SI.findall(buf, 0, cut))
            buf = buf[cut:]
        out.extend(_si_text(m) if m else "" for m in _SI.findall(buf))
    finally:
        plain.close()
    return out


def _shared_strings_slow(zf, name: str, path: Path, budget: _Budget) -> list:
    """Any well-formed shared-string part, element by element (linear)."""
    out: list = []
    st = {"depth": 0, "rph": 0, "si": None, "t": None}

    def start(tag, attrs):
        budget.spend("工作簿的共享文本")
        if tag == _NS + "si":
            st["si"] = []
        elif tag == _NS + "rPh":
            st["rph"] += 1
        elif tag == _NS + "t" and st["si"] is not None and not st["rph"]:
            st["t"] = []

    def data(text):
        if st["t"] is not None:
            st["t"].append(text)

    def end(tag):
        if tag == _NS + "t" and st["t"] is not None:
            st["si"].append("".join(st["t"]))
            st["t"] = None
        elif tag == _NS + "rPh":
            st["rph"] -= 1
        elif tag == _NS + "si" and st["si"] is not None:
            out.append("".join(st["si"]))
            st["si"] = None

    _run_expat(zf, name, path, start, end, data, budget.limits.member_bytes)
    return out


def _run_expat(zf, name: str, path: Path, start, end, data, limit: int = MAX_MEMBER_BYTES) -> None:
    p = _safe_expat()
    p.StartElementHandler, p.EndElementHandler, p.CharacterDataHandler = start, end, data
    fh = _open_member(zf, name, path, limit)
    try:
        while True:
            chunk = fh.read(1 << 16)
            p.Parse(chunk, not chunk)
            if not chunk:
                break
    except _Forbidden:
        raise UnreadableWorkbook(path, f"“{name}”{_UNSAFE_XML}") from None
    except expat.ExpatError:
        raise UnreadableWorkbook(path, f"“{name}”的 XML 内容已损坏，无法读取") from None
    finally:
        fh.close()


# ---------------------------------------------------------------------------
# Worksheets
# ---------------------------------------------------------------------------


# Worksheet parts already read in this process, by their exact bytes: a part that
# needs nothing from outside itself (no shared-string cells) reads the same every
# time.  Workbooks written by xxgk (template, fill) share the bytes of every part
# but their data cells; the 校验 sheet (125 KB of formulas, no stored results) is
# the part this saves.  Excel and LibreOffice store each formula's result, so
# their parts differ and are read in full.
class _PartMemo(_Memo):
    """Parts are kept the second time they are read (most parts, a unit's own tables, are
    never seen again), up to 8 MB of part bytes in all."""

    def __init__(self, total: int):
        super().__init__(limit=total, seen_limit=200_000)
        self.size = 0

    def clear(self) -> None:
        super().clear()
        self.size = 0

    def store(self, key: bytes, value) -> None:
        if self.size + len(key) > self.limit:
            self.clear()
        self[key] = value
        self.size += len(key)


_PARTS = _PartMemo(8 * 1024 * 1024)
_PART_CACHE_BYTES = 512 * 1024  # largest part kept
_PART_TOKENS = itertools.count(1)


def _cached_part(zf, part: str, path: Path, budget: _Budget):
    """``(bytes, cached read or None)`` of a part small enough to cache, else ``(None, None)``."""
    if budget.on_cells is not None or budget.limits != DEFAULT_LIMITS:
        return None, None
    info = zf.NameToInfo.get(part)
    if info is None or info.file_size > _PART_CACHE_BYTES:
        return None, None
    data = _read_member(zf, part, path, _PART_CACHE_BYTES)
    return data, _PARTS.get(data)


def _remember_part(data: bytes, sheet: RawSheet, spent: int) -> None:
    if b' t="s"' in data:
        return  # its cells are indexes into this workbook's shared strings
    if _PARTS.wanted(data):
        sheet.origin = next(_PART_TOKENS)
        _PARTS.store(data, (dict(sheet.cells), tuple(sheet.merges), tuple(dict(dv) for dv in sheet.validations),
                            sheet.protected, sheet.dimension, spent, sheet.origin))


def _parse_sheet(zf, part: str, sheet: RawSheet, strings: list, path: Path, budget: _Budget) -> None:
    """Read one worksheet part into ``sheet``: the fast path for the plain form
    every spreadsheet program writes, the slow path for anything else."""
    left = budget.left
    data, known = _cached_part(zf, part, path, budget)
    if known is not None:
        cells, merges, validations, sheet.protected, sheet.dimension, spent, sheet.origin = known
        budget.spend(f"工作表“{sheet.name}”", spent)
        sheet.cells.update(cells)
        sheet.merges.extend(merges)
        sheet.validations.extend(dict(dv) for dv in validations)
        return
    try:
        _parse_sheet_fast(zf, part, sheet, strings, path, budget, data)
    except _SlowPath:
        budget.left = left
        sheet.cells.clear()
        sheet.merges.clear()
        sheet.validations.clear()
        sheet.dimension, sheet.protected = "", False
        _parse_sheet_slow(zf, part, sheet, strings, path, budget)
    budget.flush(sheet)
    _check_ranges(sheet, path, budget.limits)
    if data is not None:
        _remember_part(data, sheet, left - budget.left)


def _check_dimension(sheet: RawSheet, path: Path, limits: Limits = DEFAULT_LIMITS) -> None:
    rows, cols = _dimension_size(sheet.dimension)
    if rows > limits.rows or cols > limits.cols:
        raise UnreadableWorkbook(
            path, f"工作表“{sheet.name}”尺寸异常（声明的范围为 {sheet.dimension}），"
                  "不像是年度报告填报表，已拒绝读取", sheet=sheet.name)


def _too_many_cells(sheet: RawSheet, path: Path):
    return UnreadableWorkbook(path, f"工作表“{sheet.name}”中的单元格数量超过上限，已拒绝读取",
                              sheet=sheet.name)


_DIMENSION = re.compile(r'<dimension\s+ref\s*=\s*["\']([^"\']*)["\']')
def _tags(seg: str, tag: str) -> int:
    """How many elements ``tag`` start in ``seg`` (counted in C, no list built)."""
    return sum(seg.count(tag + end) for end in (" ", ">", "/", "\n", "\t", "\r"))
# A cell whose address comes first (every writer we know of puts it there).
# Attributes as every writer we know of writes them (one space, double quotes),
# the type captured when it follows the address and style; a cell written
# otherwise does not match and sends the part to the slow path.
_C = re.compile(r'<c r="([A-Z]{1,3}[1-9][0-9]{0,6})"(?: s="[0-9]+")?(?: t="([a-zA-Z]+)")?((?: [\w:.-]+="[^"]*")*)'
                r'(?:/>|><v>([0-9]{1,15})</v></c>|>([^<]*(?:<(?!/c>)[^<]*)*)</c>)')
# (a whole number's cell captured on its own, the commonest data cell; the inner
# part unrolled, no lazy .*?: together 2.5× faster than one lazy expression)
_TYPE = re.compile(r'\st\s*=\s*["\']([^"\']*)')
_F = re.compile(r'<f((?:\s+[\w:.-]+\s*=\s*(?:"[^"]*"|\'[^\']*\'))*)\s*(?:/>|>(.*?)</f>)', re.S)
_V = re.compile(r"<v(?:\s[^>]*)?>(.*?)</v>", re.S)
_IS = re.compile(r"<is(?:\s[^>]*)?>(.*?)</is>", re.S)
_MERGE = re.compile(r'<mergeCell\s+ref\s*=\s*["\']([^"\']*)["\']')
_PROTECTION = re.compile(r"<sheetProtection((?:\s+[\w:.-]+\s*=\s*(?:\"[^\"]*\"|'[^']*'))*)\s*/?>")
_DV = re.compile(r"<dataValidation((?:\s+[\w:.-]+\s*=\s*(?:\"[^\"]*\"|'[^']*'))*)\s*(?:/>|>(.*?)</dataValidation>)",
                 re.S)
_FORMULA1 = re.compile(r"<formula1(?:\s[^>]*)?>(.*?)</formula1>", re.S)


def _parse_sheet_fast(zf, part: str, sheet: RawSheet, strings: list, path: Path, budget: _Budget,
                      data: bytes | None = None) -> None:
    where = f"工作表“{sheet.name}”"
    cells = sheet.cells
    shared_formulas: dict = {}
    plain = _Plain(zf, part, path, "worksheet", budget.limits.member_bytes, data)
    state = "head"
    buf = ""
    n_cells = 0

    def take(seg: str) -> None:  # count, check and read a run of whole rows
        nonlocal n_cells
        budget.spend(where, seg.count("<") - seg.count("</"))
        # Inside sheetData only cells start with "<c": every one must be matched by
        # the expression (with its r), else the slow path reads the part.  Rows
        # need no r of their own when every cell has one.
        found = seg.count("<c")
        n_cells += found
        if n_cells > budget.limits.cells:
            raise _too_many_cells(sheet, path)
        if _fast_cells(seg, cells, strings, shared_formulas) != found:
            raise _SlowPath()  # a cell without r, or written in a form the expression does not know
        budget.flush(sheet)

    try:
        for text in plain.chunks():
            buf += text
            if state == "head":
                at = buf.find("<sheetData")
                if at < 0:
                    continue
                budget.spend(where, buf.count("<", 0, at) - buf.count("</", 0, at))
                m = _DIMENSION.search(buf, 0, at)
                if m:
                    sheet.dimension = _attr(m.group(1))
                    _check_dimension(sheet, path, budget.limits)
                buf = buf[at:]
                state = "rows"
            if state == "rows":
                end = buf.find("</sheetData>")
                cut = end if end >= 0 else buf.rfind("</row>")
                if cut < 0:
                    continue
                take(buf[:cut])
                buf = buf[cut:]
                if end >= 0:
                    state = "tail"
        if state == "head":  # no sheetData at all
            m = _DIMENSION.search(buf)
            if m:
                sheet.dimension = _attr(m.group(1))
                _check_dimension(sheet, path, budget.limits)
        elif state == "rows":
            take(buf)
            buf = ""
        budget.spend(where, buf.count("<") - buf.count("</"))
    finally:
        plain.close()
    if ":dataValidation" in buf:  # x14 validations (other namespace): the slow path reads them
        raise _SlowPath()
    protected, merges, validations = _sheet_tail(buf)
    sheet.protected = protected
    sheet.merges.extend(merges)
    sheet.validations.extend(dict(dv) for dv in validations)


@lru_cache(maxsize=64)
def _sheet_tail(buf: str) -> tuple:
    """Protection, merges and validations from the part after ``</sheetData>``.
    Cached: it is the same in every workbook made from the template."""
    protected = False
    at = buf.find("<sheetProtection")
    m = _PROTECTION.match(buf, at) if at >= 0 else None
    if at >= 0 and m is None:
        raise _SlowPath()
    if m:
        protected = _attrs(m.group(1), ("sheet",)).get("sheet") in ("1", "true")
    merges = tuple(_attr(r) for r in _MERGE.findall(buf) if r)
    if _tags(buf, "<dataValidation") != buf.count("<dataValidation "):
        raise _SlowPath()
    validations = []
    at = buf.find("<dataValidation ")
    while at >= 0:
        m = _DV.match(buf, at)
        if m is None:
            raise _SlowPath()
        at = buf.find("<dataValidation ", m.end())
        attrs, inner = m.group(1), m.group(2)
        a = _attrs(attrs, _DV_KEYS)
        f1 = _FORMULA1.search(inner) if inner else None
        validations.append({"sqref": a.get("sqref", ""), "type": a.get("type", "none"),
                            "operator": a.get("operator", "between"),
                            "formula1": (_text(f1.group(1)) or None) if f1 else None})
    return protected, merges, tuple(validations)


_INLINE = _Memo(20_000)  # inline-string cell content -> its text (the template's labels)


def _inline_text(inner: str) -> str:
    text = _INLINE.get(inner)
    if text is None:
        im = _IS.search(inner)
        text = _si_text(im.group(1)) if im else ""
        _INLINE.keep(inner, text)
    return text


# Formula and inline-string cells as read, by their matched text: the template's
# own cells (labels, totals, live checks) are the same in every workbook made from
# it.  Only cells that need no other part (no shared strings, no shared formula)
# are kept; the RawCell objects are shared and never changed after reading.
_READ_CELLS = _Memo(50_000)


def _fast_cells(seg: str, cells: dict, strings: list, shared_formulas: dict) -> int:
    """Read the cells of a run of whole rows; returns how many ``<c r="`` it matched."""
    found = _C.findall(seg)
    memo = _READ_CELLS
    for key in found:
        addr, t, rest, digits, inner = key
        if digits:
            if not rest and (not t or t == "n"):
                cells[addr] = RawCell(int(digits))
                continue
            inner = "<v>" + digits + "</v>"  # another type (a shared string's index …): as any cell
        elif not inner:
            continue
        known = memo.get(key)
        if known is not None:
            cells[addr] = known
            continue
        if ' t="' in rest:
            t = _TYPE.search(rest).group(1)
        if not t or t == "n":
            if inner.startswith("<v>") and inner.endswith("</v>") and inner.count("<") == 2:
                v = inner[3:-4]
                v = int(v) if v.isdigit() and v.isascii() and len(v) < 16 else _number(v)
                cells[addr] = RawCell(v) if v is not None else RawCell(None, None, NOT_A_NUMBER)
                continue
            t = "n"
        elif t == "s" and inner.startswith("<v>") and inner.endswith("</v>") and inner.count("<") == 2:
            try:
                v = strings[int(inner[3:-4])]
            except (ValueError, IndexError):
                v = None
            if v is not None:
                cells[addr] = RawCell(v)
            continue
        elif t == "inlineStr" and "<f" not in inner:
            text = _inline_text(inner)
            if text:
                cells[addr] = cell = RawCell(text)
                memo.keep(key, cell)
            continue
        v = runs = formula = shared = None
        if "<f" in inner:
            fm = _F.search(inner)
            if fm:
                fa = _attrs(fm.group(1), ("t", "si")) if fm.group(1) else {}
                formula = _text(fm.group(2)) if fm.group(2) is not None else None
                if fa.get("t") == "shared":
                    shared = fa.get("si", "")
                elif formula is None:
                    formula = ""
                inner = inner[:fm.start()] + inner[fm.end():]
        vm = _V.search(inner)
        if vm:
            v = _text(vm.group(1)) or None
        if t == "inlineStr":
            text = _inline_text(inner)
            runs = [text] if text else None
        _store_cell([addr, t, v, formula, runs or [], shared], cells, strings, shared_formulas)
        if shared is None and t != "s" and addr in cells:
            memo.keep(key, cells[addr])
    return len(found)


_LOCAL = {_NS + n: n for n in ("c", "v", "f", "t", "rPh", "dimension", "mergeCell", "dataValidation",
                               "formula1", "sheetProtection", "row", "is")}
_X14 = "http://schemas.microsoft.com/office/spreadsheetml/2009/9/main}dataValidation"
_XM = "http://schemas.microsoft.com/office/excel/2006/main}sqref"


def _parse_sheet_slow(zf, part: str, sheet: RawSheet, strings: list, path: Path, budget: _Budget) -> None:
    """Stream one worksheet part into ``sheet`` with per-element expat handlers.

    Reads any well-formed worksheet (prefixed namespaces, comments, cells and
    rows without the optional ``r``, which are positioned by order as Excel
    does).  Memory stays bounded (nothing but the current cell is kept), the
    declared dimension is checked as soon as its element starts (before any
    cell), and the element and cell budgets are enforced while parsing.
    """
    where = f"工作表“{sheet.name}”"
    st = {"cells": 0, "cell": None, "buf": None, "dv": None, "rph": 0, "row": 0, "col": 0}
    cells = sheet.cells
    shared_formulas: dict = {}  # si -> (anchor address, formula text)

    def start(name, attrs):
        budget.left -= 1
        if budget.left < 0:
            budget.spend(where)  # raises with the message
        local = _LOCAL.get(name)
        if local == "c":
            st["cells"] += 1
            if st["cells"] > budget.limits.cells:
                raise _too_many_cells(sheet, path)
            pos = split_ref(attrs.get("r") or "")
            if pos is None:  # no (or no valid) address: the cell after the previous one
                pos = (st["col"] + 1, max(st["row"], 1))
            st["col"], st["row"] = pos
            addr = f"{col_letters(pos[0])}{pos[1]}" if pos[0] <= EXCEL_MAX_COL else None
            st["cell"] = [addr, attrs.get("t", "n"), None, None, [], None]
        elif local == "row":
            r = attrs.get("r")
            st["row"] = int(r) if r and r.isdigit() and 0 < int(r) <= EXCEL_MAX_ROW else st["row"] + 1
            st["col"] = 0
            if budget.on_cells is not None and len(cells) > 5000:
                budget.flush(sheet)
        elif st["cell"] is not None:
            if local == "v":
                st["buf"] = []
            elif local == "f":
                st["buf"] = []
                if attrs.get("t") == "shared":
                    st["cell"][5] = attrs.get("si", "")
            elif local == "rPh":
                st["rph"] += 1
            elif local == "t" and not st["rph"]:
                st["buf"] = []
        elif local == "dimension" and attrs.get("ref"):
            sheet.dimension = attrs["ref"]
            _check_dimension(sheet, path, budget.limits)
        elif local == "mergeCell":
            if attrs.get("ref"):
                sheet.merges.append(attrs["ref"])
        elif local == "dataValidation":
            st["dv"] = {"sqref": attrs.get("sqref", ""), "type": attrs.get("type", "none"),
                        "operator": attrs.get("operator", "between"), "formula1": None}
        elif local == "formula1" and st["dv"] is not None:
            st["buf"] = []
        elif name == _X14:
            st["dv"] = {"sqref": "", "type": attrs.get("type", "none"),
                        "operator": attrs.get("operator", "between"), "formula1": None, "x14": True}
        elif name == _XM and st["dv"] is not None:
            st["buf"] = []
        elif local == "sheetProtection":
            sheet.protected = attrs.get("sheet") in ("1", "true")

    def text(data):
        if st["buf"] is not None:
            st["buf"].append(data)

    def end(name):
        local = _LOCAL.get(name)
        cell = st["cell"]
        if cell is not None:
            if local == "v" and st["buf"] is not None:
                cell[2] = "".join(st["buf"]) or None
                st["buf"] = None
            elif local == "f" and st["buf"] is not None:
                cell[3] = "".join(st["buf"])
                st["buf"] = None
            elif local == "t" and st["buf"] is not None:
                cell[4].append("".join(st["buf"]))
                st["buf"] = None
            elif local == "rPh":
                st["rph"] -= 1
            elif local == "c":
                _store_cell(cell, cells, strings, shared_formulas)
                st["cell"] = None
            return
        if local == "formula1" and st["dv"] is not None and st["buf"] is not None:
            st["dv"]["formula1"] = "".join(st["buf"]) or None
            st["buf"] = None
        elif name == _XM and st["dv"] is not None and st["buf"] is not None:
            st["dv"]["sqref"] = "".join(st["buf"]) or ""
            st["buf"] = None
        elif (local == "dataValidation" or name == _X14) and st["dv"] is not None:
            dv = st["dv"]
            dv.pop("x14", None)
            sheet.validations.append(dv)
            st["dv"] = None

    _run_expat(zf, part, path, start, end, text, budget.limits.member_bytes)


def _shared_formula(addr: str, si: str, text: str | None, shared_formulas: dict) -> str:
    """The formula of a cell in a shared-formula group (Excel writes the text once,
    in the group's first cell; the others get it shifted to their own position)."""
    if text:
        shared_formulas[si] = (addr, text)
        return text
    anchor = shared_formulas.get(si)
    if anchor is None:
        return "<shared>"
    from openpyxl.formula.translate import Translator  # only for files Excel filled down
    try:
        return Translator("=" + anchor[1], origin=anchor[0]).translate_formula(addr).lstrip("=")
    except Exception:  # an unparsable formula: keep the marker, tamper checks report it
        return "<shared>"


def _store_cell(cell: list, cells: dict, strings: list, shared_formulas: dict) -> None:
    addr, t, text, formula, runs, shared = cell
    if not addr:
        return
    out = RawCell()
    if shared is not None:
        out.formula = _shared_formula(addr, shared, formula, shared_formulas)
    elif formula is not None:
        out.formula = formula
    if t == "s":
        try:
            out.value = strings[int(text)] if text is not None else None
        except (ValueError, IndexError):
            out.value = None
    elif t == "inlineStr":
        out.value = "".join(runs) if runs else None
    elif t == "str":
        out.value = text
    elif t == "b":
        out.value = text == "1"
    elif t == "e":
        out.error = text
    elif text is not None:
        out.value = _number(text)
        if out.value is None:
            out.error = NOT_A_NUMBER
    if out.value is None and out.formula is None and out.error is None:
        return
    cells[addr] = out


def read_workbook(path: str | Path, sheets: set | None = None, limits: Limits = DEFAULT_LIMITS,
                  on_cells=None) -> RawBook:
    """Read the named ``sheets`` (all when None) of the workbook at ``path``.

    With ``on_cells(sheet name, {address: RawCell})`` the cells are handed over
    in runs of whole rows as they are read and not kept in the sheets (memory
    stays flat for a large sheet); a run may be handed over again when a part
    is re-read by the slow path, so the sink must be idempotent.
    """
    path = Path(path)
    sniff(path)
    try:
        members = _member_count(path)
    except OSError as exc:
        raise UnreadableWorkbook(path, f"无法打开文件（{exc.strerror or exc}）") from None
    if members is not None and members > MAX_MEMBERS:
        raise UnreadableWorkbook(
            path, f"压缩包内文件数量异常（{members} 个），不像是年度报告填报表，已拒绝读取")
    try:
        zf = zipfile.ZipFile(path)
    except (zipfile.BadZipFile, NotImplementedError):  # NotImplementedError: a forged "version needed"
        raise UnreadableWorkbook(path, "文件已损坏（压缩包不完整或被截断），请重新获取原文件") from None
    except OSError as exc:
        raise UnreadableWorkbook(path, f"无法打开文件（{exc.strerror or exc}）") from None
    with zf:
        return read_zip(zf, path, sheets, limits, on_cells)


def read_zip(zf: zipfile.ZipFile, path: str | Path, sheets: set | None = None,
             limits: Limits = DEFAULT_LIMITS, on_cells=None) -> RawBook:
    """:func:`read_workbook` of a workbook already opened as ``zf`` (e.g. a zip
    member held in memory); ``path`` names it in messages.  Same caps and guards."""
    path = Path(path)
    try:
        _check_zip(zf, path, limits)
        return _read(zf, path, sheets, _Budget(path, limits, on_cells))
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


_OTHER_OFFICE = {"word": "Word 文档", "ppt": "PowerPoint 演示文稿"}


def _read(zf: zipfile.ZipFile, path: Path, wanted: set | None, budget: _Budget) -> RawBook:
    names = zf.NameToInfo
    if "[Content_Types].xml" not in names:
        raise UnreadableWorkbook(path, "压缩包不是 Excel 工作簿（缺少 [Content_Types].xml）")
    root_rels = _rels(zf, "", path) if "_rels/.rels" in names else {}
    wb_part = next((t for kind, t, typ in root_rels.values()
                    if kind == "internal" and typ.endswith("/officeDocument")), "xl/workbook.xml")
    other = _OTHER_OFFICE.get(wb_part.split("/", 1)[0])
    if other:
        raise UnreadableWorkbook(path, f"这是 {other}，不是 Excel 工作簿，请报送用 xxgk 模板填写的 .xlsx 文件")
    if wb_part not in names:
        raise UnreadableWorkbook(path, "压缩包不是 Excel 工作簿（缺少 workbook.xml），"
                                       "可能是 Word/PowerPoint 文件或其他压缩包")
    book = RawBook(path=str(path))
    wb = _parse(_read_member(zf, wb_part, path), wb_part, path)
    if wb.tag != M + "workbook":
        raise UnreadableWorkbook(path, "压缩包不是 Excel 工作簿（workbook.xml 内容不符），"
                                       "可能是其他软件生成的文件")
    rels = _rels(zf, wb_part, path)
    wp = wb.find(M + "workbookProtection")
    book.structure_locked = wp is not None and wp.get("lockStructure") in ("1", "true")
    book.has_vba = any(n.lower().endswith("vbaproject.bin") for n in names)
    book.external_links = sum(1 for n in names if n.startswith("xl/externalLinks/") and n.endswith(".xml"))
    strings: list = []
    for kind, target, typ in rels.values():
        if kind == "internal" and typ.endswith("/sharedStrings") and target in names:
            strings = _shared_strings(zf, target, path, budget)
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
        _parse_sheet(zf, rel[1], sheet, strings, path, budget)
        book.sheets[name] = sheet
    return book
