"""``xxgk check --annotate``: a marked copy of each checked workbook.

:class:`OpenpyxlBook` implements ``toolkit.marks.core.MarkableBook`` over an
openpyxl workbook loaded from a file; the marking logic itself lives in
``toolkit.marks.core`` (shared with the Excel button).  The input file is never
modified: the copy is written atomically to the output path.
"""

from __future__ import annotations

import sys
import xml.etree.ElementTree as ET
import zipfile
from pathlib import Path

from ..atomic import atomic_output
from ..errors import XxgkError
from ..engine.findings import (NOTE_AUTHOR, RESULTS_EXPLANATION_COL, RESULTS_HEADER_ROW, RESULTS_HEADERS,
                       RESULTS_KEY_COL, RESULTS_LINK_COL, RESULTS_SEVERITY_COL, RESULTS_SHEET)
from .core import (RESULTS_RECORD_COL, RESULTS_RECORD_HEADER, RESULTS_WIDTHS, SheetContent,
                    results_row_height,
                    apply_marks, combine_note, is_our_note, kept_note)
from ..xlsx.styles import FONT, LABEL_FILL, SEVERITY_FILLS

VML = "urn:schemas-microsoft-com:vml"
VML_OFFICE = "urn:schemas-microsoft-com:office:office"
VML_EXCEL = "urn:schemas-microsoft-com:office:excel"
# openpyxl serialises VML with ElementTree; give the namespaces the prefixes
# Excel itself writes (v:, o:, x:) instead of ns0:, ns1:, ns2:.
for _prefix, _uri in (("v", VML), ("o", VML_OFFICE), ("x", VML_EXCEL)):
    ET.register_namespace(_prefix, _uri)

OUTPUT_SUFFIX = "-校验"
NOTE_WIDTH = 420  # px
NOTE_LINE_CHARS = 26  # CJK characters per line of a note that wide


def _note_size(text: str) -> tuple[int, int]:
    lines = sum(max(1, -(-len(line) // NOTE_LINE_CHARS)) for line in text.split("\n"))
    return NOTE_WIDTH, min(600, 12 + 18 * lines)


def _has_vba(path: Path) -> bool:
    try:
        with zipfile.ZipFile(path) as zf:
            return any(n.lower().endswith("vbaproject.bin") for n in zf.namelist())
    except (zipfile.BadZipFile, OSError):
        return False


class OpenpyxlBook:
    """``MarkableBook`` over a workbook file loaded with openpyxl."""

    def __init__(self, path: str | Path):
        import openpyxl
        self.path = str(path)
        self._vba = _has_vba(Path(path))
        self.wb = openpyxl.load_workbook(path, keep_vba=self._vba, keep_links=True)
        self._values = None  # data_only copy, for cached values of formulas
        self._protection = None
        self.alerts: list = []

    # -- reading ----------------------------------------------------------------

    def sheet_names(self) -> list:
        return list(self.wb.sheetnames)

    def sheet_state(self, name: str) -> str:
        return self.wb[name].sheet_state

    def structure_locked(self) -> bool:
        sec = self.wb.security
        return bool(sec is not None and sec.lockStructure)

    def has_vba(self) -> bool:
        return self.wb.vba_archive is not None

    def _worksheet(self, name):
        from openpyxl.worksheet.worksheet import Worksheet
        ws = self.wb[name]
        return ws if isinstance(ws, Worksheet) else None

    def read_sheet(self, name: str) -> SheetContent:
        from openpyxl.worksheet.formula import ArrayFormula
        ws = self._worksheet(name)
        out = SheetContent()
        if ws is None:
            return out
        for cell in ws._cells.values():
            value, formula = cell.value, None
            if value is None:
                continue
            if cell.data_type == "e":
                out.errors[cell.coordinate] = str(value)
                value = None
            elif isinstance(value, ArrayFormula):
                formula, value = (value.text or "").lstrip("="), self._cached(name, cell.coordinate)
            elif cell.data_type == "f":
                formula, value = str(value)[1:], self._cached(name, cell.coordinate)
            out.cells[cell.coordinate] = (value, formula)
        out.merges = [str(r) for r in ws.merged_cells.ranges]
        out.validated = [str(dv.sqref) for dv in ws.data_validations.dataValidation]
        out.protected = bool(ws.protection.sheet)
        return out

    def _cached(self, sheet: str, addr: str):
        if self._values is None:
            import openpyxl
            self._values = openpyxl.load_workbook(self.path, data_only=True)
        return self._values[sheet][addr].value

    # -- writing -----------------------------------------------------------------

    def unprotect(self) -> None:
        # openpyxl writes regardless of protection; remember it to restore it exactly.
        import copy
        self._protection = (copy.copy(self.wb.security),
                            {ws.title: copy.copy(ws.protection) for ws in self.wb.worksheets})

    def protect(self) -> None:
        if self._protection is None:
            return
        security, sheets = self._protection
        self.wb.security = security
        for ws in self.wb.worksheets:
            if ws.title in sheets:
                ws.protection = sheets[ws.title]
        self._protection = None

    def clear_notes(self) -> list:
        from openpyxl.comments import Comment
        removed = []
        for ws in self.wb.worksheets:
            for cell in list(ws._cells.values()):
                c = cell.comment
                if c is None or not is_our_note(c.author, c.text):
                    continue
                kept = kept_note(c.text)
                cell.comment = Comment(kept[1], kept[0]) if kept else None
                removed.append((ws.title, cell.coordinate))
        return removed

    def _cell(self, sheet: str, address: str):
        """The cell, or the first cell of the merged range that covers it."""
        from openpyxl.cell.cell import MergedCell
        ws = self.wb[sheet]
        cell = ws[address]
        if isinstance(cell, MergedCell):
            for rng in ws.merged_cells.ranges:
                if address in rng:
                    return ws.cell(rng.min_row, rng.min_col)
        return cell

    def write_note(self, sheet: str, address: str, text: str) -> None:
        from openpyxl.comments import Comment
        cell = self._cell(sheet, address)
        old = cell.comment
        text = combine_note(text, old.author if old else None, old.text if old else None)
        width, height = _note_size(text)
        cell.comment = Comment(text, NOTE_AUTHOR, height=height, width=width)

    def set_fill(self, sheet: str, address: str, colour: str | None) -> None:
        from openpyxl.styles import PatternFill
        cell = self._cell(sheet, address)
        cell.fill = PatternFill("solid", fgColor=colour) if colour else PatternFill(fill_type=None)

    def remove_results(self) -> None:
        if RESULTS_SHEET in self.wb.sheetnames:
            self.wb.remove(self.wb[RESULTS_SHEET])
            self._select(0)

    def write_results(self, summary: str, rows: list) -> None:
        from openpyxl.styles import Alignment, Border, Font, PatternFill, Protection, Side
        from openpyxl.utils import get_column_letter
        from openpyxl.worksheet.hyperlink import Hyperlink
        from openpyxl.worksheet.properties import PageSetupProperties

        index = None
        if RESULTS_SHEET in self.wb.sheetnames:
            index = self.wb.sheetnames.index(RESULTS_SHEET)
            self.wb.remove(self.wb[RESULTS_SHEET])
        ws = self.wb.create_sheet(RESULTS_SHEET, index)
        thin = Side(style="thin", color="000000")
        border = Border(left=thin, right=thin, top=thin, bottom=thin)
        top = Alignment(vertical="top", wrap_text=True)
        headers = RESULTS_HEADERS + [RESULTS_RECORD_HEADER]
        last = get_column_letter(len(RESULTS_HEADERS) - 1)  # the visible columns end at G
        ws["A1"] = summary
        ws["A1"].font = Font(name=FONT, size=12, bold=True)
        ws["A1"].alignment = Alignment(vertical="center", wrap_text=True)
        ws.merge_cells(f"A1:{last}1")
        ws.row_dimensions[1].height = 36
        for col, text in enumerate(headers, start=1):
            c = ws.cell(RESULTS_HEADER_ROW, col, text)
            c.font = Font(name=FONT, size=10, bold=True)
            c.fill = PatternFill("solid", fgColor=LABEL_FILL)
            c.alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)
            c.border = border
        for r, row in enumerate(rows, start=RESULTS_HEADER_ROW + 1):
            for col, value in enumerate(row.values + [row.record], start=1):
                c = ws.cell(r, col, value if value != "" else None)
                c.font = Font(name=FONT, size=10)
                c.alignment = top
                c.border = border
            ws.row_dimensions[r].height = results_row_height(row.values)
            ws.cell(r, RESULTS_SEVERITY_COL).fill = PatternFill("solid", fgColor=SEVERITY_FILLS[row.severity])
            ws.cell(r, RESULTS_EXPLANATION_COL).protection = Protection(locked=False)
            if row.link:
                sheet, addr = row.link
                link = ws.cell(r, RESULTS_LINK_COL)
                link.hyperlink = Hyperlink(ref=link.coordinate, location=f"'{sheet}'!{addr}",
                                           tooltip=f"转到 {sheet}!{addr}")
                link.value = row.values[RESULTS_LINK_COL - 1]
                link.font = Font(name=FONT, size=10, color="0563C1", underline="single")
        if not rows:
            ws.cell(RESULTS_HEADER_ROW + 1, 1, "没有发现问题。").font = Font(name=FONT, size=10)
        for letter, width in RESULTS_WIDTHS.items():
            ws.column_dimensions[letter].width = width
        for col in (RESULTS_KEY_COL, RESULTS_RECORD_COL):
            ws.column_dimensions[get_column_letter(col)].hidden = True
        ws.freeze_panes = f"A{RESULTS_HEADER_ROW + 1}"
        ws.print_title_rows = f"{RESULTS_HEADER_ROW}:{RESULTS_HEADER_ROW}"
        ws.page_setup.orientation = "landscape"
        ws.page_setup.paperSize = ws.PAPERSIZE_A4
        ws.page_setup.fitToWidth = 1
        ws.page_setup.fitToHeight = 0
        ws.sheet_properties.pageSetUpPr = PageSetupProperties(fitToPage=True)
        ws.print_area = f"A1:{last}{max(RESULTS_HEADER_ROW + len(rows), RESULTS_HEADER_ROW + 1)}"
        ws.protection.sheet = True
        ws.protection.formatColumns = False
        ws.protection.formatRows = False
        self._select(self.wb.sheetnames.index(RESULTS_SHEET))

    def _select(self, index: int) -> None:
        """Make one visible sheet active and selected (never a group of sheets)."""
        sheets = self.wb.worksheets
        if not sheets:
            return
        if sheets[min(index, len(sheets) - 1)].sheet_state != "visible":
            index = next((i for i, s in enumerate(sheets) if s.sheet_state == "visible"), 0)
        for s in sheets:
            s.sheet_view.tabSelected = False
        self.wb.active = index
        self.wb.active.sheet_view.tabSelected = True

    def alert(self, message: str) -> None:
        self.alerts.append(message)

    def save(self, out: str | Path) -> Path:
        with atomic_output(out) as tmp:
            self.wb.save(tmp)
            normalise_vml(tmp)
        return Path(out)


def _shape_kind(shape) -> str:
    data = shape.find(f"{{{VML_EXCEL}}}ClientData")
    return data.get("ObjectType", "") if data is not None else ""


def normalise_vml(path: Path) -> None:
    """Give every VML drawing of the package its own block of shape ids.

    openpyxl numbers note shapes from ``_x0000_s1026`` in every drawing and,
    in a drawing it keeps for VBA (the form buttons of the macro template),
    appends a second ``shapelayout``: the notes would then share ids with the
    buttons.  Drawings with other shapes keep their block; the others get
    free blocks; notes are renumbered after the other shapes of the block.
    """
    with zipfile.ZipFile(path) as zin:
        infos = zin.infolist()
        data = {i.filename: zin.read(i) for i in infos}
    roots = {}
    for name, blob in data.items():
        if name.endswith(".vml"):
            try:
                roots[name] = ET.fromstring(blob)
            except ET.ParseError:
                continue
    if not roots:
        return
    shape_tag, layout_tag = f"{{{VML}}}shape", f"{{{VML_OFFICE}}}shapelayout"
    idmap_tag = f"{{{VML_OFFICE}}}idmap"

    def first_block(root) -> int | None:
        idmap = root.find(f"{layout_tag}/{idmap_tag}")
        try:
            return int((idmap.get("data") or "").split(",")[0]) if idmap is not None else None
        except ValueError:
            return None

    blocks, used = {}, set()
    for name, root in roots.items():
        if any(_shape_kind(s) != "Note" for s in root.findall(shape_tag)):
            b = first_block(root)
            if b is not None and b not in used:
                blocks[name] = b
                used.add(b)
    kept = set(blocks)
    free = (b for b in range(1, 100_000) if b not in used)
    for name, root in roots.items():
        if name not in blocks:
            blocks[name] = next(free)
        block = blocks[name]
        layouts = root.findall(layout_tag)
        for extra in layouts[1:]:
            root.remove(extra)
        if layouts:
            idmap = layouts[0].find(idmap_tag)
            if idmap is not None and name not in kept:
                idmap.set("data", str(block))
        taken = {s.get("id") for s in root.findall(shape_tag) if _shape_kind(s) != "Note"}
        n = block * 1024
        for shape in root.findall(shape_tag):
            if _shape_kind(shape) != "Note":
                continue
            n += 1
            while f"_x0000_s{n}" in taken:
                n += 1
            shape.set("id", f"_x0000_s{n}")
        data[name] = ET.tostring(root)
    tmp = Path(str(path) + ".vml")
    try:
        with zipfile.ZipFile(tmp, "w", zipfile.ZIP_DEFLATED) as zout:
            for info in infos:
                zout.writestr(info, data[info.filename])
        tmp.replace(path)
    finally:
        tmp.unlink(missing_ok=True)


# ---------------------------------------------------------------------------


def annotate_file(path: str | Path, out: str | Path, result=None) -> Path:
    """Write a marked copy of ``path`` (checked now unless ``result`` is given) to ``out``."""
    from ..engine.check import check
    from ..errors import UnreadableWorkbook
    path, out = Path(path), Path(out)
    if out.exists() and out.resolve() == path.resolve():
        raise XxgkError(f"带批注的副本不能覆盖原文件：{out}")
    if result is None:
        result = check(path)
    if not result.readable:
        raise UnreadableWorkbook(path, result.error)
    try:
        book = OpenpyxlBook(path)
    except Exception as exc:  # openpyxl on a file our guarded reader accepted
        raise UnreadableWorkbook(path, f"无法生成带批注的副本（{type(exc).__name__}）") from None
    apply_marks(book, result)
    return book.save(out)


def output_suffix(path: str | Path) -> str:
    """``.xlsm`` for a workbook with macros (kept as macro-enabled), else ``.xlsx``."""
    return ".xlsm" if _has_vba(Path(path)) else ".xlsx"


def _default_skip(message: str) -> None:
    print(message, file=sys.stderr)


def annotate_results(results: list, out: str | Path, on_skip=_default_skip) -> list:
    """Write a marked copy for each readable result; returns the paths written.

    One result: ``out`` is the output file (or a folder to write
    ``<name>-校验.xlsx`` into).  Several: ``out`` is a folder.  Unreadable
    files are skipped with a message through ``on_skip``.
    """
    out = Path(out)
    folder = len(results) > 1 or out.is_dir() or str(out).endswith(("/", "\\"))
    if folder and out.exists() and not out.is_dir():
        raise XxgkError(f"检查多个文件时，--annotate 需要一个文件夹，但“{out}”是一个文件")
    written: list = []
    used: set = set()
    for r in results:
        src = Path(r.file)
        if not r.readable:
            on_skip(f"未生成带批注的副本（文件无法读取）：{src.name}")
            continue
        suffix = output_suffix(src)
        if folder:
            target = out / f"{src.stem}{OUTPUT_SUFFIX}{suffix}"
            n = 2
            while target in used:
                target = out / f"{src.stem}{OUTPUT_SUFFIX}-{n}{suffix}"
                n += 1
        else:
            target = out
            if target.suffix.lower() != suffix:
                fixed = target.with_suffix(suffix) if target.suffix.lower() in (".xlsx", ".xlsm") \
                    else target.with_name(target.name + suffix)
                on_skip(f"带批注的副本应为 {suffix} 文件，已改为：{fixed}")
                target = fixed
        used.add(target)
        try:
            written.append(annotate_file(src, target, r))
        except XxgkError as exc:
            on_skip(f"未生成带批注的副本：{exc}")
    return written
