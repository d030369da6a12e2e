"""The Python side of the 校验 / 清除标记 buttons of the macro template.

The VBA module (``macros/xxgk.bas``) runs, through the standalone xlwings
module built into the workbook::

    RunPython "import toolkit.marks.excel_button as b; b.validate()"
    RunPython "import toolkit.marks.excel_button as b; b.clear()"

This module is a thin adapter: :class:`XlwingsBook` implements
``toolkit.marks.core.MarkableBook`` over the live workbook (``xw.Book.caller()``),
and all the logic — reading the tables into the engine, which cells get
notes and fills, the 校验结果 sheet, removing only our own earlier marks,
the summary — is ``toolkit.marks.core``, tested on Linux through the openpyxl
implementation of the same interface (``toolkit.marks.annotate.OpenpyxlBook``).

xlwings is imported lazily, inside the entry points: importing this module
never needs Excel.  Any exception ends in a Chinese message box (the
details go to a log file in the temporary folder), never a traceback.
"""

from __future__ import annotations

import contextlib
import datetime as _dt
import sys
import tempfile
import traceback
from pathlib import Path

from . import core as marks
from ..errors import XxgkError
from ..engine.findings import NOTE_AUTHOR, RESULTS_EXPLANATION_COL, RESULTS_HEADER_ROW, RESULTS_HEADERS, \
    RESULTS_KEY_COL, RESULTS_LINK_COL, RESULTS_SEVERITY_COL, RESULTS_SHEET
from .. import spec as E

TITLE = "xxgk 校验"
LOG_FILE = Path(tempfile.gettempdir()) / "xxgk-excel-button.log"
# Cell error values as xlwings returns them with err_to_str=True.
CELL_ERRORS = {"#DIV/0!", "#N/A", "#NAME?", "#NULL!", "#NUM!", "#REF!", "#VALUE!",
               "#GETTING_DATA", "#SPILL!", "#CALC!", "#FIELD!", "#BLOCKED!", "#UNKNOWN!",
               "#CONNECT!", "#BUSY!"}
MAX_USED_CELLS = 500_000  # as toolkit.xlsx.reader.MAX_CELLS
NOTE_WIDTH_PT = 320
# Excel's XlSheetVisibility.
_VISIBILITY = {-1: "visible", 0: "hidden", 2: "veryHidden"}
# Sheet protection flags read before unprotecting and given back to Protect().
_PROTECTION_FLAGS = ("AllowFormattingCells", "AllowFormattingColumns", "AllowFormattingRows",
                     "AllowInsertingColumns", "AllowInsertingRows", "AllowInsertingHyperlinks",
                     "AllowDeletingColumns", "AllowDeletingRows", "AllowSorting", "AllowFiltering",
                     "AllowUsingPivotTables")


def _rgb(colour: str | None):
    if colour is None:
        return None
    return tuple(int(colour[i:i + 2], 16) for i in (0, 2, 4))


def _plain(address: str) -> str:
    return str(address).replace("$", "")


def _text_for_excel(value):
    """Strings Excel would read as a formula are written as text."""
    if isinstance(value, str) and value[:1] in ("=", "+", "-", "@"):
        return "'" + value
    return value


class XlwingsBook:
    """``MarkableBook`` over a workbook open in Excel (an ``xlwings.Book``)."""

    def __init__(self, book):
        self.book = book
        self.app = book.app
        self.path = str(book.fullname)
        self._saved = None  # sheet name -> protection state, while unprotected
        self._structure = False

    # -- reading ------------------------------------------------------------------

    def sheet_names(self) -> list:
        return [s.name for s in self.book.sheets]

    def sheet_state(self, name: str) -> str:
        try:
            return _VISIBILITY.get(int(self.book.sheets[name].api.Visible), "visible")
        except Exception:  # not Windows COM: xlwings only knows visible or not
            return "visible" if self.book.sheets[name].visible else "hidden"

    def structure_locked(self) -> bool:
        return bool(self.book.api.ProtectStructure)

    def has_vba(self) -> bool:
        try:
            return bool(self.book.api.HasVBProject)
        except Exception:
            return self.path.lower().endswith((".xlsm", ".xlsb"))

    def read_sheet(self, name: str) -> marks.SheetContent:
        from ..xlsx.cellref import col_letters as get_column_letter
        sheet = self.book.sheets[name]
        out = marks.SheetContent()
        used = sheet.used_range
        rows, cols = used.shape
        if rows * cols > MAX_USED_CELLS:
            raise XxgkError(f"工作表“{name}”的已用区域过大（{rows} 行 × {cols} 列），不像是年度报告填报表")
        values = used.options(ndim=2, err_to_str=True).value  # one call per sheet
        formulas = used.formula  # one call per sheet
        if not isinstance(formulas, (list, tuple)):
            formulas = ((formulas,),)
        top, left = used.row, used.column
        for i, row in enumerate(values):
            for j, value in enumerate(row):
                f = formulas[i][j] if i < len(formulas) and j < len(formulas[i]) else None
                formula = f[1:] if isinstance(f, str) and f.startswith("=") else None
                if value is None and formula is None:
                    continue
                addr = f"{get_column_letter(left + j)}{top + i}"
                if isinstance(value, str) and value in CELL_ERRORS:
                    out.errors[addr] = value
                    value = None
                elif isinstance(value, float) and value.is_integer() and abs(value) < 2**53:
                    value = int(value)  # Excel hands every number over as a float
                out.cells[addr] = (value, formula)
        out.merges = self._merges(sheet, name)
        out.validated = self._validated(sheet)
        out.protected = bool(sheet.api.ProtectContents)
        return out

    @staticmethod
    def _merges(sheet, name: str) -> list:
        """The merged areas holding the first cell of a template merge (every edition).

        Excel has no list of merged areas; asking at each merge of the
        template finds a merge removed or changed there.
        """
        from ..spec import EDITIONS, get_edition
        firsts = {rng.split(":")[0] for ed in EDITIONS
                  for lay in get_edition(ed).layouts if lay.name == name for rng in lay.merges}
        found = set()
        for first in sorted(firsts):
            area = sheet.range(first).merge_area
            address = _plain(area.address)
            if ":" in address:
                found.add(address)
        return sorted(found)

    @staticmethod
    def _validated(sheet) -> list:
        try:
            cells = sheet.api.Cells.SpecialCells(-4174)  # xlCellTypeAllValidation
        except Exception:  # no cell has a validation
            return []
        return [_plain(area.Address) for area in cells.Areas]

    # -- protection ---------------------------------------------------------------

    def _managed(self) -> list:
        names = set(E.SHEETS.values()) - {E.SHEETS["meta"]}
        return [s for s in self.book.sheets if s.name in names]

    def unprotect(self) -> None:
        self._saved = {}
        self._structure = bool(self.book.api.ProtectStructure)
        try:
            if self._structure:
                self.book.api.Unprotect()
            for sheet in self._managed():
                api = sheet.api
                if not api.ProtectContents:
                    continue
                state = {"DrawingObjects": bool(api.ProtectDrawingObjects),
                         "Scenarios": bool(api.ProtectScenarios)}
                for flag in _PROTECTION_FLAGS:
                    with contextlib.suppress(Exception):
                        state[flag] = bool(getattr(api.Protection, flag))
                api.Unprotect()
                self._saved[sheet.name] = state
        except Exception as exc:
            self.protect()
            raise XxgkError("工作簿或工作表设置了保护密码，无法写入校验标记。请先撤销保护"
                            "（审阅 → 撤销工作表保护），或用命令行 xxgk check 校验") from exc

    def protect(self) -> None:
        names = set(self.sheet_names())
        for name, state in (self._saved or {}).items():
            if name in names:
                self.book.sheets[name].api.Protect(Contents=True, **state)
        if self._structure:
            self.book.api.Protect(Structure=True, Windows=False)
        self._saved, self._structure = None, False

    # -- notes and fills ------------------------------------------------------------

    @contextlib.contextmanager
    def _author(self, author: str):
        """Excel takes a new note's author from the user name: lend it ours."""
        api = self.app.api
        old = api.UserName
        api.UserName = author or old
        try:
            yield
        finally:
            api.UserName = old

    def clear_notes(self) -> list:
        removed = []
        for sheet in self._managed() + [s for s in self.book.sheets if s.name == RESULTS_SHEET]:
            comments = sheet.api.Comments
            for i in range(comments.Count, 0, -1):
                c = comments.Item(i)
                author, text = c.Author, c.Text()
                if not marks.is_our_note(author, text):
                    continue
                cell = c.Parent
                addr = _plain(cell.Address)
                c.Delete()
                kept = marks.kept_note(text)
                if kept:
                    with self._author(kept[0]):
                        cell.AddComment(kept[1])
                removed.append((sheet.name, addr))
        return removed

    def write_note(self, sheet: str, address: str, text: str) -> None:
        cell = self.book.sheets[sheet].range(address).merge_area[0, 0].api
        old = cell.Comment
        if old is not None:
            text = marks.combine_note(text, old.Author, old.Text())
            old.Delete()
        with self._author(NOTE_AUTHOR):
            note = cell.AddComment(text)
        note.Visible = False
        lines = sum(max(1, -(-len(line) // 24)) for line in text.split("\n"))
        note.Shape.Width = NOTE_WIDTH_PT
        note.Shape.Height = min(450, 10 + 13.5 * lines)

    def set_fill(self, sheet: str, address: str, colour: str | None) -> None:
        self.book.sheets[sheet].range(address).merge_area.color = _rgb(colour)

    # -- the results sheet ----------------------------------------------------------

    def _delete_results(self) -> int | None:
        names = self.sheet_names()
        if RESULTS_SHEET not in names:
            return None
        index = names.index(RESULTS_SHEET)
        alerts = self.app.display_alerts
        self.app.display_alerts = False
        try:
            self.book.sheets[RESULTS_SHEET].delete()
        finally:
            self.app.display_alerts = alerts
        return index

    def remove_results(self) -> None:
        self._delete_results()

    def write_results(self, summary: str, rows: list) -> None:
        from ..xlsx.cellref import col_letters as get_column_letter
        active = self.book.sheets.active
        index = self._delete_results()
        sheets = self.book.sheets
        if index is not None and index < len(sheets):
            ws = sheets.add(RESULTS_SHEET, before=sheets[index])
        else:
            ws = sheets.add(RESULTS_SHEET, after=sheets[len(sheets) - 1])
        headers = RESULTS_HEADERS + [marks.RESULTS_RECORD_HEADER]
        ncols = len(headers)
        last = get_column_letter(ncols)
        visible_last = get_column_letter(len(RESULTS_HEADERS) - 1)
        first = RESULTS_HEADER_ROW + 1
        end = RESULTS_HEADER_ROW + max(len(rows), 1)
        ws.range("A1").value = summary
        table = [headers] + [[_text_for_excel(v) for v in r.values + [r.record]] for r in rows]
        if not rows:
            table.append(["没有发现问题。"] + [None] * (ncols - 1))
        ws.range((RESULTS_HEADER_ROW, 1)).value = table  # one call for the whole table
        ws.range(f"A1:{visible_last}1").api.Merge()
        ws.range("A1").api.Font.Bold = True
        ws.range("A1").api.Font.Size = 12
        header = ws.range(f"A{RESULTS_HEADER_ROW}:{last}{RESULTS_HEADER_ROW}")
        header.api.Font.Bold = True
        header.color = _rgb("F2F2F2")
        body = ws.range(f"A{RESULTS_HEADER_ROW}:{last}{end}")
        body.api.WrapText = True
        body.api.VerticalAlignment = -4160  # xlTop
        body.api.Borders.LineStyle = 1  # xlContinuous
        for letter, width in marks.RESULTS_WIDTHS.items():
            ws.range(f"{letter}:{letter}").column_width = width
        for r, row in enumerate(rows, start=first):
            ws.range((r, 1)).row_height = marks.results_row_height(row.values)
            ws.range((r, RESULTS_SEVERITY_COL)).color = _rgb(marks.SEVERITY_FILLS[row.severity])
            if row.link and row.link[0] in self.sheet_names():
                sheet, addr = row.link
                ws.api.Hyperlinks.Add(Anchor=ws.range((r, RESULTS_LINK_COL)).api, Address="",
                                      SubAddress=f"'{sheet}'!{addr}",
                                      ScreenTip=f"转到 {sheet}!{addr}",
                                      TextToDisplay=str(row.values[RESULTS_LINK_COL - 1]))
        for col in (RESULTS_KEY_COL, marks.RESULTS_RECORD_COL):
            letter = get_column_letter(col)
            ws.range(f"{letter}:{letter}").api.EntireColumn.Hidden = True
        if rows:
            g = get_column_letter(RESULTS_EXPLANATION_COL)
            ws.range(f"{g}{first}:{g}{end}").api.Locked = False
        ws.api.Protect(Contents=True, DrawingObjects=False, AllowFormattingColumns=True,
                       AllowFormattingRows=True)
        with contextlib.suppress(Exception):
            active.activate()

    # -- talking to the clerk --------------------------------------------------------

    def alert(self, message: str) -> None:
        self.app.alert(message, title=TITLE)

    @contextlib.contextmanager
    def quiet(self):
        """No screen flicker while marking."""
        app = self.app
        updating = app.screen_updating
        app.screen_updating = False
        try:
            yield
        finally:
            app.screen_updating = updating


# ---------------------------------------------------------------------------
# Entry points (called from VBA)
# ---------------------------------------------------------------------------


def validate():
    """The 校验 button: check the calling workbook as it is now and mark it."""
    return _run(marks.validate)


def clear():
    """The 清除标记 button: remove the notes and fills written by 校验."""
    return _run(marks.clear)


def _run(action):
    app = None
    try:
        try:
            import xlwings as xw
        except ImportError:
            raise XxgkError("没有安装 xlwings，按钮无法运行。请安装：pip install xxgk") from None
        try:
            book = xw.Book.caller()
        except Exception:
            raise XxgkError("找不到调用按钮的工作簿：请在 Excel 中点击报告里的“校验”按钮运行，"
                            "或用命令行 xxgk check 校验文件") from None
        app = book.app
        xbook = XlwingsBook(book)
        with xbook.quiet():
            return action(xbook)
    except Exception as exc:  # every failure becomes a message, never a traceback
        _fail(app, exc)
        return None


def failure_message(exc: BaseException) -> str:
    """The Chinese message shown for an exception raised by a button."""
    if isinstance(exc, XxgkError):
        return str(exc)
    return (f"校验时发生意外错误（{type(exc).__name__}）。\n"
            f"可以用命令行校验：xxgk check 文件名.xlsm\n"
            f"请把这条消息和日志文件 {LOG_FILE} 发给技术人员。")


def _log(exc: BaseException) -> None:
    with contextlib.suppress(Exception):
        with open(LOG_FILE, "a", encoding="utf-8") as fh:
            fh.write(f"--- {_dt.datetime.now().isoformat(timespec='seconds')}\n")
            fh.write("".join(traceback.format_exception(type(exc), exc, exc.__traceback__)))


def _fail(app, exc: BaseException) -> None:
    _log(exc)
    message = failure_message(exc)
    if app is not None:
        with contextlib.suppress(Exception):
            app.alert(message, title=TITLE, mode="critical")
            return
    _message_box(message)


def _message_box(message: str) -> None:
    """A message box without Excel (Windows), else standard error."""
    if sys.platform == "win32":
        with contextlib.suppress(Exception):
            import ctypes
            ctypes.windll.user32.MessageBoxW(0, message, TITLE, 0x10)
            return
    print(message, file=sys.stderr)
