"""The report model: a filled workbook read into values, driven by the spec.

``read_report(path)`` detects the edition from the workbook's meta sheet,
checks the workbook against the template's fingerprint (tamper detection),
reads every cell the spec defines, tolerates what clerks really type (and
says so), and recomputes every total from its inputs — cached values of
formulas are never trusted.
"""

from __future__ import annotations

import math
import re
import unicodedata
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

from ..errors import UnreadableWorkbook
from .findings import RESULTS_EXPLANATION_COL, RESULTS_KEY_COL, RESULTS_SHEET, CellRef, finding
from .. import spec as E
from ..spec import EDITIONS, get_edition
from ..spec.catalogue import rule as catalogue_rule, rule_for_check
from ..spec.paragraphs import join_paragraphs
from ..spec.model import MAX_CELL_VALUE, REPORT_YEARS, Cell, Edition
from ..xlsx.reader import RawBook, RawCell, read_workbook

META_SHEET = E.SHEETS["meta"]
# Checks of the catalogue done here, while reading (the rest: engine.rules.NAMED_CHECKS).
READ_CHECKS = {"structure", "cell_type", "unit_conversion", "numeric_text", "not_a_number",
               "blank_cells"}
# Rule ids come from the catalogue by check name, never written here.
STRUCTURE_RULE = rule_for_check("structure").id
BLANK_RULE = rule_for_check("blank_cells").id
NUMERIC_TEXT_RULE = rule_for_check("numeric_text").id
NOT_A_NUMBER_RULE = rule_for_check("not_a_number").id

_UNIT_SUFFIXES = {
    "count": ("件", "个", "项", "次", "条", "人", "家"),
    "signed": ("件", "个", "项", "次", "条"),
    "amount": ("万元", "元", "万"),
}
_THOUSANDS = re.compile(r"^[+-]?\d{1,3}(,\d{3})+(\.\d+)?$")
_PLAIN = re.compile(r"^[+-]?(\d+(\.\d*)?|\.\d+)$")


def parse_number(raw, typ: str):
    """Parse a clerk's entry for a numeric cell.

    Returns ``(value, status, note)``; status is ``ok`` (a real number),
    ``blank``, ``text`` (number typed as text, read with a note) or
    ``invalid`` (not a number; value is None).
    """
    if raw is None:
        return 0, "blank", ""
    if isinstance(raw, bool):
        return None, "invalid", ""
    if isinstance(raw, (int, float)):
        if isinstance(raw, float) and not math.isfinite(raw):
            return None, "invalid", ""  # NaN / inf: never an amount
        if isinstance(raw, float) and raw.is_integer() and abs(raw) < 2**53:
            raw = int(raw)
        return raw, "ok", ""
    text = unicodedata.normalize("NFKC", str(raw)).strip()
    if text == "":
        return 0, "blank", ""
    note = "以文本形式填写"
    factor = 1
    for suffix in _UNIT_SUFFIXES.get(typ, ()):
        if text.endswith(suffix) and len(text) > len(suffix):
            text = text[: -len(suffix)].strip()
            if typ == "amount" and suffix == "元":
                factor = 0.0001
                note = "带单位“元”，已换算为万元"
            else:
                note = f"带单位“{suffix}”"
            break
    text = text.replace(" ", "")
    if _THOUSANDS.match(text):
        text = text.replace(",", "")
        note += "，含千位分隔符"
    if not _PLAIN.match(text):
        return None, "invalid", ""
    if len(text) > 40:
        return None, "invalid", ""  # no real figure has 40 digits; int() of 5,000 digits raises
    value = float(text) * factor
    if not math.isfinite(value):
        return None, "invalid", ""
    if factor != 1:
        value = round(value, 8)
    if value.is_integer() and "." not in text and factor == 1:
        value = int(value)
    return value, "text", note


def _norm_formula(f: str) -> str:
    return re.sub(r"[\s$]", "", f or "").upper().lstrip("=")


@dataclass
class Report:
    """One unit's report as read from a workbook."""

    path: str
    edition: str
    template_version: str = ""
    kind: str = "template"  # template | summary
    info: dict = field(default_factory=dict)  # field key -> value (str / int)
    texts: dict = field(default_factory=dict)  # section key -> str
    values: dict = field(default_factory=dict)  # cell id -> number (totals recomputed)
    raw: dict = field(default_factory=dict)  # cell id -> raw cell value as stored
    invalid: set = field(default_factory=set)  # cell ids whose entry is not a number
    overwritten: set = field(default_factory=set)  # total cell ids holding a typed value
    findings: list = field(default_factory=list)  # read-time findings (R-*, S-2, S-7, …)
    explanations: dict = field(default_factory=dict)  # Finding.key -> clerk's text
    has_vba: bool = False
    external_links: int = 0
    # (previous report, claims, findings) of the narrative check, computed once per evaluation
    narrative: tuple | None = field(default=None, repr=False, compare=False)

    @property
    def spec(self) -> Edition:
        return get_edition(self.edition)

    @property
    def unit(self) -> str:
        return str(self.info.get("unit_name") or "").strip()

    @property
    def unit_type(self) -> str:
        return str(self.info.get("unit_type") or "").strip()

    @property
    def year(self) -> int | None:
        y = self.info.get("year")
        return y if isinstance(y, int) else None

    def paragraphs(self, section: str) -> list:
        """``(cell id, text)`` of the paragraph cells of a 正文 section, as stored."""
        return [(c.id, "" if self.raw.get(c.id) is None else str(self.raw[c.id]))
                for c in self.spec.text_cells(section)]

    def section_cell(self, section: str, quote: str = "") -> str:
        """The paragraph cell of ``section`` that holds ``quote`` (else its first cell)."""
        from ..spec.paragraphs import cell_holding
        return cell_holding(self.paragraphs(section), quote)

    def cellref(self, cell_id: str) -> CellRef:
        c = self.spec.by_id[cell_id]
        return CellRef(c.sheet, c.address, c.id, c.path, self.raw.get(cell_id, self.values.get(cell_id)))


# ---------------------------------------------------------------------------


def _meta(book: RawBook) -> dict:
    sheet = book.sheets.get(META_SHEET)
    if sheet is None:
        return {}
    out = {}
    for addr, cell in sheet.cells.items():
        if addr.startswith("A") and isinstance(cell.value, str):
            out[cell.value] = sheet.value("B" + addr[1:])
    return out


def wanted_sheets() -> set:
    return set(E.SHEETS.values()) | {RESULTS_SHEET}


def read_report(path: str | Path) -> Report:
    """Read a workbook made from the template into a :class:`Report`.

    Raises :class:`UnreadableWorkbook` when the file cannot be read or was
    not made from the template (one clear error, not a cascade).
    """
    book = read_workbook(path, wanted_sheets())
    return report_from_book(book)


# Earlier template versions: the message naming what changed and what to do.
OLD_TEMPLATE_VERSIONS = {
    "1": (f"这是第 1 版模板填写的工作簿（正文每部分只有一个单元格，长正文打印不全），当前模板为第 "
          f"{E.TEMPLATE_VERSION} 版（正文每格一段）。请运行 xxgk fill --from 旧文件.xlsx -o 新文件.xlsx "
          "把全部内容转到新模板，再在新文件上继续填写和校验"),
}


def report_from_book(book: RawBook) -> Report:
    """Build a report from raw sheet contents (also used by the Excel button)."""
    path = book.path
    meta = _meta(book)
    edition = str(meta.get("edition") or "")
    if not meta:
        present = [n for n in book.sheet_names if n in E.SHEETS.values()]
        if len(present) >= 3:
            raise UnreadableWorkbook(
                path, "工作簿缺少模板标识（隐藏的 xxgk 工作表被删除），无法确认表格版本，"
                      "请把数据重新填入 xxgk 生成的模板")
        raise UnreadableWorkbook(
            path, "不是用 xxgk 模板填写的工作簿（找不到模板标识和表格），请使用 xxgk template "
                  "生成的模板填写")
    if edition not in EDITIONS:
        raise UnreadableWorkbook(path, f"模板标识中的表格版本“{edition}”无法识别"
                                       f"（支持 {'、'.join(EDITIONS)} 版）")
    ed = get_edition(edition)
    version = str(meta.get("template_version") or "")
    if version in OLD_TEMPLATE_VERSIONS:
        raise UnreadableWorkbook(path, OLD_TEMPLATE_VERSIONS[version])
    if version != E.TEMPLATE_VERSION or str(meta.get("fingerprint") or "") != ed.fingerprint:
        raise UnreadableWorkbook(
            path, f"模板版本未知（版本号“{version}”，指纹不符），可能来自其他版本的工具或被改动过，"
                  "请使用最新的 xxgk 模板重新填写")
    rep = Report(path=path, edition=edition, template_version=version,
                 kind=str(meta.get("kind") or "template"), has_vba=book.has_vba,
                 external_links=book.external_links)
    missing = _check_structure(book, ed, rep)
    _read_values(book, ed, rep, missing)
    _read_explanations(book, rep)
    return rep


# -- tamper detection ---------------------------------------------------------


def _finding_structure(rep: Report, variant: str, sheet: str, address: str = "",
                       cell_id: str = "", culprit: str = "", **fields) -> None:
    rep.findings.append(finding(STRUCTURE_RULE, variant, table="structure",
                                cells=[CellRef(sheet, address, cell_id)], culprit=culprit,
                                sheet=sheet, address=address, **fields))


def _check_structure(book: RawBook, ed: Edition, rep: Report) -> set:
    """Compare the workbook with the spec layout; returns names of missing sheets."""
    missing = set()
    for lay in ed.layouts:
        sheet = book.sheets.get(lay.name)
        if sheet is None:
            missing.add(lay.name)
            others = [n for n in book.sheet_names if n not in E.SHEETS.values() and n != RESULTS_SHEET]
            hint = catalogue_rule(STRUCTURE_RULE).message("unknown_sheets", names="、".join(others)) \
                if others else ""
            _finding_structure(rep, "missing_sheet", lay.name, hint=hint)
            continue
        state = book.sheet_states.get(lay.name, "visible")
        if state != "visible":
            # A hidden table with a visible edited copy beside it: we would read
            # numbers nobody sees.  The template's tables are always visible.
            others = [n for n in book.sheet_names if n not in E.SHEETS.values() and n != RESULTS_SHEET
                      and book.sheet_states.get(n, "visible") == "visible"]
            hint = catalogue_rule(STRUCTURE_RULE).message("visible_sheets", names="、".join(others)) \
                if others else ""
            _finding_structure(rep, "hidden_sheet", lay.name, hint=hint)
        clean_key = (ed.key, lay.name, sheet.origin) if sheet.origin is not None else None
        if clean_key is not None and clean_key in _CLEAN and (sheet.protected or rep.kind != "template"):
            continue  # these very bytes were checked against this layout before: nothing to report
        before = len(rep.findings)
        labels, formulas = _structure_plan(ed.key, lay.key)
        got = sheet.cells
        for addr, expected in formulas:
            cell = got.get(addr)
            if cell is None or cell.formula != expected:  # fast: the text as the template wrote it
                _check_spec_formula(rep, sheet, lay.name, addr, "=" + expected)
        changed_labels = []
        for addr, expected in labels:
            cell = got.get(addr)
            actual = cell.value if cell is not None else None
            if actual != expected:
                changed_labels.append((addr, expected, actual))
        if changed_labels:
            # Many changed labels at once usually mean inserted/deleted rows or columns.
            if len(changed_labels) >= 4:
                first = changed_labels[0]
                _finding_structure(rep, "shifted", lay.name, first[0], count=len(changed_labels),
                                   expected=first[1], actual=first[2] or "空白")
            else:
                for addr, expected, actual in changed_labels:
                    _finding_structure(rep, "label", lay.name, addr, expected=expected,
                                       actual=actual or "空白")
        if sorted(sheet.merges) != sorted(lay.merges):
            _finding_structure(rep, "merges", lay.name)
        # validations on input cells
        lost = _not_validated(ed.key, lay.name,
                              tuple(dv.get("sqref") or "" for dv in sheet.validations))
        if lost:
            _finding_structure(rep, "validations", lay.name, lost[0].address, lost[0].id,
                               count=len(lost))
        if not sheet.protected and rep.kind == "template":
            _finding_structure(rep, "unprotected", lay.name)
        if clean_key is not None and len(rep.findings) == before:
            _CLEAN.add(clean_key)
    return missing


# (edition, sheet name, cached part) of worksheet parts found exactly as the layout
# wants them (toolkit.xlsx.reader keeps parts read before; ``RawSheet.origin``)
_CLEAN: set = set()


@lru_cache(maxsize=None)
def _structure_plan(edition: str, layout_key: str) -> tuple:
    """What the layout puts outside the data cells: ``(labels, formulas)``, each a
    tuple of ``(address, expected)``; formulas without their leading ``=``."""
    lay = get_edition(edition).layout(layout_key)
    labels, formulas = [], []
    for addr, lc in lay.cells.items():
        if lc.cell_id:
            continue
        if isinstance(lc.value, str) and lc.value.startswith("="):
            formulas.append((addr, lc.value[1:]))
        else:
            labels.append((addr, lc.value))
    return tuple(labels), tuple(formulas)


def _check_spec_formula(rep: Report, sheet, sheet_name: str, addr: str, expected: str) -> None:
    """A formula the spec itself puts outside the data cells (live checks, status
    lines, print copies; toolkit.spec.live): deleting or changing it is tamper."""
    cell = sheet.cells.get(addr)
    actual = cell.formula if cell is not None else None
    if actual is not None and (actual == expected[1:] or _norm_spec_formula(actual) == _norm_spec_formula(expected)):
        return
    _finding_structure(rep, "live_formula", sheet_name, addr,
                       what="被删除" if cell is None else "被改写为固定内容" if actual is None
                       else "被改动")


_NORMED: dict = {}  # formula text -> normal form (the same few hundred texts in every workbook)


def _norm_spec_formula(f: str) -> str:
    """Formula text as Excel, WPS and LibreOffice may re-save it: no ``=``, ``$``,
    blanks outside strings or quotes around sheet names; numbers as floats."""
    normed = _NORMED.get(f)
    if normed is None:
        if len(_NORMED) > 20_000:
            _NORMED.clear()
        normed = _NORMED[f] = _norm_formula_text(f)
    return normed


def _norm_formula_text(f: str) -> str:
    parts = re.split(r'("[^"]*")', f.lstrip("="))
    out = []
    for i, p in enumerate(parts):
        if i % 2:
            out.append(p)
            continue
        p = re.sub(r"[\s$']", "", p).upper()
        p = re.sub(r"(?<![A-Z\d.])(\d+\.?\d*(?:E[+-]?\d+)?)(?![\d:])",
                   lambda m: repr(float(m.group(1))), p)
        out.append(p)
    return "".join(out)


@lru_cache(maxsize=256)
def _not_validated(edition: str, sheet: str, sqrefs: tuple) -> list:
    """The input cells of ``sheet`` no data-validation range covers.

    Cached: every workbook made from the template has the same ranges.  Linear
    in the ranges: single cells are removed by name, each range removes the
    cells it covers from per-column sorted rows (whole columns such as ``D:D``
    and thousands of repeated ranges cost nothing special).
    """
    from bisect import bisect_left, bisect_right
    from ..xlsx.cellref import range_bounds, split_ref
    cells = [c for c in get_edition(edition).cells if c.sheet == sheet and c.kind != "total"]
    left = {c.address for c in cells}
    ranges = []
    for part in dict.fromkeys(p for sq in sqrefs for p in sq.split()):
        if ":" in part:
            ranges.append(part)
        else:
            left.discard(part.replace("$", "").upper())
    if ranges and left:
        by_col: dict = {}
        for addr in left:
            col, row = split_ref(addr)
            by_col.setdefault(col, []).append(row)
        for rows in by_col.values():
            rows.sort()
        for part in ranges:
            b = range_bounds(part)
            if b is None:
                continue
            c1, r1, c2, r2 = b
            for col in [k for k in by_col if c1 <= k <= c2]:
                rows = by_col[col]
                del rows[bisect_left(rows, r1):bisect_right(rows, r2)]
        from ..xlsx.cellref import col_letters
        left = {f"{col_letters(col)}{r}" for col, rows in by_col.items() for r in rows}
    return [c for c in cells if c.address in left]


# -- values ---------------------------------------------------------------------


def _read_values(book: RawBook, ed: Edition, rep: Report, missing: set) -> None:
    blanks: dict = {}
    values, raws = rep.values, rep.raw
    empty: dict = {}
    for c, cid, kind, plain, total_formula in _value_plan(ed.key):
        sheet = book.sheets.get(c.sheet)
        cell: RawCell | None = (sheet.cells if sheet else empty).get(c.address)
        raw = cell.value if cell is not None else None
        raws[cid] = raw
        # the common cases first: a whole number in an input cell, a total as the template wrote it
        if plain and raw.__class__ is int and 0 <= raw <= MAX_CELL_VALUE and cell.formula is None \
                and cell.error is None:
            values[cid] = raw
            continue
        if total_formula is not None and cell is not None and cell.formula == total_formula:
            continue  # recomputed from inputs below
        if kind == "info":
            _read_info(c, raw, rep)
        elif c.kind == "input":
            _read_input(c, cell, raw, rep, blanks, c.sheet in missing)
        elif c.kind == "total":
            _read_total(c, cell, ed, rep)
    for key, *_ in E.TEXT_SECTIONS:  # a section is its non-empty paragraph cells, joined
        rep.texts[key] = join_paragraphs(text for _, text in rep.paragraphs(key))
    for c in ed.totals():
        if c.id not in rep.overwritten and c.id not in rep.invalid:
            rep.values[c.id] = _total_value(c.id, ed, rep)
    for table, cells in blanks.items():
        sheet = cells[0].sheet
        addrs = "、".join(x.address for x in cells[:12]) + ("等" if len(cells) > 12 else "")
        rep.findings.append(finding(
            BLANK_RULE, table=table, sheet=sheet, count=len(cells), addresses=addrs,
            cells=[CellRef(x.sheet, x.address, x.id, x.path, None) for x in cells]))


@lru_cache(maxsize=None)
def _value_plan(edition: str) -> tuple:
    """Per spec cell: ``(cell, id, kind, whole numbers read as they are, total's formula text)``."""
    ed = get_edition(edition)
    out = []
    for c in ed.cells:
        plain = c.kind == "input" and c.type in ("count", "signed", "amount")
        formula = _layout_value(ed, c).lstrip("=") if c.kind == "total" else None
        out.append((c, c.id, c.kind, plain, formula))
    return tuple(out)


def _read_info(c: Cell, raw, rep: Report) -> None:
    if c.type == "year":
        value, status, _ = parse_number(raw, "count")
        ok = status in ("ok", "text") and isinstance(value, int) \
            and REPORT_YEARS[0] <= value <= REPORT_YEARS[1]
        rep.info[c.row] = value if ok else (None if raw is None else _short(raw))
    elif raw is None:
        rep.info[c.row] = ""
    else:
        rep.info[c.row] = str(raw).strip() if not isinstance(raw, float) else str(raw)


def _read_input(c: Cell, cell, raw, rep: Report, blanks: dict, sheet_missing: bool) -> None:
    if cell is not None and cell.formula is not None:
        rep.findings.append(finding(
            STRUCTURE_RULE, "formula_in_input", table=c.table, ref=c.ref, formula=cell.formula,
            cells=[rep_cellref(c, "=" + cell.formula)], culprit=c.id))
        rep.invalid.add(c.id)
        rep.values[c.id] = 0
        return
    if cell is not None and cell.error:
        raw = cell.error
    value, status, note = parse_number(raw, c.type)
    if status == "blank":
        rep.values[c.id] = 0
        if not sheet_missing:
            blanks.setdefault(c.table, []).append(c)
        return
    if status == "invalid":
        rep.invalid.add(c.id)
        rep.values[c.id] = 0
        rep.findings.append(finding(
            NOT_A_NUMBER_RULE, table=c.table, ref=c.ref, label=c.label, raw=_short(raw),
            cells=[rep_cellref(c, raw)], culprit=c.id))
        return
    rep.values[c.id] = value
    if status == "text":
        rule = NUMERIC_TEXT_RULE if "元" not in note else _rule_of_check("unit_conversion", c.table)
        rep.findings.append(finding(
            rule, table=c.table, ref=c.ref, label=c.label, raw=raw, note=note, value=_fmt(value),
            cells=[rep_cellref(c, raw)]))
    _type_check(c, value, rep)


def _short(raw) -> str:
    """A raw value as text for a message: bounded, never a 5,000-digit string."""
    s = _fmt(raw) if isinstance(raw, float) and math.isfinite(raw) else str(raw)
    return s if len(s) <= 40 else s[:20] + "…" + s[-10:]


def _type_check(c: Cell, value, rep: Report) -> None:
    rule = _rule_of_check("cell_type", c.table)
    problem = ""
    if abs(value) > MAX_CELL_VALUE:
        rep.values[c.id] = 0  # never summed: one forged file must not overflow the merge
        problem = f"数值过大（超过 {MAX_CELL_VALUE:.0e}），不是合理的数字，按 0 计算"
    elif c.type in ("count", "signed") and not float(value).is_integer():
        problem = "应为整数"
    elif c.type in ("count", "amount") and value < 0:
        problem = "不能为负数"
    if problem:
        rep.invalid.add(c.id)
        rep.findings.append(finding(
            rule, table=c.table, ref=c.ref, label=c.label, value=_short(value), problem=problem,
            cells=[rep_cellref(c, value)], culprit=c.id))


def _read_total(c: Cell, cell, ed: Edition, rep: Report) -> None:
    expected = _norm_formula(_layout_value(ed, c))
    if cell is not None and cell.formula is not None and cell.formula != "<shared>":
        if _norm_formula(cell.formula) == expected:
            return  # recomputed from inputs later
        value, status, _ = parse_number(cell.value, c.type)
        rep.findings.append(finding(
            STRUCTURE_RULE, "total_changed", table=c.table, ref=c.ref, label=c.label,
            expected=expected, formula=cell.formula,
            cells=[rep_cellref(c, "=" + cell.formula)], culprit=c.id))
        if status in ("ok", "text") and abs(value) <= MAX_CELL_VALUE:
            rep.values[c.id] = value
            rep.overwritten.add(c.id)
        elif status in ("ok", "text"):
            rep.invalid.add(c.id)
            rep.values[c.id] = 0
        return
    raw = cell.value if cell is not None else None
    value, status, _ = parse_number(raw, c.type)
    if status == "blank" and rep.kind == "summary":
        return
    what = "被删除（单元格为空）" if status == "blank" else f"被改写为数值 {_short(raw)}"
    rep.findings.append(finding(
        STRUCTURE_RULE, "total_lost", table=c.table, ref=c.ref, label=c.label, expected=expected,
        what=what, cells=[rep_cellref(c, raw)], culprit=c.id))
    if status in ("ok", "text") and abs(value) <= MAX_CELL_VALUE:
        rep.values[c.id] = value
        rep.overwritten.add(c.id)
    elif status in ("ok", "text", "invalid"):
        rep.invalid.add(c.id)
        rep.values[c.id] = 0


def _layout_value(ed: Edition, c: Cell) -> str:
    return ed.layout(_layout_key(ed, c.sheet)).cells[c.address].value


def _layout_key(ed: Edition, sheet: str) -> str:
    return next(l.key for l in ed.layouts if l.name == sheet)


def _total_value(cell_id: str, ed: Edition, rep: Report):
    if cell_id in rep.overwritten:
        return rep.values[cell_id]
    total = 0
    for i in ed.formulas[cell_id]:
        total += _total_value(i, ed, rep) if i in ed.formulas else rep.values.get(i, 0)
    return round(total, 8) if isinstance(total, float) else total


def _rule_of_check(check: str, table: str) -> str:
    """The rule id the edition gives a read-time ``check`` for ``table`` (e.g. cell_type, t3 -> T3-4)."""
    return _read_rules().get((check, table)) or _read_rules()[(check, "")]


@lru_cache(maxsize=None)
def _read_rules() -> dict:
    out = {}
    for ed in EDITIONS:
        for r in get_edition(ed).other_rules:
            for t in r.get("tables") or [""]:
                out.setdefault((r["check"], t), r["id"])
            out.setdefault((r["check"], ""), r["id"])
    return out


def rep_cellref(c: Cell, value) -> CellRef:
    return CellRef(c.sheet, c.address, c.id, c.path, value)


def _fmt(v) -> str:
    if isinstance(v, float):
        return f"{v:.6f}".rstrip("0").rstrip(".")
    return str(v)


def _read_explanations(book: RawBook, rep: Report) -> None:
    sheet = book.sheets.get(RESULTS_SHEET)
    if sheet is None:
        return
    from ..xlsx.cellref import col_letters as get_column_letter
    kcol, ecol = get_column_letter(RESULTS_KEY_COL), get_column_letter(RESULTS_EXPLANATION_COL)
    for addr, cell in sheet.cells.items():
        m = re.match(r"^([A-Z]+)(\d+)$", addr)
        if m and m.group(1) == kcol and isinstance(cell.value, str):
            text = sheet.value(f"{ecol}{m.group(2)}")
            if text is not None and str(text).strip():
                rep.explanations[cell.value] = str(text).strip()

