"""Build the locked Excel template of an edition from the spec (openpyxl)."""

from __future__ import annotations

from pathlib import Path

from openpyxl import Workbook
from openpyxl.styles import Alignment, Border, Font, PatternFill, Protection, Side
from openpyxl.workbook.protection import WorkbookProtection
from openpyxl.worksheet.datavalidation import DataValidation
from openpyxl.formatting.rule import FormulaRule
from openpyxl.worksheet.dimensions import RowDimension
from openpyxl.worksheet.properties import PageSetupProperties

from . import styles
from ..atomic import atomic_output
from .. import spec as E
from ..spec import DEFAULT_EDITION, get_edition
from ..spec.model import Edition, SheetLayout
from .common import META_KEYS, VALIDATIONS, print_area, validation_targets  # noqa: F401 — API here too


_THIN = Side(style="thin", color="000000")
_BORDER = Border(left=_THIN, right=_THIN, top=_THIN, bottom=_THIN)


def openpyxl_style(role: str) -> dict:
    """openpyxl style objects for a layout role (cached per role)."""
    s = styles.ROLE_STYLES[role]
    out = {
        "font": Font(name=s.get("font", styles.FONT), size=s.get("size", 11),
                     bold=s.get("bold", False), italic=s.get("italic", False),
                     color=s.get("color")),
        "alignment": Alignment(horizontal=s.get("halign"), vertical=s.get("valign"),
                               wrap_text=s.get("wrap", False)),
        "protection": Protection(locked=not s.get("unlocked", False)),
    }
    if s.get("border"):
        out["border"] = _BORDER
    if s.get("fill"):
        out["fill"] = PatternFill("solid", fgColor=s["fill"])
    return out




def _apply(cell, st: dict) -> None:
    for k, v in st.items():
        setattr(cell, k, v)


def write_layout(ws, lay: SheetLayout, edition: Edition) -> None:
    """Draw one sheet layout (labels, inputs, totals, merges, sizes, print setup)."""
    cache: dict = {}

    def style(role):
        if role not in cache:
            cache[role] = openpyxl_style(role)
        return cache[role]

    # Borders must be on every cell of a bordered merged range.
    for rng in lay.merges:
        ws.merge_cells(rng)
    for addr, lc in lay.cells.items():
        role = lc.role
        cell = ws[addr]
        if lc.cell_id:
            c = edition.by_id[lc.cell_id]
            if c.kind in ("input", "info", "text"):
                role = "input_text" if c.type == "text" and c.kind == "text" else "input"
                if c.kind == "info":
                    role = "input"
            if c.type in styles.NUMBER_FORMATS:
                cell.number_format = styles.NUMBER_FORMATS[c.type]
        if lc.value is not None:
            cell.value = lc.value
        _apply(cell, style(role))
    for rng in lay.merges:  # outline merged areas so the printed grid is complete
        first = rng.split(":")[0]
        st = style(lay.cells[first].role) if first in lay.cells else None
        if st is None or "border" not in st:
            continue
        for row in ws[rng]:
            for cell in row:
                cell.border = st["border"]
                if "fill" in st:
                    cell.fill = st["fill"]
                if "protection" in st and cell.coordinate != first:
                    cell.protection = st["protection"]
    for col, width in lay.col_widths.items():
        ws.column_dimensions[col].width = width
    for row, height in lay.row_heights.items():
        ws.row_dimensions[row].height = height
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    ws.page_setup.orientation = "landscape" if lay.landscape else "portrait"
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = lay.fit_height
    ws.sheet_properties.pageSetUpPr = PageSetupProperties(fitToPage=True)
    ws.print_options.horizontalCentered = True
    ws.page_margins.left = ws.page_margins.right = 0.5
    if lay.margins:
        m = ws.page_margins
        m.left, m.right, m.top, m.bottom, m.header, m.footer = lay.margins
    if lay.print_title_rows:
        ws.print_title_rows = lay.print_title_rows
    ws.print_area = print_area(lay)
    ws.sheet_view.showGridLines = False
    if lay.header:
        _header_footer(ws.oddHeader, lay.header)
    if lay.footer:
        _header_footer(ws.oddFooter, lay.footer)
    for col in lay.hidden_cols:
        ws.column_dimensions[col].hidden = True
    for sqref, formula, key in lay.conditional:
        fill, color = styles.CONDITIONAL_STYLES[key]
        ws.conditional_formatting.add(sqref, FormulaRule(
            formula=[formula], font=Font(color=color, bold=fill is None),
            fill=None if fill is None else PatternFill("solid", start_color=fill, end_color=fill,
                                                       bgColor=fill)))


def _header_footer(hf, codes: str) -> None:
    """Set an openpyxl header/footer from Excel codes ("&L…&C…&R…")."""
    import re
    for part in re.findall(r"&([LCR])((?:(?!&[LCR]).)*)", codes):
        side = {"L": hf.left, "C": hf.center, "R": hf.right}[part[0]]
        side.text = part[1]
        side.size = 10
        side.font = styles.FONT


def add_validations(ws, lay: SheetLayout, edition: Edition) -> None:
    by_type: dict = {}
    for addr, typ in validation_targets(lay, edition):
        by_type.setdefault(typ, []).append(addr)
    for typ, addrs in by_type.items():
        dv = DataValidation(allow_blank=True, showInputMessage=True, showErrorMessage=True,
                            errorStyle="stop", **VALIDATIONS[typ])
        for a in addrs:
            dv.add(a)
        ws.add_data_validation(dv)


def meta_rows(edition: str | Edition) -> list[tuple[str, str]]:
    """(key, value) rows of the very hidden meta sheet, in ``META_KEYS`` order.

    The one source of these values for every template writer (openpyxl here,
    XlsxWriter in ``toolkit.xlsx.macro_template``), so readers detect the edition
    and fingerprint of either template the same way.
    """
    ed = edition if isinstance(edition, Edition) else get_edition(edition)
    return list(zip(META_KEYS, (ed.key, E.TEMPLATE_VERSION, ed.fingerprint, "template")))


def build_template(edition: str = DEFAULT_EDITION) -> Workbook:
    """The locked template workbook of ``edition`` (an openpyxl Workbook)."""
    ed = get_edition(edition)
    wb = Workbook()
    wb.remove(wb.active)
    for lay in ed.layouts:
        ws = wb.create_sheet(lay.name)
        write_layout(ws, lay, ed)
        add_validations(ws, lay, ed)
        ws.protection.sheet = True
        ws.protection.formatColumns = False  # let clerks widen columns
        ws.protection.formatRows = False
    for lay in ed.layouts:
        if lay.freeze:
            wb[lay.name].freeze_panes = lay.freeze
    meta = wb.create_sheet(E.SHEETS["meta"])
    for i, (k, v) in enumerate(meta_rows(ed), start=1):
        meta.cell(i, 1, k)
        meta.cell(i, 2, v)
    meta.sheet_state = "veryHidden"
    meta.protection.sheet = True
    wb.security = WorkbookProtection(lockStructure=True)
    wb.active = 0
    return wb


def write_template(path: str | Path, edition: str = DEFAULT_EDITION, force: bool = False) -> Path:
    """Build the template of ``edition`` and write it atomically to ``path``."""
    wb = build_template(edition)
    with atomic_output(path, force=force) as tmp:
        wb.save(tmp)
    return Path(path)


def write_filled_workbook(path: str | Path, edition: str, values: dict, info: dict,
                          texts: dict, overrides: dict | None = None,
                          text_overrides: bool = False, force: bool = False,
                          inputs=()) -> Path:
    """Write the template of ``edition`` filled with ``values``, unit details and texts.

    ``overrides`` maps cell ids to raw values written as-is (e.g. a typed
    number over a total's formula, or text in a number cell); strings that
    start with ``=`` become formulas unless ``text_overrides`` is set.
    Unit details and narrative text are always written as text.
    """
    ed = get_edition(edition)
    cells_of = section_cells(ed, texts)  # raises SectionTooLong before anything is built
    wb = build_template(edition)
    for c in ed.cells:
        if c.kind == "input" and c.id in values:
            wb[c.sheet][c.address].value = values[c.id]
        elif c.kind == "info" and c.row in info:
            _set_text(wb[c.sheet][c.address], info[c.row])
        elif c.kind == "text" and c.id in cells_of:
            _set_text(wb[c.sheet][c.address], cells_of[c.id] or None)
            fit_paragraph_row(wb[c.sheet], c.address, cells_of[c.id])
    for cid, raw in (overrides or {}).items():
        c = ed.by_id[cid]
        if text_overrides:
            _set_text(wb[c.sheet][c.address], raw)
        else:
            wb[c.sheet][c.address].value = raw
    with atomic_output(path, force=force, inputs=inputs) as tmp:
        wb.save(tmp)
    return Path(path)


class _FittedRow(RowDimension):
    """A row height that is not custom: written as ``ht`` without ``customHeight``, so the
    row keeps fitting its text when edited in Excel, WPS or LibreOffice."""

    @property
    def customHeight(self):
        return False


def fit_paragraph_row(ws, address: str, text) -> None:
    """Give the row of a 正文 paragraph cell the height of ``text`` (not a custom height;
    see ``toolkit.spec.paragraphs.row_height``); an empty cell's row gets no height."""
    from openpyxl.utils.cell import coordinate_from_string
    from ..spec.paragraphs import row_height
    row = coordinate_from_string(address)[1]
    old = ws.row_dimensions[row]
    height = row_height(text if isinstance(text, str) else "")
    ws.row_dimensions[row] = _FittedRow(ws, index=row, ht=height, hidden=old.hidden,
                                        outlineLevel=old.outlineLevel, collapsed=old.collapsed)


def section_cells(ed: Edition, texts: dict) -> dict:
    """Paragraph cell id -> text of the 正文 ``texts`` (section key -> text), packed into
    each section's cells (``toolkit.spec.paragraphs.split_section``; raises ``SectionTooLong``)."""
    from ..spec.paragraphs import split_section
    out = {}
    for key, *_ in E.TEXT_SECTIONS:
        if key not in texts:
            continue
        cells = ed.text_cells(key)
        text = "" if texts[key] is None else str(texts[key])
        out.update(zip((c.id for c in cells), split_section(key, text, len(cells))))
    return out


def _set_text(cell, value) -> None:
    """Set a value; a string is always stored as text, never as a formula.

    Control characters XML cannot hold (a form feed from a text file) are dropped:
    openpyxl would refuse the whole workbook."""
    if isinstance(value, str):
        from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
        value = ILLEGAL_CHARACTERS_RE.sub("", value)
    cell.value = value
    if isinstance(value, str):
        cell.data_type = "s"
