"""Build the macro-enabled template (``.xlsm``) with the 校验 / 清除标记 buttons.

The workbook is the locked template of ``toolkit.xlsx.template`` drawn by
XlsxWriter (``toolkit.xlsx.layout``) — same sheets, labels, merges,
formulas, validations, protection and meta sheet — plus:

* a VBA project (``xl/vbaProject.bin``) built with pyOpenVBA, holding the
  document modules Excel expects (``ThisWorkbook``, ``Sheet1``…), the
  standalone xlwings module and its ``Dictionary`` class exactly as the
  pinned xlwings release ships them (what ``xlwings quickstart --standalone``
  puts in a workbook), and our module ``macros/xxgk.bas``;
* two form buttons on each table sheet (二、三、四) bound to
  ``ValidateReport`` / ``ClearValidation``;
* a very hidden ``xlwings.conf`` sheet: the workbook settings the xlwings
  module reads (``Interpreter_Win`` when a Python path is given at build
  time, ``ADD_WORKBOOK_TO_PYTHONPATH`` = False).

The build is deterministic: fixed document dates and zip timestamps, and a
VBA project made from pyOpenVBA's fixed Excel-authored template, so two
builds of the same edition and options are byte-identical.
"""

from __future__ import annotations

import io
import tempfile
import zipfile
from datetime import datetime, timezone
from pathlib import Path

from ..atomic import atomic_output
from ..errors import XxgkError
from .. import spec as E
from ..spec import DEFAULT_EDITION, get_edition
from .template import meta_rows
from .layout import FormatCache, write_layout

# VBA source of our module: ``macros/xxgk.bas`` in the repository (the
# source of truth); installed packages carry a copy under toolkit/data/macros
# (a test keeps the two identical).
MACROS_DIR = Path(__file__).resolve().parents[2] / "macros"
PACKAGED_MACROS_DIR = Path(__file__).resolve().parents[1] / "data" / "macros"
MODULE_NAME = "xxgk"
MODULE_FILE = (MACROS_DIR if (MACROS_DIR / "xxgk.bas").is_file() else PACKAGED_MACROS_DIR) / "xxgk.bas"

# The buttons: (caption, macro in our module, alternative text).
BUTTONS = (
    ("校验", "ValidateReport", "校验本报告，问题写入单元格批注和“校验结果”工作表"),
    ("清除标记", "ClearValidation", "清除校验写入的批注和标记"),
)
BUTTON_SHEETS = ("t2", "t3", "t4")
BUTTON_SIZE = (84, 30)  # pixels
BUTTON_GAP = 8

# xlwings reads its workbook settings from a sheet of this name: keys in
# column A from A1 down (upper-cased by the VBA), values in column B.
XLWINGS_CONF_SHEET = "xlwings.conf"
# The standalone xlwings modules, from the installed (pinned) xlwings package.
XLWINGS_MODULE = "xlwings"
XLWINGS_CLASS = "Dictionary"

# Fixed so that builds are reproducible (docProps/core.xml created/modified).
BUILD_DATE = datetime(2021, 9, 26, tzinfo=timezone.utc)

# Code names Excel gives a new project's document modules.
WORKBOOK_CODE_NAME = "ThisWorkbook"


def sheet_code_name(index: int) -> str:
    """Excel's default code name of the ``index``-th sheet (0-based)."""
    return f"Sheet{index + 1}"


# ---------------------------------------------------------------------------
# Sources
# ---------------------------------------------------------------------------

def _crlf(text: str) -> str:
    """VBA module text uses CRLF line endings."""
    return text.replace("\r\n", "\n").replace("\r", "\n").replace("\n", "\r\n")


def xxgk_module_source() -> str:
    """Our VBA module (``macros/xxgk.bas``), CRLF line endings."""
    if not MODULE_FILE.is_file():
        raise XxgkError(f"找不到宏代码文件：{MODULE_FILE}（请从源代码目录安装本工具）")
    raw = MODULE_FILE.read_bytes()
    try:
        text = raw.decode("ascii")
    except UnicodeDecodeError as exc:
        raise XxgkError(f"宏代码文件只能包含 ASCII 字符：{MODULE_FILE}（第 {exc.start} 字节）") from None
    return _crlf(text)


def xlwings_source_files() -> dict[str, Path]:
    """The standalone xlwings VBA files of the installed (pinned) xlwings.

    ``xlwings.bas`` (module ``xlwings``) and ``addin/Dictionary.cls`` (class
    ``Dictionary``, which the module uses on macOS): what ``xlwings release``
    imports for a workbook without the add-in, and what the workbook of
    ``xlwings quickstart --standalone`` holds.
    """
    import xlwings

    root = Path(xlwings.__file__).resolve().parent
    files = {XLWINGS_MODULE: root / "xlwings.bas", XLWINGS_CLASS: root / "addin" / "Dictionary.cls"}
    for path in files.values():
        if not path.is_file():
            raise XxgkError(f"已安装的 xlwings 中缺少 {path.name}（需要完整安装 xlwings {xlwings.__version__}）")
    return files


# Attributes the VBA editor adds when it imports a class module, after
# VB_Exposed (as in the Excel-saved quickstart_standalone.xlsm of xlwings).
_CLASS_IMPORT_ATTRIBUTES = ('Attribute VB_TemplateDerived = False\r\n'
                            'Attribute VB_Customizable = False\r\n')


def class_stream_source(exported: str) -> str:
    """A class module as exported (``.cls``) → the text the VBA editor stores on import.

    Drops the ``VERSION 1.0 CLASS`` … ``END`` preamble, adds ``VB_Base``
    (the plain class CLSID, via pyOpenVBA) and the two attributes the editor
    adds after ``VB_Exposed``.  The code itself is unchanged.
    """
    from pyopenvba.vba import normalize_class_source

    text = normalize_class_source(_crlf(exported))
    if "Attribute VB_TemplateDerived" not in text:
        anchor = "Attribute VB_Exposed = True\r\n"
        if anchor not in text:
            anchor = "Attribute VB_Exposed = False\r\n"
        at = text.index(anchor) + len(anchor)
        text = text[:at] + _CLASS_IMPORT_ATTRIBUTES + text[at:]
    return text


def xlwings_sources() -> dict[str, str]:
    """Module name → VBA text (as stored in the project) of the standalone xlwings modules."""
    files = xlwings_source_files()
    return {
        XLWINGS_MODULE: _crlf(files[XLWINGS_MODULE].read_bytes().decode("ascii")),
        XLWINGS_CLASS: class_stream_source(files[XLWINGS_CLASS].read_bytes().decode("ascii")),
    }


# ---------------------------------------------------------------------------
# VBA project
# ---------------------------------------------------------------------------

def build_vba_project(sheet_count: int) -> bytes:
    """``vbaProject.bin`` for a workbook of ``sheet_count`` worksheets.

    pyOpenVBA gives a skeleton workbook of the same sheets the project Excel
    makes for a first macro (``ThisWorkbook`` and ``Sheet1``… document
    modules, from an Excel-authored template), then the xlwings module, its
    Dictionary class and our module are added.  The workbook and sheets of
    the real template carry the same code names (``set_vba_name``).
    """
    import xlsxwriter
    from pyopenvba import ExcelFile, VBAModuleKind

    sources = xlwings_sources()
    with tempfile.TemporaryDirectory(prefix="xxgk-vba-") as tmp:
        skeleton = Path(tmp) / "skeleton.xlsm"
        wb = xlsxwriter.Workbook(str(skeleton), {"in_memory": True})
        wb.set_vba_name(WORKBOOK_CODE_NAME)
        for i in range(sheet_count):
            wb.add_worksheet(f"S{i + 1}").set_vba_name(sheet_code_name(i))
        wb.close()
        built = Path(tmp) / "project.xlsm"
        with ExcelFile(skeleton) as book:
            project = book.add_vba_project()
            project.add_module(XLWINGS_MODULE, sources[XLWINGS_MODULE])
            project.add_module(XLWINGS_CLASS, sources[XLWINGS_CLASS], kind=VBAModuleKind.other)
            project.add_module(MODULE_NAME, xxgk_module_source())
            book.save(built)
        with ExcelFile(built) as book:  # pyOpenVBA's own cross-structure check
            problems = book.validate()
        if problems:
            raise XxgkError("生成的宏工程不一致：" + "；".join(problems))
        with zipfile.ZipFile(built) as z:
            return z.read("xl/vbaProject.bin")


# ---------------------------------------------------------------------------
# Workbook
# ---------------------------------------------------------------------------

def xlwings_conf_rows(python_path: str | None = None) -> list[tuple[str, str]]:
    """Rows of the ``xlwings.conf`` sheet.

    ``Interpreter_Win`` only when a path is given: an empty value would hide
    the user's own xlwings configuration (``xlwings config create``) and the
    ``python`` on PATH fallback.  ``ADD_WORKBOOK_TO_PYTHONPATH`` is False so
    that a ``.py`` file or folder beside a downloaded workbook is never
    imported instead of the installed toolkit.  Values are text, which the
    xlwings VBA and Python side both read as strings.
    """
    rows = []
    if python_path:
        if any(ch in python_path for ch in "\r\n\t\""):
            raise XxgkError(f"Python 路径包含非法字符：{python_path!r}")
        rows.append(("Interpreter_Win", python_path))
    rows.append(("ADD_WORKBOOK_TO_PYTHONPATH", "False"))
    return rows


def _protect(ws, allow_resize: bool) -> None:
    """Sheet protection exactly as ``toolkit.xlsx.template`` sets it with openpyxl.

    No password; drawing objects (the buttons, cell notes) and scenarios are
    not protected, as in the ``.xlsx`` template; with ``allow_resize`` clerks
    may widen columns and rows.  (XlsxWriter options name allowed actions.)
    """
    ws.protect("", {"objects": True, "scenarios": True,
                    "format_columns": allow_resize, "format_rows": allow_resize})


def _button_column(lay) -> int:
    """0-based column just right of everything drawn on ``lay`` (incl. hints)."""
    from openpyxl.utils.cell import coordinate_from_string, column_index_from_string
    used = max(column_index_from_string(coordinate_from_string(a)[0]) for a in lay.cells)
    return max(used, lay.max_col)


def _add_buttons(ws, lay) -> None:
    col = _button_column(lay)
    width, height = BUTTON_SIZE
    for i, (caption, macro, description) in enumerate(BUTTONS):
        ws.insert_button(0, col, {
            "macro": macro, "caption": caption, "description": description,
            "width": width, "height": height,
            "x_offset": BUTTON_GAP + i * (width + BUTTON_GAP), "y_offset": 4,
        })


def _write_workbook(edition: str, python_path: str | None, vba_project: bytes) -> bytes:
    import xlsxwriter

    ed = get_edition(edition)
    buf = io.BytesIO()
    wb = xlsxwriter.Workbook(buf, {"in_memory": True})
    wb.set_properties({
        "title": f"政府信息公开工作年度报告填报模板（{ed.key}版，带校验按钮）",
        "created": BUILD_DATE,
    })
    wb.add_vba_project(io.BytesIO(vba_project), is_stream=True)
    wb.set_vba_name(WORKBOOK_CODE_NAME)
    fmts = FormatCache(wb)
    index = 0

    def sheet(name):
        nonlocal index
        ws = wb.add_worksheet(name)
        ws.set_vba_name(sheet_code_name(index))
        index += 1
        return ws

    for lay in ed.layouts:
        ws = sheet(lay.name)
        write_layout(wb, ws, lay, ed, fmts, protect=False)
        _protect(ws, allow_resize=True)
        if lay.freeze:
            ws.freeze_panes(lay.freeze)
        if lay.key in BUTTON_SHEETS:
            _add_buttons(ws, lay)
    for name, rows in ((E.SHEETS["meta"], meta_rows(ed)),
                       (XLWINGS_CONF_SHEET, xlwings_conf_rows(python_path))):
        ws = sheet(name)
        for r, (k, v) in enumerate(rows):
            ws.write_string(r, 0, k)
            ws.write_string(r, 1, v)
        ws.very_hidden()
        _protect(ws, allow_resize=False)
    wb.close()
    return buf.getvalue()


def lock_structure(xlsx: bytes) -> bytes:
    """The package with ``<workbookProtection lockStructure="1"/>`` in xl/workbook.xml.

    XlsxWriter has no workbook protection; the element goes right after
    ``workbookPr`` as the schema orders it.  Every other member is copied
    with its name, timestamp and compression.
    """
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(xlsx)) as src, zipfile.ZipFile(out, "w") as dst:
        for info in src.infolist():
            data = src.read(info.filename)
            if info.filename == "xl/workbook.xml":
                text = data.decode("utf-8")
                if "<workbookProtection" not in text:
                    start = text.index("<workbookPr")
                    end = text.index(">", start) + 1
                    text = text[:end] + '<workbookProtection lockStructure="1"/>' + text[end:]
                data = text.encode("utf-8")
            dst.writestr(info, data)
    return out.getvalue()


def macro_template_bytes(edition: str = DEFAULT_EDITION, python_path: str | None = None) -> bytes:
    """The macro-enabled template of ``edition`` as bytes."""
    ed = get_edition(edition)
    sheet_count = len(ed.layouts) + 2  # + meta + xlwings.conf
    project = build_vba_project(sheet_count)
    return lock_structure(_write_workbook(ed.key, python_path, project))


def build_macro_template(path: str | Path, edition: str = DEFAULT_EDITION, python_path: str | None = None,
                         force: bool = True) -> Path:
    """Write the macro-enabled template of ``edition`` atomically to ``path`` (``.xlsm``).

    ``python_path`` is the Windows interpreter the buttons run
    (``xlwings.conf`` → ``Interpreter_Win``), e.g.
    ``C:\\Program Files\\Python311\\python.exe``; environment variables such
    as ``%LOCALAPPDATA%`` are expanded by xlwings on the clerk's machine.
    """
    path = Path(path)
    if path.suffix.lower() != ".xlsm":
        raise XxgkError(f"带宏的模板必须保存为 .xlsm 文件：{path}")
    data = macro_template_bytes(edition, python_path)
    with atomic_output(path, force=force) as tmp:
        tmp.write_bytes(data)
    return path
