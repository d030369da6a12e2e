"""The district's inbox: every file of a merge folder, in every form units send.

:func:`discover_inbox` lists what is in the folder (subfolders included by
default) as :class:`Entry` items — one per file, and one per member of a
``.zip`` archive (``压缩包名/成员名``).  Only Office lock files (``~$…``),
hidden and system files are left out, and they are listed too
(:attr:`Inbox.ignored`), so a merge can account for everything it was given.

:func:`load_report` turns one entry into a :class:`~toolkit.engine.report.Report`
(worker side), whatever its form:

* ``.xlsx``/``.xlsm`` — the guarded reader; zip members are read in memory
  with the same bomb caps as workbooks on disk;
* ``.xls``/``.xlsb``/``.ods``/``.et`` — values read with python-calamine;
  sheets laid out like the template are checked like a template (formulas,
  protection and validations cannot be verified: one 提示 says so), other
  layouts go through the any-layout reader of ``import``;
* Word, PDF, HTML and text reports — through the published-report importer
  (one adapter, :func:`import_adapter`), marked 由报告导入 with its notes.
"""

from __future__ import annotations

import io
import os
import tempfile
import time
import zipfile
from dataclasses import dataclass, field
from pathlib import Path

from ..errors import UnreadableWorkbook, XxgkError

WORKBOOK_FORMS = (".xlsx", ".xlsm")
SHEET_FORMS = (".xls", ".xlsb", ".ods", ".et")  # read with python-calamine
# through the importer (toolkit.publish.importer.import_report; .doc needs LibreOffice)
DOCUMENT_FORMS = (".docx", ".doc", ".txt", ".md", ".htm", ".html", ".shtml", ".xhtml", ".mht", ".pdf")
OLD_DOCUMENT_FORMS = (".wps", ".rtf")  # word processors the importer does not read: save as .docx first
ARCHIVE_FORMS = (".zip",)
OTHER_ARCHIVES = (".rar", ".7z", ".tar", ".gz", ".tgz", ".bz2", ".xz")
SYSTEM_FILES = ("thumbs.db", "desktop.ini", ".ds_store")

MAX_ARCHIVE_MEMBERS = 1000  # files in one .zip a unit sends
MAX_MEMBER_FILE_BYTES = 50 * 1024 * 1024  # same as a workbook file on disk
MAX_MEMBER_RATIO = 200

# Next steps, in the words of the terminal summary and 问题清单.
STEP_SAVE_XLSX = "请用 Excel 或 WPS 打开后另存为 .xlsx，再重新汇总"
STEP_IMPORT = ("如是年度报告，请用 xxgk import 导入为模板工作簿并核对后放入文件夹（或请报送单位用 xxgk 模板"
               "填写）；如不是，请移出文件夹")
STEP_SAVE_DOCX = "请用 Word 或 WPS 另存为 .docx（或用 xxgk import 导入），再重新汇总"
STEP_UNZIP = "请解压后把其中的报告放入文件夹，再重新汇总"
STEP_REMOVE_DUP = "请删除重复的文件（只保留正确的一份），再重新汇总"
STEP_REFETCH = "请向报送单位重新索取原文件"
STEP_REMOVE = "如不是年度报告，请移出文件夹"
STEP_TEMPLATE = "请让报送单位用 xxgk 模板重新填写，或用 xxgk import 导入"


@dataclass(frozen=True)
class Entry:
    """One thing found in the folder."""

    path: str  # the file on disk (the archive, for a member)
    label: str  # as shown to the user: path relative to the folder, or 压缩包/成员
    member: str = ""  # member name inside the archive ("" for a file on disk)
    error: str = ""  # known without reading it (nested archive, damaged archive)
    next_step: str = ""
    mtime: float = 0.0

    @property
    def suffix(self) -> str:
        return Path(self.member or self.path).suffix.lower()

    @property
    def key(self) -> str:
        return f"{self.path}::{self.member}" if self.member else self.path


@dataclass
class Inbox:
    folder: str
    entries: list = field(default_factory=list)  # Entry
    ignored: list = field(default_factory=list)  # (label, reason): lock, hidden, system files


def _member_name(info: zipfile.ZipInfo) -> str:
    """Archives made on Chinese Windows store GBK names without the UTF-8 flag."""
    name = info.filename
    if info.flag_bits & 0x800:
        return name
    try:
        return name.encode("cp437").decode("gbk")
    except (UnicodeEncodeError, UnicodeDecodeError):
        return name


def _ignored_reason(name: str) -> str:
    if name.startswith("~$"):
        return "Office 打开文件时留下的临时锁定文件"
    if name.startswith(".") or name.lower() in SYSTEM_FILES or name.startswith("__MACOSX"):
        return "隐藏文件或系统文件"
    return ""


def _expand_archive(path: Path, label: str, mtime: float, inbox: Inbox) -> None:
    try:
        with zipfile.ZipFile(path) as zf:
            infos = zf.infolist()
            if len(infos) > MAX_ARCHIVE_MEMBERS:
                raise zipfile.BadZipFile("too many members")
            members = [(i, _member_name(i)) for i in infos if not i.is_dir()]
    except (zipfile.BadZipFile, OSError, ValueError, NotImplementedError):
        inbox.entries.append(Entry(str(path), label, error="压缩包已损坏或无法打开（或其中文件数量异常）",
                                   next_step=STEP_UNZIP, mtime=mtime))
        return
    if not members:
        inbox.entries.append(Entry(str(path), label, error="压缩包是空的", next_step=STEP_REMOVE,
                                   mtime=mtime))
        return
    for info, name in sorted(members, key=lambda m: m[1]):
        mlabel = f"{label}/{name}"
        base = name.rsplit("/", 1)[-1]
        reason = _ignored_reason(base) or ("隐藏文件或系统文件" if "__MACOSX/" in name else "")
        if reason:
            inbox.ignored.append((mlabel, reason))
            continue
        suffix = Path(base).suffix.lower()
        try:
            mt = time.mktime(info.date_time + (0, 0, -1))
        except (OverflowError, ValueError):
            mt = mtime
        if suffix in ARCHIVE_FORMS + OTHER_ARCHIVES:
            inbox.entries.append(Entry(str(path), mlabel, member=info.filename,
                                       error="压缩包中的压缩包不会展开", next_step=STEP_UNZIP, mtime=mt))
        else:
            inbox.entries.append(Entry(str(path), mlabel, member=info.filename, mtime=mt))


def discover_inbox(folder: str | Path, recurse: bool = True, exclude=()) -> Inbox:
    """Everything in ``folder`` (and its subfolders unless ``recurse`` is False)."""
    folder = Path(folder)
    if not folder.exists():
        raise XxgkError(f"文件夹不存在：{folder}")
    if not folder.is_dir():
        raise XxgkError(f"不是文件夹：{folder}（请给出存放各单位报告的文件夹）")
    excluded = {}
    for p, why in exclude:
        if p:
            excluded[Path(p).resolve()] = why
    inbox = Inbox(folder=str(folder))
    for dirpath, dirnames, filenames in os.walk(folder):
        here = Path(dirpath)
        rel_dir = here.relative_to(folder)
        kept = []
        for d in sorted(dirnames):
            reason = _ignored_reason(d)
            if reason:
                inbox.ignored.append(((rel_dir / d).as_posix() + "/", reason))
            elif not recurse:
                inbox.ignored.append(((rel_dir / d).as_posix() + "/", "子文件夹（使用了 --no-recurse）"))
            else:
                kept.append(d)
        dirnames[:] = kept
        for name in sorted(filenames):
            p = here / name
            label = (rel_dir / name).as_posix()
            reason = _ignored_reason(name)
            if not reason and p.resolve() in excluded:
                reason = excluded[p.resolve()]
            if reason:
                inbox.ignored.append((label, reason))
                continue
            try:
                mtime = p.stat().st_mtime
            except OSError:
                mtime = 0.0
            suffix = p.suffix.lower()
            if suffix in ARCHIVE_FORMS:
                _expand_archive(p, label, mtime, inbox)
            elif suffix in OTHER_ARCHIVES:
                inbox.entries.append(Entry(str(p), label, error=f"{suffix} 压缩包无法直接读取",
                                           next_step=STEP_UNZIP, mtime=mtime))
            else:
                inbox.entries.append(Entry(str(p), label, mtime=mtime))
    inbox.entries.sort(key=lambda e: e.label)
    return inbox


# ---------------------------------------------------------------------------
# Reading one entry (worker side)
# ---------------------------------------------------------------------------


def read_member(entry: Entry) -> bytes:
    """The bytes of an archive member, after the same size and ratio caps as workbooks."""
    label = Path(entry.label)
    try:
        with zipfile.ZipFile(entry.path) as zf:
            info = zf.getinfo(entry.member)
            if info.file_size > MAX_MEMBER_FILE_BYTES:
                raise UnreadableWorkbook(label, f"解压后过大（{info.file_size // 1024 // 1024} MB），已拒绝读取")
            if info.file_size > 1_000_000 and info.compress_size > 0 \
                    and info.file_size / info.compress_size > MAX_MEMBER_RATIO:
                raise UnreadableWorkbook(label, "解压后大小异常，疑似压缩炸弹，已拒绝读取")
            with zf.open(info) as fh:
                data = fh.read(MAX_MEMBER_FILE_BYTES + 1)
    except (zipfile.BadZipFile, OSError, KeyError, NotImplementedError, EOFError):
        raise UnreadableWorkbook(label, "压缩包中的这个文件无法解压（压缩包损坏或加密）") from None
    except RuntimeError:  # encrypted member
        raise UnreadableWorkbook(label, "压缩包加了密码，无法解压") from None
    if len(data) > MAX_MEMBER_FILE_BYTES:
        raise UnreadableWorkbook(label, "解压后过大，已拒绝读取")
    return data


def _workbook_from_bytes(data: bytes, label: str):
    """A RawBook from workbook bytes held in memory, with the reader's caps."""
    from ..xlsx import reader as R
    from ..engine.report import wanted_sheets
    path = Path(label)
    if not data:
        raise UnreadableWorkbook(path, "文件是空的（0 字节）")
    if data[:8] == R.OLE_MAGIC:
        raise UnreadableWorkbook(path, "是加密的工作簿或旧版 .xls 文件（扩展名被改成了 .xlsx），无法读取")
    if data[:2] != b"PK":
        raise UnreadableWorkbook(path, "不是 Excel 工作簿（文件内容不是 .xlsx 格式）")
    try:
        zf = zipfile.ZipFile(io.BytesIO(data))
    except zipfile.BadZipFile:
        raise UnreadableWorkbook(path, "文件已损坏（压缩包不完整或被截断），请重新获取原文件") from None
    with zf:
        if len(zf.infolist()) > R.MAX_MEMBERS:
            raise UnreadableWorkbook(path, "压缩包内文件数量异常，不像是年度报告填报表，已拒绝读取")
        try:
            return R.read_zip(zf, path, wanted_sheets())
        except UnreadableWorkbook:
            raise
        except Exception:  # noqa: BLE001 — zlib/zip damage of every kind
            raise UnreadableWorkbook(path, "文件已损坏（压缩包内容无法解压），请重新获取原文件") from None


def _calamine_value(v):
    import datetime as _dt
    if isinstance(v, float) and v.is_integer() and abs(v) < 1e15:
        return int(v)
    if isinstance(v, (_dt.datetime, _dt.date)):
        return v.strftime("%Y年%m月%d日") if isinstance(v, _dt.date) else str(v)
    if isinstance(v, _dt.time):
        return str(v)
    if isinstance(v, _dt.timedelta):
        return str(v)
    return v


def calamine_book(data: bytes | None, path: str, label: str):
    """Values of every sheet of an .xls/.xlsb/.ods/.et file as a RawBook (no formulas)."""
    from python_calamine import CalamineWorkbook
    from ..xlsx import reader as R
    where = Path(label)
    try:
        if data is None:
            if os.path.getsize(path) > R.MAX_FILE_BYTES:
                raise UnreadableWorkbook(where, "文件过大，已拒绝读取")
            data = Path(path).read_bytes()
        if data[:2] == b"PK":  # .ods, .xlsb, OOXML .et: the workbook bomb caps before calamine inflates
            with zipfile.ZipFile(io.BytesIO(data)) as zf:
                if len(zf.infolist()) > R.MAX_MEMBERS:
                    raise UnreadableWorkbook(where, "压缩包内文件数量异常，不像是年度报告填报表，已拒绝读取")
                R._check_zip(zf, where)
        # from bytes, calamine recognises the format by its content, not the extension
        # (WPS .et files are BIFF or OOXML inside)
        wb = CalamineWorkbook.from_filelike(io.BytesIO(data))
    except UnreadableWorkbook:
        raise
    except Exception as exc:  # noqa: BLE001 — calamine raises its own error types
        text = str(exc).lower()
        if "password" in text or "encrypt" in text:
            raise UnreadableWorkbook(where, "工作簿设置了打开密码，无法读取，请取消密码后另存为 .xlsx") from None
        raise UnreadableWorkbook(where, "无法读取（文件损坏，或不是它的扩展名所说的表格格式）") from None
    book = R.RawBook(path=label)
    cells_total = 0
    for meta in wb.sheets_metadata:
        name = meta.name
        visible = str(meta.visible).lower()
        state = "visible" if visible.endswith("visible") and "hidden" not in visible else (
            "veryHidden" if "very" in visible else "hidden")
        book.sheet_names.append(name)
        book.sheet_states[name] = state
        try:
            sheet = wb.get_sheet_by_name(name)
        except Exception:  # noqa: BLE001 — chart sheets and the like
            continue
        if sheet.total_height > R.MAX_ROWS or sheet.total_width > R.MAX_COLS:
            raise UnreadableWorkbook(where, f"工作表“{name}”的行列数异常（{sheet.total_height} 行），已拒绝读取")
        raw = R.RawSheet(name=name, state=state)
        from openpyxl.utils.cell import get_column_letter
        for r, row in enumerate(sheet.to_python(skip_empty_area=False), start=1):
            for c, v in enumerate(row, start=1):
                if v is None or v == "":
                    continue
                cells_total += 1
                if cells_total > R.MAX_CELLS * 4:
                    raise UnreadableWorkbook(where, "单元格数量异常，已拒绝读取")
                raw.cells[f"{get_column_letter(c)}{r}"] = R.RawCell(value=_calamine_value(v))
        book.sheets[name] = raw
    return book


def is_template_book(book) -> bool:
    from ..engine.report import META_SHEET
    return META_SHEET in book.sheets


def template_from_values(book):
    """Make a values-only book of the template layout checkable like a template.

    Formulas (totals and the template's live checks), protection, merged cells
    and data validations are not in the values calamine reads, so they are taken
    as the template has them (and a 提示 says they could not be verified).  A total whose stored value is not
    the sum of its items was typed over: it is kept as a typed value, which
    the checks report as in any workbook.
    """
    from ..engine.report import _meta
    from ..spec import EDITIONS, get_edition
    meta = _meta(book)
    edition = str(meta.get("edition") or "")
    typed: dict = {}
    if edition not in EDITIONS:
        return book, typed
    ed = get_edition(edition)
    for lay in ed.layouts:
        sheet = book.sheets.get(lay.name)
        if sheet is None:
            continue
        sheet.merges = list(lay.merges)
        sheet.protected = True
        for addr, lc in lay.cells.items():  # the template's own live-check formulas
            if not lc.cell_id and isinstance(lc.value, str) and lc.value.startswith("="):
                sheet.cells[addr] = _formula_cell(lc.value[1:])
        addrs = [c.address for c in ed.cells if c.sheet == lay.name and c.kind != "total"]
        sheet.validations = [{"sqref": " ".join(addrs), "type": "any"}]
    for c in ed.cells:
        if c.kind != "total":
            continue
        sheet = book.sheets.get(c.sheet)
        if sheet is None:
            continue
        typed[c.id] = sheet.cells.get(c.address)
        formula = str(ed.layout(next(l.key for l in ed.layouts if l.name == c.sheet)).cells[c.address].value)
        sheet.cells[c.address] = _formula_cell(formula.lstrip("="))
    return book, typed


def _formula_cell(formula: str):
    from ..xlsx.reader import RawCell
    return RawCell(value=None, formula=formula)


# ---------------------------------------------------------------------------
# The published-report importer, behind one adapter
# ---------------------------------------------------------------------------


def import_adapter(data: bytes | None, path: str, filename: str, book=None):
    """Recognise a published report (Word, PDF, HTML, text, an own-layout workbook), or the
    sheets of a values-only ``book`` (an .xls/.ods that is not the template).

    The single place ``merge`` calls the importer (``import_report``, path or bytes).
    Returns its ``ImportResult``; raises :class:`XxgkError` when nothing usable is found.
    """
    from ..publish import importer
    if book is not None:
        res = _import_book(book, filename)
    else:
        res = importer.import_report(data if data is not None else path, filename=filename)
    if not res.usable:
        raise XxgkError(f"{filename}：没有找到年度报告的内容（既没有表二至表四，也没有正文章节）")
    return res


def _import_book(book, name: str):
    """``import_report`` for a workbook already read (by calamine): the same steps on its blocks.
    (The importer takes a path or bytes; an .xls is neither a format it sniffs nor one we
    want converted, so its recognition steps are called here on the sheets' blocks.)"""
    from ..publish import importer
    from ..publish.sources import Document
    from ..publish.sources.chinese import to_simplified
    from ..publish.sources.xlsx import blocks_from_book as import_blocks
    doc = Document(import_blocks(book, name), kind="xlsx")
    to_simplified(doc)
    found = {k: v for k, v in importer._info_rows(doc.blocks).items() if v not in (None, "")}
    year = found.get("year") if isinstance(found.get("year"), int) else None
    res = importer.recognise(doc, name, unit=found.get("unit_name") or "", year=year)
    res.info = {"unit_name": res.unit, "unit_type": found.get("unit_type") or importer.unit_type_of(res.unit),
                "county": "", "year": res.year}
    res.info.update({k: v for k, v in found.items() if k not in res.info or not res.info[k]})
    return res


def report_from_import(imp, label: str):
    """The Report a filled template of the imported values reads as (the same checks as import → check)."""
    from ..engine.report import read_report
    from ..publish.importer import write_workbook
    with tempfile.TemporaryDirectory(prefix="xxgk-inbox-") as d:
        p = Path(d) / "imported.xlsx"
        write_workbook(imp, p, force=True)
        rep = read_report(p)
    rep.path = label
    return rep


def import_notes(imp) -> list:
    """The importer's remarks and its own findings (printed totals that disagree, I-1), as
    text; the rules of a workbook (narrative ones too) run again on the imported values."""
    return list(imp.notes) + [f"{f.rule}：{f.message}" for f in getattr(imp, "findings", [])
                              if getattr(f, "scope", "import") == "import"]


@dataclass
class Loaded:
    report: object  # Report
    source: str = "xlsx"  # xlsx | sheet | import
    notes: list = field(default_factory=list)  # Chinese remarks on how it was read


def load_report(entry: Entry) -> Loaded:
    """Read one entry as a Report.  Raises UnreadableWorkbook/XxgkError with a Chinese reason."""
    from ..engine.report import read_report, report_from_book
    suffix = entry.suffix
    where = Path(entry.label)
    if entry.error:
        raise UnreadableWorkbook(where, entry.error)
    data = read_member(entry) if entry.member else None
    if suffix in WORKBOOK_FORMS:
        try:
            if data is None:
                return Loaded(read_report(entry.path))
            return Loaded(report_from_book(_workbook_from_bytes(data, entry.label)))
        except UnreadableWorkbook as exc:
            if "不是用 xxgk 模板填写" not in exc.reason:
                raise
            # an office's own Excel layout: the any-layout reader of import
            try:
                imp = import_adapter(data, entry.path, entry.label)
            except XxgkError:
                raise exc from None
            rep = report_from_import(imp, entry.label)
            return Loaded(rep, "import", ["工作簿不是 xxgk 模板，已按栏目名称识别（由报告导入）"]
                          + import_notes(imp))
    if suffix in SHEET_FORMS:
        book = calamine_book(data, entry.path, entry.label)
        form = suffix.lstrip(".")
        if is_template_book(book):
            book, typed = template_from_values(book)
            rep = report_from_book(book)
            _typed_totals(rep, typed)
            return Loaded(rep, "sheet", [f".{form} 文件：数值已按模板读取，公式、工作表保护和数据有效性无法核对"])
        try:
            imp = import_adapter(None, entry.path, entry.label, book=book)
        except XxgkError as exc:
            raise UnreadableWorkbook(where, f".{form} 文件不是 xxgk 模板，按栏目名称也未能识别出年度报告的表格"
                                            f"（{_short(exc)}）") from None
        rep = report_from_import(imp, entry.label)
        return Loaded(rep, "import", [f".{form} 文件不是 xxgk 模板，已按栏目名称识别（由报告导入）"] + import_notes(imp))
    if suffix in DOCUMENT_FORMS:
        try:
            imp = import_adapter(data, entry.path, entry.label)
        except XxgkError as exc:
            raise UnreadableWorkbook(where, f"未能从文档中识别出年度报告（{_short(exc)}）") from None
        rep = report_from_import(imp, entry.label)
        return Loaded(rep, "import", ["由报告导入：按章节标题和表格栏目识别的数值"] + import_notes(imp))
    if suffix in OLD_DOCUMENT_FORMS:
        raise UnreadableWorkbook(where, f"{suffix} 文件无法直接读取（能读的文档是 .docx、.doc、.pdf、网页和文本）")
    raise UnreadableWorkbook(where, f"不是年度报告文件（{suffix or '无扩展名'}），未读取")


def _short(exc: Exception) -> str:
    """The importer's message without the file name it starts with (the file is named already)."""
    s = str(exc)
    head, sep, rest = s.partition("：")
    if sep and rest and (head.endswith(tuple(DOCUMENT_FORMS + WORKBOOK_FORMS + SHEET_FORMS))
                         or "/" in head or "\\" in head):
        return rest
    return s


def _typed_totals(rep, typed: dict) -> None:
    """A total stored with a value other than the sum of its items was typed over."""
    from ..engine.findings import CellRef, finding
    from ..engine.report import _fmt, parse_number
    for cid, cell in typed.items():
        if cell is None or cid not in rep.values:
            continue
        c = rep.spec.by_id[cid]
        value, status, _ = parse_number(cell.value, c.type)
        if status not in ("ok", "text") or value == rep.values[cid]:
            continue
        rep.findings.append(finding(
            "S-2", "total_typed", table=c.table, culprit=c.id,
            cells=[CellRef(c.sheet, c.address, c.id, c.path, cell.value)],
            ref=c.ref, label=c.label, value=_fmt(value), sum=_fmt(rep.values[cid])))


def next_step(entry: Entry, error: str) -> str:
    """What the user should do about a file that was not counted."""
    if entry.next_step:
        return entry.next_step
    s = entry.suffix
    if s in SHEET_FORMS:
        return STEP_SAVE_XLSX
    if s in OLD_DOCUMENT_FORMS or s == ".doc":
        return STEP_SAVE_DOCX
    if s in DOCUMENT_FORMS:
        return STEP_IMPORT
    if s in WORKBOOK_FORMS:
        if "不是用 xxgk 模板" in error or "模板" in error:
            return STEP_TEMPLATE
        if "超时" in error or "损坏" in error:
            return STEP_REFETCH
        if "旧版 .xls" in error:
            return STEP_SAVE_XLSX
        return STEP_REFETCH
    return STEP_REMOVE
