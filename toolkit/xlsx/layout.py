"""Render a spec ``SheetLayout`` with XlsxWriter.

Used where XlsxWriter is the better writer: the merge summary (fast,
charts) and the macro-enabled template (VBA project, buttons).  Produces
the same labels, merges, formulas, validations and protection as the
openpyxl template writer in ``toolkit.xlsx.template``.
"""

from __future__ import annotations

from . import styles
from ..spec.model import Edition, SheetLayout
from .common import VALIDATIONS, validation_targets

_TEXT_SAFE_PREFIXES = ("=", "+", "-", "@")


class FormatCache:
    """XlsxWriter formats by (role, number format, fill) for one workbook."""

    def __init__(self, workbook):
        self.wb = workbook
        self._cache: dict = {}

    def get(self, role: str, num_format: str | None = None, fill: str | None = None):
        key = (role, num_format, fill)
        if key not in self._cache:
            s = styles.ROLE_STYLES[role]
            props = {
                "font_name": s.get("font", styles.FONT), "font_size": s.get("size", 11),
                "bold": s.get("bold", False), "italic": s.get("italic", False),
                "align": s.get("halign") or "general", "valign": {"center": "vcenter"}.get(
                    s.get("valign"), s.get("valign") or "bottom"),
                "text_wrap": s.get("wrap", False), "locked": not s.get("unlocked", False),
            }
            if s.get("color"):
                props["font_color"] = "#" + s["color"]
            if s.get("border"):
                props["border"] = 1
            if fill or s.get("fill"):
                props["bg_color"] = "#" + (fill or s["fill"])
                props["pattern"] = 1
            if num_format:
                props["num_format"] = num_format
            self._cache[key] = self.wb.add_format(props)
        return self._cache[key]


def write_text(ws, row: int, col: int, value, fmt=None) -> None:
    """Write text that must never become a formula (untrusted input)."""
    if value is None:
        ws.write_blank(row, col, None, fmt)
    elif isinstance(value, str):
        ws.write_string(row, col, value, fmt)
    else:
        ws.write(row, col, value, fmt)


def _rc(addr: str) -> tuple[int, int]:
    from xlsxwriter.utility import xl_cell_to_rowcol
    return xl_cell_to_rowcol(addr)


def write_layout(workbook, ws, lay: SheetLayout, edition: Edition, fmts: FormatCache,
                 values: dict | None = None, fills: dict | None = None,
                 protect: bool = True, validations: bool = True) -> None:
    """Draw ``lay`` on the XlsxWriter worksheet ``ws``.

    ``values`` maps cell ids to values written into input/info/text cells;
    totals are written as formulas carrying the computed value as cache.
    ``fills`` maps cell ids to a fill colour (e.g. severity marks).
    """
    values = values or {}
    fills = fills or {}
    merged_first = {}
    for rng in lay.merges:
        first, last = rng.split(":")
        merged_first[first] = rng

    def cell_format(addr, lc):
        role = lc.role
        num = None
        fill = None
        if lc.cell_id:
            c = edition.by_id[lc.cell_id]
            if c.kind in ("input", "info"):
                role = "input"
            elif c.kind == "text":
                role = "input_text"
            num = styles.NUMBER_FORMATS.get(c.type)
            fill = fills.get(lc.cell_id)
        return fmts.get(role, num, fill)

    def cell_value(lc):
        if not lc.cell_id:
            return lc.value
        c = edition.by_id[lc.cell_id]
        if c.kind == "total":
            return lc.value
        return values.get(lc.cell_id)

    for addr, lc in lay.cells.items():
        fmt = cell_format(addr, lc)
        val = cell_value(lc)
        if addr in merged_first:
            r1, c1 = _rc(addr)
            r2, c2 = _rc(merged_first[addr].split(":")[1])
            if isinstance(val, str) and not (lc.cell_id and edition.by_id[lc.cell_id].kind == "total") \
                    and not _is_spec_formula(lc):
                ws.merge_range(r1, c1, r2, c2, "", fmt)
                ws.write_string(r1, c1, val, fmt)
            else:
                ws.merge_range(r1, c1, r2, c2, None, fmt)
                _write_value(ws, r1, c1, lc, val, fmt, edition, values)
        else:
            r, c = _rc(addr)
            _write_value(ws, r, c, lc, val, fmt, edition, values)
    for col, width in lay.col_widths.items():
        idx = _rc(f"{col}1")[1]
        ws.set_column(idx, idx, width)
    for row, height in lay.row_heights.items():
        ws.set_row(row - 1, height)
    ws.set_paper(9)
    if lay.landscape:
        ws.set_landscape()
    else:
        ws.set_portrait()
    ws.fit_to_pages(1, lay.fit_height)
    ws.center_horizontally()
    if lay.margins:
        left, right, top, bottom, header, footer = lay.margins
        ws.set_margins(left=left, right=right, top=top, bottom=bottom)
    else:
        ws.set_margins(left=0.5, right=0.5)
        header = footer = 0.3
    if lay.print_title_rows:
        a, b = lay.print_title_rows.split(":")
        ws.repeat_rows(int(a) - 1, int(b) - 1)
    ws.print_area(print_area(lay))
    ws.hide_gridlines(2)
    if lay.header:
        ws.set_header(_hf_codes(lay.header), {"margin": header})
    if lay.footer:
        ws.set_footer(_hf_codes(lay.footer), {"margin": footer})
    for col in lay.hidden_cols:
        idx = _rc(f"{col}1")[1]
        width = lay.col_widths.get(col)
        ws.set_column(idx, idx, width, None, {"hidden": True})
    for sqref, formula, key in lay.conditional:
        fill, color = styles.CONDITIONAL_STYLES[key]
        fmt = workbook_cf_format(workbook, fmts, key)
        ranges = sqref.split()
        opts = {"type": "formula", "criteria": "=" + formula, "format": fmt}
        if len(ranges) > 1:
            opts["multi_range"] = sqref
        ws.conditional_format(ranges[0], opts)
    if validations:
        for addr, typ in validation_targets(lay, edition):
            ws.data_validation(addr, _xlsxwriter_validation(typ))
    if protect:
        ws.protect("", {"format_columns": True, "format_rows": True})


def workbook_cf_format(workbook, fmts: FormatCache, key: str):
    """The (cached) XlsxWriter format of a conditional-format style key."""
    cache = fmts._cache
    if ("cf", key) not in cache:
        fill, color = styles.CONDITIONAL_STYLES[key]
        props = {"font_color": "#" + color}
        props.update({"bold": True} if fill is None else {"bg_color": "#" + fill})
        cache[("cf", key)] = workbook.add_format(props)
    return cache[("cf", key)]


def _hf_codes(codes: str) -> str:
    """Header/footer codes with the font and size the openpyxl writer sets."""
    import re
    return re.sub(r"&([LCR])", lambda m: f'&{m.group(1)}&"{styles.FONT},Regular"&10', codes)


def print_area(lay: SheetLayout) -> str:
    from .common import print_area as area
    return area(lay)


def _is_spec_formula(lc) -> bool:
    return not lc.cell_id and isinstance(lc.value, str) and lc.value.startswith("=")


def _write_value(ws, r, c, lc, val, fmt, edition, values):
    if _is_spec_formula(lc):
        ws.write_formula(r, c, lc.value, fmt)
    elif lc.cell_id and edition.by_id[lc.cell_id].kind == "total":
        cached = values.get(lc.cell_id)
        if cached is None:
            ws.write_formula(r, c, lc.value, fmt)
        else:
            ws.write_formula(r, c, lc.value, fmt, cached)
    elif isinstance(val, str):
        ws.write_string(r, c, val, fmt)
    elif val is None:
        ws.write_blank(r, c, None, fmt)
    else:
        ws.write_number(r, c, val, fmt)


def _xlsxwriter_validation(typ: str) -> dict:
    v = VALIDATIONS[typ]
    crit = {"greaterThanOrEqual": ">=", "lessThanOrEqual": "<=", "between": "between"}
    out = {
        "validate": {"whole": "integer", "decimal": "decimal", "list": "list",
                     "textLength": "length"}[v["type"]],
        "input_title": v["promptTitle"], "input_message": v["prompt"],
        "error_title": v["errorTitle"], "error_message": v["error"],
        "ignore_blank": True,
    }
    if v["type"] == "list":
        out["source"] = v["formula1"].strip('"').split(",")
    elif v["operator"] == "between":
        out["criteria"] = "between"
        out["minimum"] = int(v["formula1"])
        out["maximum"] = int(v["formula2"])
    else:
        out["criteria"] = crit[v["operator"]]
        out["value"] = int(v["formula1"])
    return out
