"""A stand-in for the few xlwings / Excel COM objects ``toolkit.marks.excel_button`` uses.

Backed by an openpyxl workbook loaded from a real file, it behaves like
Excel where the adapter depends on it: values come back as floats, notes
take the application's user name as author, a protected sheet refuses
notes and fills, a locked workbook structure refuses adding or deleting
sheets, protection flags are Excel's ``Allow…`` names.  ``save()`` writes
the state to a file so tests compare it with ``check --annotate``'s copy.
"""

from __future__ import annotations

import re
import types
from pathlib import Path

import openpyxl
from openpyxl.comments import Comment
from openpyxl.styles import PatternFill, Protection
from openpyxl.utils import column_index_from_string, get_column_letter
from openpyxl.utils.cell import range_boundaries

_CURRENT = {}

# Excel's Protection.Allow… / Protect() arguments ↔ openpyxl SheetProtection fields
# (openpyxl stores "is locked", Excel "is allowed").
ALLOW = {"AllowFormattingCells": "formatCells", "AllowFormattingColumns": "formatColumns",
         "AllowFormattingRows": "formatRows", "AllowInsertingColumns": "insertColumns",
         "AllowInsertingRows": "insertRows", "AllowInsertingHyperlinks": "insertHyperlinks",
         "AllowDeletingColumns": "deleteColumns", "AllowDeletingRows": "deleteRows",
         "AllowSorting": "sort", "AllowFiltering": "autoFilter", "AllowUsingPivotTables": "pivotTables"}
PROTECTED = {"DrawingObjects": "objects", "Scenarios": "scenarios"}


class ComError(Exception):
    """What pywin32 raises for a refused COM call."""


class Sink:
    """Formatting properties the adapter sets and the tests do not look at."""

    def __init__(self):
        self.__dict__["values"] = {}

    def __getattr__(self, name):
        if name not in self.values:
            self.values[name] = Sink()
        return self.values[name]

    def __setattr__(self, name, value):
        self.values[name] = value


def module() -> types.ModuleType:
    mod = types.ModuleType("xlwings")

    class Book:
        @staticmethod
        def caller():
            if "book" not in _CURRENT:
                raise RuntimeError("no caller")
            return _CURRENT["book"]

    mod.Book = Book
    return mod


def open_book(path: Path) -> "FakeBook":
    book = FakeBook(path)
    _CURRENT["book"] = book
    return book


class FakeAppApi:
    def __init__(self):
        self.UserName = "张三"


class FakeApp:
    def __init__(self):
        self.alerts = []
        self.screen_updating = True
        self.display_alerts = True
        self.api = FakeAppApi()

    @property
    def user_name(self):
        return self.api.UserName

    def alert(self, prompt, title=None, buttons="ok", mode=None, callback=None):
        self.alerts.append((prompt, title, mode))


class FakeBookApi:
    def __init__(self, book):
        self._book = book
        self.HasVBProject = False

    @property
    def ProtectStructure(self):
        sec = self._book.wb.security
        return bool(sec is not None and sec.lockStructure)

    def Unprotect(self):
        if self._book.wb.security is not None:
            self._book.wb.security.lockStructure = False

    def Protect(self, Structure=False, Windows=False):
        from openpyxl.workbook.protection import WorkbookProtection
        if self._book.wb.security is None:
            self._book.wb.security = WorkbookProtection()
        self._book.wb.security.lockStructure = bool(Structure)
        self._book.wb.security.lockWindows = bool(Windows)


class FakeBook:
    def __init__(self, path: Path):
        self.path = Path(path)
        self.wb = openpyxl.load_workbook(path)
        self.values = openpyxl.load_workbook(path, data_only=True)
        self.app = FakeApp()
        self.fullname = str(path)
        self.api = FakeBookApi(self)
        self.sheets = FakeSheets(self)
        self.hyperlinks = []
        self.initially_protected = self.protected_sheets()

    # -- for the tests ------------------------------------------------------------
    def protected_sheets(self) -> dict:
        from workbook_facts import _PROTECTION_FIELDS
        return {ws.title: tuple(getattr(ws.protection, k) for k in _PROTECTION_FIELDS)
                for ws in self.wb.worksheets if ws.title != "校验结果"}

    @property
    def structure_locked(self) -> bool:
        return self.api.ProtectStructure

    def sheet_names(self) -> list:
        return self.wb.sheetnames

    def save(self, path: Path) -> Path:
        self.wb.save(path)
        return path


class FakeSheets:
    def __init__(self, book: FakeBook):
        self.book = book

    def _all(self):
        return [FakeSheet(self.book, ws) for ws in self.book.wb.worksheets]

    def __iter__(self):
        return iter(self._all())

    def __len__(self):
        return len(self.book.wb.worksheets)

    def __getitem__(self, key):
        if isinstance(key, int):
            return self._all()[key]
        return FakeSheet(self.book, self.book.wb[key])

    @property
    def active(self):
        return FakeSheet(self.book, self.book.wb.active)

    def add(self, name, before=None, after=None):
        if self.book.api.ProtectStructure:
            raise ComError("workbook structure is protected")
        names = self.book.wb.sheetnames
        index = names.index(before.name) if before else names.index(after.name) + 1
        ws = self.book.wb.create_sheet(name, index)
        self.book.wb.active = index  # Excel activates a new sheet
        return FakeSheet(self.book, ws)


class FakeSheetApi:
    def __init__(self, sheet: "FakeSheet"):
        self._s = sheet
        ws = sheet.ws
        self.Cells = types.SimpleNamespace(SpecialCells=self._special_cells)
        self.Hyperlinks = types.SimpleNamespace(Add=self._add_hyperlink)
        self.Protection = types.SimpleNamespace(
            **{allow: not getattr(ws.protection, field) for allow, field in ALLOW.items()})

    @property
    def Visible(self):
        return {"visible": -1, "hidden": 0, "veryHidden": 2}[self._s.ws.sheet_state]

    @property
    def ProtectContents(self):
        return bool(self._s.ws.protection.sheet)

    @property
    def ProtectDrawingObjects(self):
        return bool(self._s.ws.protection.sheet and self._s.ws.protection.objects)

    @property
    def ProtectScenarios(self):
        return bool(self._s.ws.protection.sheet and self._s.ws.protection.scenarios)

    def Unprotect(self):
        self._s.ws.protection.sheet = False

    def Protect(self, Contents=True, DrawingObjects=True, Scenarios=True, **allow):
        p = self._s.ws.protection
        p.sheet = bool(Contents)
        p.objects = bool(DrawingObjects)
        p.scenarios = bool(Scenarios)
        for name, field in ALLOW.items():  # Excel's defaults: only selecting is allowed
            setattr(p, field, not allow.get(name, False))

    @property
    def Comments(self):
        ws = self._s.ws
        items = [FakeComment(self._s, c) for row in ws.iter_rows() for c in row if c.comment]
        return types.SimpleNamespace(Count=len(items), Item=lambda i: items[i - 1])

    def _special_cells(self, kind):
        assert kind == -4174
        areas = [types.SimpleNamespace(Address=_abs(part))
                 for dv in self._s.ws.data_validations.dataValidation
                 for part in str(dv.sqref).split()]
        if not areas:
            raise ComError("No cells were found.")
        return types.SimpleNamespace(Areas=areas)

    def _add_hyperlink(self, Anchor, Address, SubAddress, ScreenTip="", TextToDisplay=""):
        cell = Anchor._cells()[0]
        cell.value = TextToDisplay
        self._s.book.hyperlinks.append((self._s.name, cell.coordinate, SubAddress, TextToDisplay))


def _abs(ref: str) -> str:
    return ":".join(re.sub(r"([A-Z]+)(\d+)", r"$\1$\2", p) for p in ref.split(":"))


class FakeSheet:
    def __init__(self, book: FakeBook, ws):
        self.book, self.ws = book, ws
        self.name = ws.title
        self.api = FakeSheetApi(self)

    @property
    def visible(self):
        return self.ws.sheet_state == "visible"

    @property
    def used_range(self):
        ws = self.ws
        return FakeRange(self, ws.min_row, ws.min_column, ws.max_row, ws.max_column)

    def range(self, ref):
        if isinstance(ref, tuple):
            return FakeRange(self, ref[0], ref[1], ref[0], ref[1])
        if re.fullmatch(r"[A-Z]+:[A-Z]+", ref):
            a, b = ref.split(":")
            return FakeRange(self, 1, column_index_from_string(a), 1048576, column_index_from_string(b))
        c1, r1, c2, r2 = range_boundaries(ref)
        return FakeRange(self, r1, c1, r2, c2)

    def delete(self):
        if self.book.api.ProtectStructure:
            raise ComError("workbook structure is protected")
        self.book.wb.remove(self.ws)

    def activate(self):
        self.book.wb.active = self.book.wb.sheetnames.index(self.name)

    def guard(self):
        if self.ws.protection.sheet:
            raise ComError(f"sheet {self.name} is protected")


class FakeRange:
    def __init__(self, sheet: FakeSheet, r1, c1, r2, c2):
        self.sheet, self.r1, self.c1, self.r2, self.c2 = sheet, r1, c1, r2, c2
        self._opts = {}

    # -- geometry --
    @property
    def row(self):
        return self.r1

    @property
    def column(self):
        return self.c1

    @property
    def shape(self):
        return (self.r2 - self.r1 + 1, self.c2 - self.c1 + 1)

    @property
    def address(self):
        a = f"${get_column_letter(self.c1)}${self.r1}"
        if (self.r1, self.c1) == (self.r2, self.c2):
            return a
        return f"{a}:${get_column_letter(self.c2)}${self.r2}"

    def __getitem__(self, key):
        i, j = key
        return FakeRange(self.sheet, self.r1 + i, self.c1 + j, self.r1 + i, self.c1 + j)

    @property
    def merge_area(self):
        for rng in self.sheet.ws.merged_cells.ranges:
            if rng.min_row <= self.r1 <= rng.max_row and rng.min_col <= self.c1 <= rng.max_col:
                return FakeRange(self.sheet, rng.min_row, rng.min_col, rng.max_row, rng.max_col)
        return FakeRange(self.sheet, self.r1, self.c1, self.r1, self.c1)

    def _cells(self):
        ws = self.sheet.ws
        return [ws.cell(r, c) for r in range(self.r1, self.r2 + 1) for c in range(self.c1, self.c2 + 1)]

    # -- values --
    def options(self, **opts):
        self._opts = opts
        return self

    @property
    def value(self):
        ws, values = self.sheet.ws, self.sheet.book.values
        cached = values[self.sheet.name] if self.sheet.name in values.sheetnames else ws
        out = []
        for r in range(self.r1, self.r2 + 1):
            row = []
            for c in range(self.c1, self.c2 + 1):
                cell = ws.cell(r, c)
                v = cached.cell(r, c).value if cell.data_type == "f" else cell.value
                if isinstance(v, bool):
                    pass
                elif isinstance(v, int):
                    v = float(v)  # Excel has only floats
                if cell.data_type == "e" and not self._opts.get("err_to_str"):
                    v = None
                row.append(v)
            out.append(row)
        return out

    @value.setter
    def value(self, data):
        self.sheet.guard() if self.sheet.name != "校验结果" else None
        if not isinstance(data, list):
            data = [[data]]
        for i, row in enumerate(data):
            for j, v in enumerate(row):
                if isinstance(v, str) and v.startswith("'"):
                    v = v[1:]
                self.sheet.ws.cell(self.r1 + i, self.c1 + j).value = v

    @property
    def formula(self):
        ws = self.sheet.ws
        rows = []
        for r in range(self.r1, self.r2 + 1):
            rows.append(tuple("" if ws.cell(r, c).value is None else str(ws.cell(r, c).value)
                              for c in range(self.c1, self.c2 + 1)))
        return rows[0][0] if self.shape == (1, 1) else tuple(rows)

    # -- formatting --
    @property
    def color(self):
        raise NotImplementedError

    @color.setter
    def color(self, rgb):
        self.sheet.guard()
        fill = PatternFill(fill_type=None) if rgb is None else \
            PatternFill("solid", fgColor="%02X%02X%02X" % rgb)
        for cell in self._cells():
            cell.fill = fill

    @property
    def column_width(self):
        raise NotImplementedError

    @column_width.setter
    def column_width(self, width):
        for c in range(self.c1, self.c2 + 1):
            self.sheet.ws.column_dimensions[get_column_letter(c)].width = width

    @property
    def row_height(self):
        raise NotImplementedError

    @row_height.setter
    def row_height(self, height):
        for r in range(self.r1, self.r2 + 1):
            self.sheet.ws.row_dimensions[r].height = height

    @property
    def api(self):
        return FakeRangeApi(self)


class FakeRangeApi:
    def __init__(self, rng: FakeRange):
        self._r = rng
        self.Font = Sink()
        self.Borders = Sink()

    def _cells(self):
        return self._r._cells()

    @property
    def Address(self):
        return self._r.address

    @property
    def Comment(self):
        cell = self._cells()[0]
        return FakeComment(self._r.sheet, cell) if cell.comment else None

    def AddComment(self, text):
        self._r.sheet.guard()
        cell = self._cells()[0]
        assert cell.comment is None, "Excel refuses a second note on a cell"
        cell.comment = Comment(text, self._r.sheet.book.app.api.UserName)
        return FakeComment(self._r.sheet, cell)

    def Merge(self):
        self._r.sheet.ws.merge_cells(start_row=self._r.r1, start_column=self._r.c1,
                                     end_row=self._r.r2, end_column=self._r.c2)

    @property
    def EntireColumn(self):
        rng = self._r

        class Columns:
            @property
            def Hidden(self):
                raise NotImplementedError

            @Hidden.setter
            def Hidden(self, hidden):
                for c in range(rng.c1, rng.c2 + 1):
                    rng.sheet.ws.column_dimensions[get_column_letter(c)].hidden = hidden

        return Columns()

    def __setattr__(self, name, value):
        if name == "Locked":
            for cell in self._cells():
                cell.protection = Protection(locked=bool(value))
        else:
            object.__setattr__(self, name, value)


class FakeComment:
    def __init__(self, sheet: FakeSheet, cell):
        self._sheet, self._cell = sheet, cell
        self.Visible = False
        self.Shape = Sink()

    @property
    def Author(self):
        return self._cell.comment.author

    def Text(self):
        return self._cell.comment.text

    def Delete(self):
        self._sheet.guard()
        self._cell.comment = None

    @property
    def Parent(self):
        return FakeRangeApi(FakeRange(self._sheet, self._cell.row, self._cell.column,
                                      self._cell.row, self._cell.column))
