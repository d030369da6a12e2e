"""Write a :class:`toolkit.merge.run.MergeResult` as the summary workbook (XlsxWriter).

Sheets, in order:

* 说明 — when, by which version, from which folder, counts, legend;
* the template's own sheets (封面, 二、主动公开, 三、依申请公开, 四、复议诉讼,
  正文) holding the sums, drawn by ``xlsx_layout.write_layout`` — with the
  very hidden ``xxgk`` meta sheet (kind ``summary``) the summary is itself a
  valid input of ``read_report`` and ``merge`` (multi-level merging);
* 明细 — one row per readable workbook, every data cell a column; cells
  involved in a finding carry its message as a note and a severity fill.
  Row 1 (hidden) holds the cell ids, so a later merge can read last year's
  values per unit (``read_detail``).  Streamed (``constant_memory``);
* 问题清单 — every finding, linked to its cell in 明细;
* 图表 — native charts.

Text that comes from input files (unit names, file names, messages) is only
ever written with ``write_string``: it can never become a formula.
"""

from __future__ import annotations

import math
import re
import shutil
import tempfile
import zipfile
from datetime import date
from pathlib import Path

import xlsxwriter
from xlsxwriter.utility import xl_col_to_name, xl_rowcol_to_cell

from .. import __version__
from ..atomic import atomic_output
from ..engine.findings import NOTE_AUTHOR, SEVERITY_LABELS, SEVERITY_ORDER, TABLE_LABELS
from .. import spec as E
from ..spec import get_edition
from ..spec.catalogue import RULES
from .columns import data_columns
from .lastyear import DETAIL, DETAIL_FIRST_ROW, read_detail  # noqa: F401 — read_detail is API here too
from ..xlsx.styles import FONT, LABEL_FILL, SEVERITY_FILLS
from ..xlsx.common import META_KEYS
from ..xlsx.layout import FormatCache, write_layout
from ..marks.summary import detail_plan, doubt_text

ISSUES = "问题清单"
CHARTS = "图表"
ABOUT = "说明"
SUMMARY_UNIT_TYPE = "县级人民政府"
SUMMARY_PREPARER = "xxgk自动汇总"
NOTE_MAX = 30000  # characters; Excel's limit for a note is 32,767
NOTES_PER_CELL = 20
MAX_LINKS = 65000  # Excel keeps at most 65,530 hyperlinks per sheet
CHART_UNITS = 30  # units shown by name in the per-unit charts; the rest are one bar

# 明细: leading columns (key in the hidden id row, header, width).
LEAD = [("unit", "单位名称", 22), ("unit_type", "单位类型", 10), ("file", "文件名", 26),
        ("verdict", "校验结论", 9), ("included", "计入汇总", 14),
        ("error", "错误", 5), ("verify", "核实", 5), ("hint", "提示", 5)]
LEAD_COL = {k: i for i, (k, _, _) in enumerate(LEAD)}
FIRST_DATA_COL = len(LEAD)
# Cover cells shown in a leading column of 明细; other non-data cells → 校验结论.
_INFO_COLUMN = {"info.unit_name": "unit", "info.unit_type": "unit_type"}
ISSUE_HEADERS = [("单位", 22), ("文件", 26), ("表", 7), ("单元格", 22), ("规则", 7), ("级别", 6),
                 ("说明", 90)]


class _Formats:
    """Plain formats for the non-template sheets."""

    def __init__(self, wb):
        self.wb = wb
        self._cache: dict = {}

    def get(self, kind: str = "cell", fill: str | None = None, **extra):
        key = (kind, fill, tuple(sorted(extra.items())))
        if key not in self._cache:
            props = {"font_name": FONT, "font_size": 10, "valign": "vcenter"}
            if kind in ("head", "group"):
                props.update(bold=True, align="center", text_wrap=True, border=1,
                             bg_color="#" + LABEL_FILL)
            elif kind == "title":
                props.update(bold=True, font_size=14)
            elif kind == "num":
                props.update(align="center")
            elif kind == "wrap":
                props.update(text_wrap=True, valign="top")
            elif kind == "link":
                props.update(font_color="#0563C1", underline=1)
            if fill:
                props.update(bg_color="#" + fill, pattern=1)
            props.update(extra)
            self._cache[key] = self.wb.add_format(props)
        return self._cache[key]


def _note(ws, row: int, col: int, text: str, wide: bool = True) -> None:
    if len(text) > NOTE_MAX:
        text = text[:NOTE_MAX] + "……"
    ws.write_comment(row, col, text, {"author": NOTE_AUTHOR, "x_scale": 4 if wide else 2,
                                      "y_scale": 3 if wide else 1.5})


def _finding_line(f) -> str:
    return f"【{SEVERITY_LABELS[f.severity]} {f.rule}】{f.message}"


def _worst(findings) -> str:
    return min((f.severity for f in findings), key=lambda s: SEVERITY_ORDER[s])


def _note_text(findings) -> str:
    ordered = sorted(findings, key=lambda f: SEVERITY_ORDER[f.severity])
    lines = [_finding_line(f) for f in ordered[:NOTES_PER_CELL]]
    if len(ordered) > NOTES_PER_CELL:
        lines.append(f"……另有 {len(ordered) - NOTES_PER_CELL} 项，见“{ISSUES}”工作表")
    return f"{NOTE_AUTHOR}：\n" + "\n".join(lines)


def short_label(label: str) -> str:
    """``（二）部分公开（区分处理的…）`` → ``（二）部分公开``."""
    cut = label.find("（", 1)
    return label[:cut] if cut > 0 else label


# ---------------------------------------------------------------------------


def write_summary(result, output: str | Path) -> Path:
    """Write the summary workbook of ``result`` atomically to ``output``."""
    ed = get_edition(result.edition)
    with atomic_output(output, force=True) as tmp:
        wb = xlsxwriter.Workbook(str(tmp), {"strings_to_formulas": False,
                                            "strings_to_urls": False,
                                            "strings_to_numbers": False})
        wb.set_properties({"title": f"政府信息公开工作年度报告汇总表（{result.name}）",
                           "author": SUMMARY_PREPARER, "comments": f"xxgk {__version__}"})
        fmts = _Formats(wb)
        about = wb.add_worksheet(ABOUT)
        _write_tables(wb, result, ed)
        positions, rows = _write_detail(wb, fmts, result, ed)
        issues = _write_issues(wb, fmts, result, positions)
        del positions
        _write_charts(wb, fmts, result, ed)
        _write_about(about, fmts, result)
        meta = wb.add_worksheet(E.SHEETS["meta"])
        for r, (k, v) in enumerate(zip(META_KEYS, (ed.key, E.TEMPLATE_VERSION, ed.fingerprint,
                                                   "summary"))):
            meta.write_string(r, 0, k)
            meta.write_string(r, 1, v)
        meta.very_hidden()
        meta.protect()
        about.activate()
        wb.close()
        wb = fmts = about = meta = None  # its cells and notes are written: free them first
        import gc
        gc.collect()  # (XlsxWriter's objects refer to each other)
        splice(tmp, [rows, issues])
    return Path(output)


# -- 汇总: the template's sheets ----------------------------------------------------


def summary_info(result) -> dict:
    today = date.today()
    info = {
        "info.unit_name": result.name,
        "info.unit_type": SUMMARY_UNIT_TYPE,
        "info.county": result.county or result.name,
        "info.preparer": SUMMARY_PREPARER,
        "info.phone": "-",
        "info.date": f"{today.year}年{today.month}月{today.day}日",
    }
    if result.year is not None:
        info["info.year"] = result.year
    return info


def _write_tables(wb, result, ed) -> None:
    cache = FormatCache(wb)
    values = dict(result.totals)
    values.update(summary_info(result))
    fills = {cid: SEVERITY_FILLS["error"] for cid in result.contributors}
    for lay in ed.layouts:
        ws = wb.add_worksheet(lay.name)
        write_layout(wb, ws, lay, ed, cache, values=values, fills=fills, protect=True,
                     validations=True)
        if lay.freeze:
            ws.freeze_panes(lay.freeze)
        for addr, lc in lay.cells.items():
            entries = result.contributors.get(lc.cell_id) if lc.cell_id else None
            if entries:
                row, col = xlsxwriter.utility.xl_cell_to_rowcol(addr)
                _note(ws, row, col, doubt_text(entries, ed))


# -- 明细 ------------------------------------------------------------------------------


def _group_label(c) -> str:
    return f"{TABLE_LABELS[c.table]} {c.row_label}"


def _streaming_sheet(wb, name: str):
    """A worksheet in XlsxWriter's constant_memory mode (rows written in order
    and flushed), in a workbook whose other sheets are not: the template's
    sheets need random access for their merged ranges."""
    previous = wb.constant_memory
    wb.constant_memory = True
    try:
        return wb.add_worksheet(name)
    finally:
        wb.constant_memory = previous


def _write_detail(wb, fmts, result, ed) -> dict:
    """Write 明细; returns {(unit index, finding index): (row, col)} for links."""
    ws = _streaming_sheet(wb, DETAIL)
    cols = data_columns(ed.key)
    cells = [ed.by_id[c] for c in cols]
    col_of = {cid: FIRST_DATA_COL + i for i, cid in enumerate(cols)}
    last_col = FIRST_DATA_COL + len(cols) - 1
    for i, (_, _, width) in enumerate(LEAD):
        ws.set_column(i, i, width)
    ws.set_column(FIRST_DATA_COL, last_col, 9)
    ws.set_row(0, None, None, {"hidden": True})
    # row 1: machine keys (hidden)
    for i, (key, _, _) in enumerate(LEAD):
        ws.write_string(0, i, key)
    for i, cid in enumerate(cols):
        ws.write_string(0, FIRST_DATA_COL + i, cid)
    # row 2: table and row label, merged over equal neighbours
    head, group = fmts.get("head"), fmts.get("group")
    ws.set_row(1, 30)
    for i in range(FIRST_DATA_COL):
        ws.write_blank(1, i, None, group)
    start = 0
    for i in range(1, len(cells) + 1):
        if i == len(cells) or _group_label(cells[i]) != _group_label(cells[start]):
            a, b = FIRST_DATA_COL + start, FIRST_DATA_COL + i - 1
            label = _group_label(cells[start])
            if a == b:
                ws.write_string(1, a, label, group)
            else:
                ws.merge_range(1, a, 1, b, label, group)
            start = i
    # row 3: column labels, full label path in a note
    ws.set_row(2, 30)
    for i, (_, label, _) in enumerate(LEAD):
        ws.write_string(2, i, label, head)
    for i, c in enumerate(cells):
        ws.write_string(2, FIRST_DATA_COL + i, c.col_label or c.row_label, head)
        ws.write_comment(2, FIRST_DATA_COL + i, c.path.replace("/", " / "),
                         {"author": NOTE_AUTHOR, "x_scale": 2.5, "y_scale": 1.2})
    plain, num = fmts.get("cell"), fmts.get("num")
    positions: dict = {}
    rows = _DetailRows(wb, ws)
    row = DETAIL_FIRST_ROW
    for ui, u in enumerate(result.units):
        if not u.readable:
            continue
        same = u.edition == ed.key
        marks, links = detail_plan(u, col_of, same, LEAD_COL, _INFO_COLUMN)
        for fi, col in links.items():
            positions[(ui, fi)] = (row, col)

        def fmt(col, base):
            mark = marks.get(col)
            return fmts.get(base, mark.fill) if mark else (plain if base == "cell" else num)

        counts = u.counts
        lead_values = {
            "unit": u.unit, "unit_type": u.unit_type, "file": u.display,
            "verdict": u.verdict_label,
            "included": (("是（由报告导入）" if u.source == "import" else "是") if u.included
                         else f"否（{u.excluded_reason}）"),
            "error": counts["error"], "verify": counts["verify"], "hint": counts["hint"],
        }
        cells = [(lead_values[key], fmt(i, "cell" if isinstance(lead_values[key], str) else "num"))
                 for i, (key, _, _) in enumerate(LEAD)]
        if same and marks:
            cells += [(v, fmt(FIRST_DATA_COL + i, "num")) for i, v in enumerate(u.values)]
            rows.add(row, cells)
        else:
            rows.add(row, cells, u.values if same else (), num)
        for col, mark in marks.items():
            if mark.notes:
                _note(ws, row, col, _note_text(mark.notes))
        row += 1
    rows.last_col = last_col
    ws.freeze_panes(DETAIL_FIRST_ROW, 1)
    ws.set_landscape()
    ws.set_paper(9)
    ws.repeat_rows(1, DETAIL_FIRST_ROW - 1)
    ws.repeat_columns(0, 0)
    ws.autofilter(DETAIL_FIRST_ROW - 1, 0, max(row - 1, DETAIL_FIRST_ROW), last_col)
    return positions, rows


_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\ufffe\uffff]|_(?=x[0-9a-fA-F]{4}_)")
_COLS = [xl_col_to_name(i) for i in range(1000)]


def _xml_text(text: str) -> str:
    """Text for an inline string: Excel's _xHHHH_ escapes for control characters
    (and for a literal ``_xHHHH_``), then XML escapes; never markup."""
    if _CONTROL.search(text):
        text = _CONTROL.sub(lambda m: "_x005F" if m.group(0) == "_" else f"_x{ord(m.group(0)):04X}_", text)
    text = text.encode("utf-8", "replace").decode("utf-8")  # lone surrogates from odd file names
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


class _DetailRows:
    """The data rows of 明细, written as sheet XML directly.

    XlsxWriter spends about 4 µs per cell; 明细 of 10,000 units has 2.2 million
    cells, which made the summary the serial bottleneck of a merge.  The rows
    are formatted here (numbers as XlsxWriter formats them, text as escaped
    inline strings, styles by the formats' XF indices) into a temporary file,
    and spliced into the sheet part XlsxWriter wrote (header rows, notes,
    panes, filter) when the workbook is closed.
    """

    def __init__(self, wb, ws):
        self.part = f"xl/worksheets/sheet{wb.worksheets().index(ws) + 1}.xml"
        self.fh = tempfile.TemporaryFile("w+", encoding="utf-8")
        self.links = None  # <hyperlink> elements (a second temporary file), see link()
        self.last_row = -1
        self.last_col = 0
        self._xf: dict = {}

    def _s(self, fmt) -> int:
        key = id(fmt)
        if key not in self._xf:
            self._xf[key] = fmt._get_xf_index()
        return self._xf[key]

    def add(self, row: int, cells: list, numbers=(), fmt=None, height: float | None = None) -> None:
        """Row ``row`` (0-based): ``cells`` as (value, format), then ``numbers`` all in ``fmt``;
        ``height`` in points as XlsxWriter's ``set_row`` takes it (rounded to whole pixels)."""
        r = row + 1
        if height is None:
            out = [f'<row r="{r}">']
        else:
            out = [f'<row r="{r}" ht="{int(height * 4.0 / 3.0 + 0.5) * 0.75:.16g}" customHeight="1">']
        for col, (v, fmt) in enumerate(cells):
            ref = f"{_COLS[col]}{r}"
            s = self._s(fmt)
            if isinstance(v, str):
                t = _xml_text(v)
                space = ' xml:space="preserve"' if t[:1].isspace() or t[-1:].isspace() else ""
                out.append(f'<c r="{ref}" s="{s}" t="inlineStr"><is><t{space}>{t}</t></is></c>')
            elif v is None or isinstance(v, bool):
                out.append(f'<c r="{ref}" s="{s}"/>')
            elif isinstance(v, float) and not math.isfinite(v):
                out.append(f'<c r="{ref}" s="{s}" t="e"><v>#NUM!</v></c>')
            else:
                out.append(f'<c r="{ref}" s="{s}"><v>{v:.16G}</v></c>')
        if numbers:
            s, first = self._s(fmt), len(cells)
            if all(type(v) is int for v in numbers):
                out.extend(f'<c r="{c}{r}" s="{s}"><v>{v}</v></c>'
                           for c, v in zip(_COLS[first:first + len(numbers)], numbers))
            else:
                for col, v in enumerate(numbers, start=first):
                    if isinstance(v, float) and not math.isfinite(v):
                        out.append(f'<c r="{_COLS[col]}{r}" s="{s}" t="e"><v>#NUM!</v></c>')
                    else:
                        out.append(f'<c r="{_COLS[col]}{r}" s="{s}"><v>{v:.16G}</v></c>')
        out.append("</row>")
        self.fh.write("".join(out))
        self.last_row = row

    def link(self, row: int, col: int, location: str, display: str, tip: str) -> None:
        """An internal hyperlink on cell (row, col), as XlsxWriter's ``write_url("internal:…")``
        writes it (the cell itself is written by :meth:`add`)."""
        if self.links is None:
            self.links = tempfile.TemporaryFile("w+", encoding="utf-8")
        self.links.write(f'<hyperlink ref="{_COLS[col]}{row + 1}" location="{_xml_attr(location)}" '
                         f'tooltip="{_xml_attr(tip)}" display="{_xml_attr(display)}"/>')

    def splice_into(self, xlsx: Path) -> None:
        """Insert the rows into the closed workbook at ``xlsx`` (rewritten in place)."""
        splice(xlsx, [self])

    def _write_part(self, xml: str, out) -> None:
        if self.last_row >= 0:
            ref = f"A1:{_COLS[self.last_col]}{self.last_row + 1}"
            xml = re.sub(r'<dimension ref="[^"]*"/>', f'<dimension ref="{ref}"/>', xml, count=1)
        at = xml.index("</sheetData>") if "</sheetData>" in xml else None
        if at is None:  # XlsxWriter wrote <sheetData/>: no header rows (cannot happen)
            at = xml.index("<sheetData/>")
            xml = xml[:at] + "<sheetData></sheetData>" + xml[at + len("<sheetData/>"):]
            at = xml.index("</sheetData>")
        out.write(xml[:at].encode("utf-8"))
        _copy(self.fh, out)
        if self.links is None:
            out.write(xml[at:].encode("utf-8"))
            return
        # <hyperlinks> comes after the filter, merges and validations, before the page setup
        tail = xml[at:]
        cut = min((i for i in (tail.find(t) for t in ("<printOptions", "<pageMargins", "<pageSetup",
                                                        "<headerFooter", "<drawing", "<legacyDrawing",
                                                        "</worksheet>")) if i >= 0))
        out.write(tail[:cut].encode("utf-8"))
        out.write(b"<hyperlinks>")
        _copy(self.links, out)
        out.write(b"</hyperlinks>")
        out.write(tail[cut:].encode("utf-8"))

    def close(self) -> None:
        self.fh.close()
        if self.links is not None:
            self.links.close()


def _copy(fh, out) -> None:
    fh.seek(0)
    while True:
        chunk = fh.read(1 << 18)
        if not chunk:
            break
        out.write(chunk.encode("utf-8"))


def _xml_attr(text: str) -> str:
    return _xml_text(text).replace('"', "&quot;")


def splice(xlsx: Path, parts: list) -> None:
    """Insert the rows of every :class:`_DetailRows` in ``parts`` into the closed workbook at
    ``xlsx`` (rewritten in place, once)."""
    by_part = {p.part: p for p in parts}
    src = xlsx.with_name(xlsx.name + ".parts")
    shutil.move(xlsx, src)
    try:
        with zipfile.ZipFile(src) as zin, \
                zipfile.ZipFile(xlsx, "w", zipfile.ZIP_DEFLATED, compresslevel=6) as zout:
            for info in zin.infolist():
                rows = by_part.get(info.filename)
                member = zipfile.ZipInfo(info.filename, info.date_time)
                member.compress_type = zipfile.ZIP_DEFLATED  # open(ZipInfo) would store it
                member.external_attr = info.external_attr
                with zout.open(member, "w") as out:
                    if rows is not None:
                        rows._write_part(zin.read(info).decode("utf-8"), out)
                    else:  # streamed: the notes' drawing of 明细 is tens of MB at 10,000 units
                        with zin.open(info) as src_member:
                            shutil.copyfileobj(src_member, out, 1 << 20)
    finally:
        src.unlink(missing_ok=True)
        for p in parts:
            p.close()


# -- 问题清单 ----------------------------------------------------------------------------


def _write_issues(wb, fmts, result, positions: dict) -> "_DetailRows":
    """Write 问题清单: the header by XlsxWriter, the rows (one a finding: 30,000 and more with
    ``--previous`` at 10,000 units) and their links as sheet XML spliced in at the end
    (:class:`_DetailRows`), so that they are never held in memory as XlsxWriter's cells."""
    ws = wb.add_worksheet(ISSUES)
    head = fmts.get("head")
    for i, (label, width) in enumerate(ISSUE_HEADERS):
        ws.write_string(0, i, label, head)
        ws.set_column(i, i, width)
    wrap, link_fmt = fmts.get("wrap"), fmts.get("link")
    rows = _DetailRows(wb, ws)
    row = 1
    links = 0

    def line(unit, file, table, cell, rule, severity, message, link=None):
        nonlocal row, links
        linked = bool(link) and links < MAX_LINKS
        cells = [(unit or None, wrap), (file or None, wrap), (table or None, wrap),
                 ((cell or "明细", link_fmt) if linked else (cell or None, wrap)),
                 (rule or None, wrap),
                 (SEVERITY_LABELS[severity], fmts.get("cell", SEVERITY_FILLS[severity])),
                 (message or None, wrap)]
        # about 44 CJK characters fit on one line of column G
        rows.add(row, cells, height=14 * min(len(message) // 44 + 1, 20) if len(message) > 44 else None)
        if linked:
            rows.link(row, 3, f"'{DETAIL}'!{link}", cell or "明细", "转到明细中的单元格")
            links += 1
        row += 1

    for u, f in result.all_findings():  # unreadable files (FILE), then roster units missing (M-4)
        if u is not None and u.readable:
            continue
        unit = "" if u is not None else f.cells[0].value
        line(unit, u.display if u is not None else "（未报送）", TABLE_LABELS.get(f.table, f.table),
             "", f.rule, f.severity, f.message)
    for ui, u in enumerate(result.units):
        if not u.readable:
            continue
        for fi, f in enumerate(u.findings):
            first = f.focus if f.focus is not None and f.focus.address else None
            pos = positions.get((ui, fi))
            link = xl_rowcol_to_cell(*pos) if pos else None
            line(u.name, u.display, TABLE_LABELS.get(f.table, f.table),
                 first.ref if first else "", f.rule, f.severity, f.message, link)
    rows.last_col = len(ISSUE_HEADERS) - 1
    ws.freeze_panes(1, 1)
    ws.autofilter(0, 0, max(row - 1, 1), len(ISSUE_HEADERS) - 1)
    ws.set_landscape()
    ws.set_paper(9)
    ws.fit_to_pages(1, 0)
    ws.repeat_rows(0, 0)
    return rows


# -- 图表 ------------------------------------------------------------------------------


def _top_units(units: list, key, n: int = CHART_UNITS) -> tuple[list, list | None]:
    ranked = sorted(units, key=key, reverse=True)
    return ranked[:n], (ranked[n:] or None)


def _write_charts(wb, fmts, result, ed) -> None:
    ws = wb.add_worksheet(CHARTS)
    data_col = 12  # M: the charts' data, right of the charts
    ws.set_column(data_col, data_col, 24)
    ws.set_column(data_col + 1, data_col + 8, 10)
    head = fmts.get("head")
    included = [u for u in result.included]
    sheet = f"'{CHARTS}'"
    row = 0
    chart_row = 0

    def ref(r1, c1, r2, c2):
        return f"={sheet}!${xl_col_to_name(c1)}${r1 + 1}:${xl_col_to_name(c2)}${r2 + 1}"

    def insert(chart, height_rows=22):
        nonlocal chart_row
        chart.set_size({"width": 760, "height": height_rows * 20 - 10})
        chart.set_legend({"position": "bottom"})
        ws.insert_chart(chart_row, 0, chart, {"x_offset": 5, "y_offset": 5})
        chart_row += height_rows

    def per_unit_bar(row, series, value_of, units, rest, empty_label, title, stacked):
        """A table of units × series beside a horizontal bar chart; returns the last row."""
        ws.write_string(row, data_col, "单位", head)
        for j, label in enumerate(series):
            ws.write_string(row, data_col + 1 + j, label, head)
        first = row + 1
        rows = [(u.name, [value_of(u, k) for k in range(len(series))]) for u in units]
        if rest:
            rows.append((f"其余 {len(rest)} 个单位",
                         [sum(value_of(u, k) for u in rest) for k in range(len(series))]))
        if not rows:
            rows = [(empty_label, [0] * len(series))]
        for name, vals in rows:
            row += 1
            ws.write_string(row, data_col, name)
            for j, v in enumerate(vals):
                ws.write_number(row, data_col + 1 + j, v)
        chart = wb.add_chart({"type": "bar", "subtype": "stacked"} if stacked else {"type": "bar"})
        for j, label in enumerate(series):
            opts = {"name": label, "categories": ref(first, data_col, row, data_col),
                    "values": ref(first, data_col + 1 + j, row, data_col + 1 + j)}
            if stacked:
                opts["gap"] = 60
            chart.add_series(opts)
        chart.set_title({"name": title, "name_font": {"size": 12}})
        chart.set_y_axis({"reverse": True})
        insert(chart, height_rows=max(22, min(60, 8 + len(rows))))
        return row

    # 1. new applications per unit, stacked by applicant type
    parties = [(k, label) for k, label in E.T3_COLS if k != "total"]
    units, rest = _top_units(included, lambda u: u.value("t3.new.total") or 0)
    row = per_unit_bar(row, [label for _, label in parties],
                       lambda u, j: u.value(f"t3.new.{parties[j][0]}") or 0, units, rest, "（无）",
                       "各单位本年新收政府信息公开申请数量（按申请人类型）", stacked=True)

    # 2. the mix of 办理结果 over the summary
    row += 2
    ws.write_string(row, data_col, "办理结果", head)
    ws.write_string(row, data_col + 1, "件数（总计列）", head)
    first = row + 1
    for label, keys in result_groups(ed.key):
        row += 1
        ws.write_string(row, data_col, short_label(label))
        ws.write_number(row, data_col + 1, sum(result.totals.get(f"t3.{k}.total", 0) for k in keys))
    last = row
    chart = wb.add_chart({"type": "pie"})
    chart.add_series({"name": "办理结果", "categories": ref(first, data_col, last, data_col),
                      "values": ref(first, data_col + 1, last, data_col + 1),
                      "data_labels": {"value": True, "percentage": True, "leader_lines": True}})
    chart.set_title({"name": "本年度办理结果构成（汇总）", "name_font": {"size": 12}})
    insert(chart)

    # 3. 行政复议、行政诉讼 per unit
    row += 2
    groups = [(g, short) for g, _, short in E.T4_GROUPS]

    def cases(u):
        return sum(u.value(f"t4.{g}.total") or 0 for g, _ in groups)

    units, rest = _top_units([u for u in included if cases(u)], cases)
    row = per_unit_bar(row, [short for _, short in groups],
                       lambda u, j: u.value(f"t4.{groups[j][0]}.total") or 0, units, rest,
                       "（无行政复议、行政诉讼）", "各单位行政复议、行政诉讼数量（总计）", stacked=False)
    ws.set_landscape()
    ws.set_paper(9)
    ws.fit_to_pages(1, 0)


def result_groups(edition: str) -> list:
    """(label, [row keys]) of the result rows （一）–（六） of table 三."""
    return [(label, list(keys)) for label, keys in get_edition(edition).result_groups]


# -- 说明 ------------------------------------------------------------------------------


def _write_about(ws, fmts, result) -> None:
    ws.set_column(0, 0, 18)
    ws.set_column(1, 1, 90)
    ws.write_string(0, 0, f"政府信息公开工作年度报告汇总表：{result.name}", fmts.get("title"))
    ws.set_row(0, 24)
    c = result.counts
    excluded = result.excluded
    dup = sum(1 for u in excluded if u.excluded_reason.startswith(("重复报送", "内容相同", "较早报送")))
    stale = sum(1 for u in excluded if u.excluded_reason.startswith("旧汇总表"))
    other = len(excluded) - dup - stale
    lines = [
        ("生成时间", result.created),
        ("生成工具", f"xxgk {__version__}（政府信息公开工作年度报告工具箱）"),
        ("源文件夹", str(Path(result.folder).resolve())),
        ("表格版本", f"{result.edition} 版"),
        ("报告年度", f"{result.year} 年" if result.year else "（未能确定）"),
        ("文件", f"共找到 {len(result.units)} 个文件：读取 {len(result.readable)} 个，"
                f"无法读取 {len(result.unreadable)} 个（每个文件的结果见“{ISSUES}”和“{DETAIL}”）"),
        ("计入汇总", f"{len(result.included)} 个单位；未计入 {len(excluded)} 个"
                  f"（重复报送 {dup} 个，旧汇总表 {stale} 个，版本或年度不符 {other} 个）"),
    ]
    if result.ignored:
        lines.append(("未读取的文件", f"{len(result.ignored)} 个："
                      + "；".join(f"{label}（{why}）" for label, why in result.ignored[:200])
                      + ("等" if len(result.ignored) > 200 else "")))
    if result.roster:
        lines.append(("单位名单", f"名单共 {len(result.roster)} 个单位：未报送 {len(result.missing)} 个，"
                                 f"名单外单位 {len(result.unexpected)} 个"))
    if result.previous:
        lines.append(("上年数据", result.previous))
    lines += [
        ("问题", f"错误 {c['error']} 项，核实 {c['verify']} 项，提示 {c['hint']} 项（详见“{ISSUES}”）"),
        ("", ""),
        ("怎么看", f"① “{ISSUES}”列出每个单位的每个问题，点击“单元格”一栏可跳到“{DETAIL}”中对应的格子；"),
        ("", f"② “{DETAIL}”每个单位一行、每个数据格一列，有问题的格子标了底色，鼠标移到格子上可看批注；"),
        ("", "③ “封面”“二、主动公开”“三、依申请公开”“四、复议诉讼”是计入汇总的各单位之和，格式与填报模板相同，"
             "可直接用于本级年度报告；标红并带批注的格子表示有单位的相关数据有错误；"),
        ("", f"④ “{CHARTS}”为各单位申请数量、办理结果构成和复议诉讼情况的图表。"),
        ("汇总规则", "同一单位数据相同的多个文件只计入一次；数据不同的多个工作簿都不计入汇总（无法判断哪一份"
                   "正确，加 --prefer newest 时计入较新的一份），请只保留正确的一份后重新汇总；以前生成的"
                   "汇总表与其中单位的报告放在一起时，汇总表不计入；表格版本或报告年度不符、无法读取的文件"
                   "也不计入汇总。每个文件的结果见“问题清单”和“明细”。"),
        ("", ""),
    ]
    row = 1
    label_fmt = fmts.get("cell", bold=True)
    wrap = fmts.get("wrap")
    for label, text in lines:
        row += 1
        ws.write_string(row, 0, label, label_fmt)
        ws.write_string(row, 1, text, wrap)
        if len(text) > 48:  # about 48 CJK characters fit on one line of column B
            ws.set_row(row, 14 * (len(text) // 48 + 1))
    row += 1
    ws.write_string(row, 0, "问题级别", label_fmt)
    legend = {"error": "错误：必须改正；有错误的单位仍计入汇总，但相关汇总格带批注",
              "verify": "核实：可能有误，请单位核实并说明情况",
              "hint": "提示：仅供参考"}
    for sev, text in legend.items():
        row += 1
        ws.write_string(row, 0, SEVERITY_LABELS[sev], fmts.get("cell", SEVERITY_FILLS[sev], align="center"))
        ws.write_string(row, 1, text, wrap)
    row += 2
    ws.write_string(row, 0, "汇总时的检查", label_fmt)
    for r in RULES:
        if r.scope != "merge":
            continue
        row += 1
        ws.write_string(row, 0, f"{r.id}（{SEVERITY_LABELS[r.severity]}）", fmts.get("cell", SEVERITY_FILLS[r.severity]))
        ws.write_string(row, 1, r.title, wrap)
    ws.set_paper(9)
    ws.fit_to_pages(1, 0)
