"""Compile the declarative edition data into cells, layouts and rules.

An :class:`Edition` is everything the rest of the toolkit needs to know
about one edition of the format: the data cells (id, label path, sheet,
address, kind, type), the printed layout of every sheet (labels, merges,
widths), the totals and their formulas, and the consistency rules with
their operands expanded to cell ids.  Built once per process and cached.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from functools import lru_cache

from ..xlsx.cellref import col_letters as get_column_letter

from . import editions as E
from .sheet import LayoutCell, SheetLayout  # noqa: F401  (re-exported: the drawing of a sheet)
from .catalogue import SEVERITY_LABELS, rule as catalogue_rule  # noqa: F401  (re-exported)

# Edition keys, oldest first.  One shared list object: ``register_edition`` appends to
# it in place, so every ``from toolkit.spec import EDITIONS`` sees a new edition.
EDITIONS: list = [e["key"] for e in E.EDITIONS]
FIRST_YEAR = E.EDITIONS[0]["first_year"]  # the first report year of the national format
DEFAULT_EDITION = EDITIONS[-1]  # the current edition: default of every command and function
TYPE_LABELS = {
    "count": "非负整数",
    "signed": "整数（可为负）",
    "amount": "非负数（万元，可含小数）",
    "text": "文本",
    "choice": "下拉选择",
    "year": "年度",
}
# Edition-independent facts of the format, for the rest of the toolkit (which never
# imports the raw data module ``editions``; tests/test_spec_boundary.py).
SHEETS = E.SHEETS
TEMPLATE_VERSION = E.TEMPLATE_VERSION
SECTION_TITLES = E.SECTION_TITLES
UNIT_TYPES = E.UNIT_TYPES
INFO_FIELDS = E.INFO_FIELDS
TEXT_SECTIONS = E.TEXT_SECTIONS
TEXT_PARAGRAPHS = E.TEXT_PARAGRAPHS
TEXT_PARAGRAPH_MAX = E.TEXT_PARAGRAPH_MAX
TEXT_PARAGRAPH_HINT = E.TEXT_PARAGRAPH_HINT
OLD_TEXT_CELLS = E.OLD_TEXT_CELLS
T3_COLS = E.T3_COLS
T3_LEGAL_PERSON_COLS = E.T3_LEGAL_PERSON_COLS
T3_LEGAL_PERSON_HEADER = E.T3_LEGAL_PERSON_HEADER
T3_NOTE = E.T3_NOTE
T3_GROUP_HEADER = E.T3_GROUP_HEADER
T4_TOP = E.T4_TOP
T4_GROUPS = E.T4_GROUPS
T4_LEAVES = E.T4_LEAVES
T2_BLOCK_LABEL_COL = E.T2_BLOCK_LABEL_COL
LABEL_VARIANTS = E.LABEL_VARIANTS
EDITION_ROW_VARIANTS = E.EDITION_ROW_VARIANTS
COVER_TITLE = E.COVER_TITLE
COVER_INSTRUCTIONS = E.COVER_INSTRUCTIONS

TABLE_TITLES = {"t2": E.SECTION_TITLES[1], "t3": E.SECTION_TITLES[2], "t4": E.SECTION_TITLES[3]}
NUMERIC_TYPES = ("count", "signed", "amount")


def edition_info(key: str) -> dict:
    """The registry entry of edition ``key`` (years, cover line …)."""
    for e in E.EDITIONS:
        if e["key"] == str(key):
            return e
    raise KeyError(unknown_edition_message(key))


def unknown_edition_message(key) -> str:
    return f"未知的表格版本：{key}（可选 {'、'.join(EDITIONS)}）"


def default_edition() -> str:
    """The current edition (the newest)."""
    return EDITIONS[-1]


# Plausible report years: the first edition (2019) was issued for the 2019
# reports; the template's year validation allows up to 2100.  A year outside
# this range is a typo or a forged file, never a report.
REPORT_YEARS = (2019, 2100)
# Largest plausible figure in a data cell (counts, 万元 amounts): anything
# bigger is a typo or a forged file, and would overflow sums of many units.
MAX_CELL_VALUE = 10 ** 12


def edition_for_year(year: int) -> str:
    """The edition a report for ``year`` must use (the registry's year ranges; years
    before the first edition use the first, as the format did not exist then)."""
    for e in E.EDITIONS:
        if year <= (e["last_year"] if e["last_year"] is not None else year):
            return e["key"]
    return EDITIONS[-1]


def register_edition(info: dict) -> None:
    """Add an edition to the registry (its table data must already be in ``editions``).
    Used for a future edition and by the test suite's synthetic edition."""
    if info["key"] in EDITIONS:
        raise ValueError(f"edition {info['key']} already registered")
    E.EDITIONS.append(info)
    EDITIONS.append(info["key"])
    get_edition.cache_clear()


def unregister_edition(key: str) -> None:
    E.EDITIONS[:] = [e for e in E.EDITIONS if e["key"] != key]
    EDITIONS[:] = [k for k in EDITIONS if k != key]
    get_edition.cache_clear()


@dataclass(frozen=True)
class Cell:
    """One addressable cell a user fills (or a total computed from such)."""

    id: str
    path: str  # label path, labels joined with "/"
    sheet: str
    address: str
    kind: str  # input | total | info | text
    type: str  # count | signed | amount | text | choice | year
    table: str  # t2 | t3 | t4 | info | text
    row: str = ""
    col: str = ""
    row_label: str = ""  # short row name used in messages, e.g. "（三）1"
    col_label: str = ""  # column name used in messages, e.g. "自然人"
    label: str = ""  # short name for messages, e.g. "（七）总计·自然人"
    labels: tuple = ()  # the labels of ``path`` (a label may itself contain "/")

    @property
    def ref(self) -> str:
        return f"{self.sheet}!{self.address}"

    @property
    def numeric(self) -> bool:
        return self.type in NUMERIC_TYPES

    def as_dict(self) -> dict:
        return {
            "id": self.id, "path": self.path, "sheet": self.sheet, "address": self.address,
            "kind": self.kind, "type": self.type, "table": self.table,
            "labels": list(self.labels),
        }




@dataclass(frozen=True)
class ResultItem:
    """One result row of table 三 (（一）…（六）, not （七）总计)."""

    key: str  # table-三 row key, e.g. "unable_1"
    label: str  # the row's own label, e.g. "1.本机关不掌握相关政府信息"
    path: str  # with its group, e.g. "（四）无法提供/1.本机关不掌握相关政府信息"
    short: str  # e.g. "（四）1"
    edition: str
    group: str = ""  # the item's （…） label, e.g. "（四）无法提供"


@dataclass(frozen=True)
class Term:
    cell: str
    sign: int = 1


@dataclass(frozen=True)
class LinearRule:
    """``sum(lhs) op sum(rhs)`` (+ ``sum(rhs_previous)`` of last year's report)."""

    id: str
    severity: str
    title: str
    lhs: tuple
    op: str
    rhs: tuple
    rhs_previous: tuple = ()
    scope: str = ""
    lhs_text: str = ""
    rhs_text: str = ""
    defines_total: bool = False
    fold_into: str = ""  # rule id whose finding (same scope) absorbs this one
    culprit: str = ""  # cell id named as most likely wrong when this rule fails
    previous_editions: tuple = ()  # cross-year: editions last year's report may have (empty: any)
    fill: str = ""  # cross-year: how ``fill --previous`` uses it ("value" | "note" | "")
    fill_note: str = ""  # template of the note ("note"), fields {year_text} {row_label} {value}

    def cells(self) -> list:
        return [t.cell for t in self.lhs + self.rhs]


@dataclass
class Edition:
    key: str
    cells: list
    by_id: dict
    layouts: list  # SheetLayout, in sheet order
    rules: list  # LinearRule (same-year)
    cross_year_rules: list  # LinearRule with rhs_previous
    other_rules: list  # dicts from editions.OTHER_RULES applicable here
    formulas: dict  # total cell id -> tuple of input cell ids
    fingerprint: str = ""
    sets: dict = field(default_factory=dict)  # named row/column key lists (@results, @cols …)
    t2_blocks: list = field(default_factory=list)  # table 二 blocks as in the data (label, cols, rows)
    result_items: tuple = ()  # ResultItem of table 三's result rows （一）–（六）, in order
    result_groups: tuple = ()  # (label, (row keys)) per result item （一）…（六）
    first_year: int = 0  # first report year this edition serves
    last_year: int | None = None  # last report year (None: still current)
    years_text: str = ""  # e.g. "2019、2020年度"
    # Rows of the 校验 sheet (toolkit.spec.live): (row, rule id, first lhs cell id | table key)
    live_checks: list = field(default_factory=list)

    @property
    def example_year(self) -> int:
        """A report year of this edition (its last, or its first when still current)."""
        return self.last_year if self.last_year is not None else self.first_year

    def serves(self, year: int) -> bool:
        return edition_for_year(year) == self.key

    def layout(self, key: str) -> SheetLayout:
        return next(s for s in self.layouts if s.key == key)

    def data_cells(self, table: str | None = None) -> list:
        return [c for c in self.cells if c.kind in ("input", "total")
                and (table is None or c.table == table)]

    def inputs(self) -> list:
        return [c for c in self.cells if c.kind == "input"]

    def totals(self) -> list:
        return list(self._by_kind("total"))

    def text_cells(self, section: str) -> list:
        """The paragraph cells of a 正文 section, in order."""
        return [c for c in self._by_kind("text") if c.row == section]

    def _by_kind(self, kind: str) -> tuple:
        # read for every workbook: computed once per edition (cells never change after building)
        cache = self.__dict__.setdefault("_kind_cache", {})
        got = cache.get(kind)
        if got is None:
            got = cache[kind] = tuple(c for c in self.cells if c.kind == kind)
        return got


# ---------------------------------------------------------------------------
# Building
# ---------------------------------------------------------------------------

class _Builder:
    def __init__(self, edition: str):
        self.ed = edition
        self.cells: list[Cell] = []
        self.layouts: list[SheetLayout] = []

    def add_cell(self, layout: SheetLayout, row: int, col: int, cell: dict, role: str = "input"):
        addr = f"{get_column_letter(col)}{row}"
        cell["labels"] = tuple(cell.pop("labels"))
        cell["path"] = "/".join(cell["labels"])
        c = Cell(sheet=layout.name, address=addr, **cell)
        self.cells.append(c)
        layout.put(row, col, None, role, c.id)
        return c

    # -- cover ------------------------------------------------------------
    def cover(self):
        lay = SheetLayout(E.SHEETS["cover"], "cover")
        lay.col_widths = {"A": 16, "B": 64}
        lay.put(1, 1, E.COVER_TITLE, "title")
        lay.merge(1, 1, 1, 2)
        lay.row_heights[1] = 30
        edition_line = edition_info(self.ed)["cover_line"]
        row = 2
        lay.put(row, 1, edition_line, "note")
        lay.merge(row, 1, row, 2)
        lay.row_heights[row] = 32
        for i, line in enumerate(E.COVER_INSTRUCTIONS):
            row = 3 + i
            lay.put(row, 1, line, "note")
            lay.merge(row, 1, row, 2)
            # A:B hold about 40 characters of 10 pt CJK text per line.
            lay.row_heights[row] = 18 if len(line) <= 38 else 32
        row += 2
        lay.put(row, 1, "单位信息（均为必填项）", "header")
        lay.merge(row, 1, row, 2)
        for key, label, typ, _hint in E.INFO_FIELDS:
            row += 1
            lay.put(row, 1, label, "info_label")
            lay.row_heights[row] = 22
            self.add_cell(lay, row, 2, dict(
                id=f"info.{key}", labels=[lay.name, label], kind="info", type=typ,
                table="info", row=key, row_label=label, label=label))
        self.layouts.append(lay)

    # -- table 二 -----------------------------------------------------------
    def table2(self):
        lay = SheetLayout(E.SHEETS["t2"], "t2")
        lay.col_widths = {"A": 24, "B": 18, "C": 18, "D": 18, "E": 30}
        title = TABLE_TITLES["t2"]
        lay.put(1, 1, title, "title")
        lay.merge(1, 1, 1, 4)
        lay.row_heights[1] = 28
        row = 2
        for block in E.T2_BLOCKS[self.ed]:
            lay.put(row, 1, block["label"], "header")
            lay.merge(row, 1, row, 4)
            row += 1
            lay.put(row, 1, E.T2_BLOCK_LABEL_COL, "header")
            col = 2
            for _key, label, _typ, span in block["cols"]:
                lay.put(row, col, label, "header")
                lay.merge(row, col, row, col + span - 1)
                col += span
            lay.row_heights[row] = 30
            row += 1
            for rkey, rlabel in block["rows"]:
                lay.put(row, 1, rlabel, "label")
                col = 2
                for ckey, clabel, ctyp, span in block["cols"]:
                    self.add_cell(lay, row, col, dict(
                        id=f"t2.{rkey}.{ckey}",
                        labels=[title, block["label"], rlabel, clabel],
                        kind="input", type=ctyp, table="t2", row=rkey, col=ckey,
                        row_label=rlabel, col_label=clabel, label=f"{rlabel}·{clabel}"))
                    lay.merge(row, col, row, col + span - 1)
                    col += span
                if block.get("note"):
                    lay.put(row, 5, block["note"], "hint")
                lay.row_heights[row] = 22
                row += 1
        lay.max_col = 4
        self.layouts.append(lay)

    # -- table 三 -----------------------------------------------------------
    def table3(self):
        lay = SheetLayout(E.SHEETS["t3"], "t3")
        # A holds "三、本年度办理结果" on one line (a wrapped label breaks mid-word
        # and cannot be found as text in the printed PDF).
        lay.col_widths = {"A": 18, "B": 16, "C": 34}
        for i in range(len(E.T3_COLS)):
            lay.col_widths[get_column_letter(4 + i)] = 10
        title = TABLE_TITLES["t3"]
        last_col = 3 + len(E.T3_COLS)
        lay.put(1, 1, title, "title")
        lay.merge(1, 1, 1, last_col)
        lay.row_heights[1] = 28
        # header rows 2-4
        lay.put(2, 1, E.T3_NOTE, "header")
        lay.merge(2, 1, 4, 3)
        lay.put(2, 4, E.T3_GROUP_HEADER, "header")
        lay.merge(2, 4, 2, last_col)
        col_paths = {}
        for i, (ckey, clabel) in enumerate(E.T3_COLS):
            c = 4 + i
            if ckey in E.T3_LEGAL_PERSON_COLS:
                lay.put(4, c, clabel, "header")
                col_paths[ckey] = [E.T3_LEGAL_PERSON_HEADER, clabel]
            else:
                lay.put(3, c, clabel, "header")
                lay.merge(3, c, 4, c)
                col_paths[ckey] = [clabel]
        first_lp = 4 + [k for k, _ in E.T3_COLS].index(E.T3_LEGAL_PERSON_COLS[0])
        lay.put(3, first_lp, E.T3_LEGAL_PERSON_HEADER, "header")
        lay.merge(3, first_lp, 3, first_lp + len(E.T3_LEGAL_PERSON_COLS) - 1)
        lay.row_heights.update({2: 24, 3: 24, 4: 30})
        lay.print_title_rows = "2:4"
        lay.freeze = "D5"  # row labels and the three header rows stay in view
        self._t3_row = 5

        def emit(item, depth, path):
            if isinstance(item, dict):  # group
                start = self._t3_row
                lay.put(start, 1 + depth, item["label"], "label")
                for sub in item["rows"]:
                    emit(sub, depth + 1, path + [item["label"]])
                lay.merge(start, 1 + depth, self._t3_row - 1, 1 + depth)
                return
            rkey, rlabel, short = item
            r = self._t3_row
            lay.put(r, 1 + depth, rlabel, "label")
            lay.merge(r, 1 + depth, r, 3)
            lay.row_heights[r] = 30 if len(rlabel) > 16 else 20
            for i, (ckey, clabel) in enumerate(E.T3_COLS):
                self.add_cell(lay, r, 4 + i, dict(
                    id=f"t3.{rkey}.{ckey}",
                    labels=[title] + path + [rlabel] + col_paths[ckey],
                    kind="input", type="count", table="t3", row=rkey, col=ckey,
                    row_label=short, col_label=clabel, label=f"{short}·{clabel}"))
            self.t3_rows.append((rkey, rlabel, short, tuple(path)))
            self._t3_row += 1

        self.t3_rows = []  # (key, label, short, group labels): the one walk of the row tree
        for item in E.T3_ROWS[self.ed]:
            emit(item, 0, [])
        lay.landscape = True  # one landscape A4 page (toolkit.spec.live.fit_print)
        self.layouts.append(lay)

    # -- table 四 -----------------------------------------------------------
    def table4(self):
        lay = SheetLayout(E.SHEETS["t4"], "t4")
        title = TABLE_TITLES["t4"]
        n = len(E.T4_LEAVES)
        last_col = n * len(E.T4_GROUPS)
        for c in range(1, last_col + 1):
            lay.col_widths[get_column_letter(c)] = 9
        lay.put(1, 1, title, "title")
        lay.merge(1, 1, 1, last_col)
        lay.row_heights[1] = 28
        col = 1
        for top_label, groups in E.T4_TOP:
            width = n * len(groups)
            lay.put(2, col, top_label, "header")
            lay.merge(2, col, 2, col + width - 1)
            col += width
        for g, (gkey, glabel, gshort) in enumerate(E.T4_GROUPS):
            base = 1 + g * n
            top = next(t for t, gs in E.T4_TOP if gkey in gs)
            if glabel:
                lay.put(3, base, glabel, "header")
                lay.merge(3, base, 3, base + n - 1)
            for i, (lkey, llabel) in enumerate(E.T4_LEAVES):
                c = base + i
                if glabel:
                    lay.put(4, c, llabel, "header")
                    path = [title, top, glabel, llabel]
                else:
                    lay.put(3, c, llabel, "header")
                    lay.merge(3, c, 4, c)
                    path = [title, top, llabel]
                self.add_cell(lay, 5, c, dict(
                    id=f"t4.{gkey}.{lkey}", labels=path, kind="input", type="count",
                    table="t4", row=gkey, col=lkey, row_label=gshort, col_label=llabel,
                    label=f"{gshort}·{llabel}"))
        lay.row_heights.update({2: 22, 3: 22, 4: 22, 5: 24})
        lay.print_title_rows = "2:4"
        lay.landscape = True
        self.layouts.append(lay)

    # -- narrative ----------------------------------------------------------
    def text(self):
        lay = SheetLayout(E.SHEETS["text"], "text")
        # LibreOffice does not scale a single-column sheet to the page width:
        # 76 fits A4 portrait unscaled (110 was cut off on both sides).
        lay.col_widths = {"A": 76}
        lay.put(1, 1, "报告正文（一、五、六部分；二、三、四部分见各表）", "title")
        lay.row_heights[1] = 28
        row = 2
        for key, label, hint in E.TEXT_SECTIONS:
            lay.put(row, 1, label, "header")
            lay.put(row + 1, 1, hint + E.TEXT_PARAGRAPH_HINT, "hint")
            lay.row_heights[row + 1] = 26  # hints may wrap to two lines
            # One paragraph per row, no row height: the rows fit their text (see editions).
            for n in range(1, E.TEXT_PARAGRAPHS[key] + 1):
                self.add_cell(lay, row + 1 + n, 1, dict(
                    id=f"text.{key}.{n}", labels=[lay.name, label, f"第{n}段"], kind="text",
                    type="text", table="text", row=key, col=str(n), row_label=label,
                    label=f"{label}第{n}段"))
            row += 2 + E.TEXT_PARAGRAPHS[key]
        self.layouts.append(lay)


def _expand(pattern: str, binding: dict, sets: dict) -> list[Term]:
    sign = 1
    if pattern.startswith("-"):
        sign, pattern = -1, pattern[1:]
    pattern = pattern.format(**binding) if binding else pattern
    parts = pattern.split(".")
    out = [[]]
    for part in parts:
        options = sets[part[1:]] if part.startswith("@") else [part]
        out = [prefix + [o] for prefix in out for o in options]
    return [Term(".".join(p), sign) for p in out]


def _bindings(for_each: dict | None, sets: dict) -> list[dict]:
    if not for_each:
        return [{}]
    (name, spec), = for_each.items()
    values = sets[spec[1:]] if isinstance(spec, str) and spec.startswith("@") else spec
    return [{name: v} for v in values]


def _compile_rules(ed: str, spec_rules: list, sets: dict, by_id: dict) -> list[LinearRule]:
    out = []
    for r in spec_rules:
        if ed not in r["editions"]:
            continue
        cat = catalogue_rule(r["id"])  # KeyError: every rule id is declared in the catalogue
        if cat.stage != "linear":
            raise ValueError(f"rule {r['id']}: the catalogue declares it as a {cat.stage} rule, not linear")
        for b in _bindings(r.get("for_each"), sets):
            terms = {k: tuple(t for p in r.get(k, []) for t in _expand(p, b, sets))
                     for k in ("lhs", "rhs", "rhs_previous")}
            for t in terms["lhs"] + terms["rhs"]:
                if t.cell not in by_id:
                    raise ValueError(f"rule {r['id']}: unknown cell {t.cell}")
            first = by_id[terms["lhs"][0].cell]
            scope = r.get("scope", "").format(col_label=first.col_label, row_label=first.row_label)
            out.append(LinearRule(
                id=r["id"], severity=cat.severity, title=cat.title, lhs=terms["lhs"],
                op=r["op"], rhs=terms["rhs"], rhs_previous=terms["rhs_previous"], scope=scope,
                lhs_text=r.get("lhs_text", ""), rhs_text=r.get("rhs_text", ""),
                defines_total=r.get("defines_total", False), fold_into=r.get("fold_into", ""),
                culprit=r.get("culprit", "").format(**b) if r.get("culprit") else "",
                previous_editions=tuple(r.get("previous_editions", ())), fill=r.get("fill", ""),
                fill_note=r.get("fill_note", "")))
    return out


def _other_rule(r: dict) -> dict:
    """An ``OTHER_RULES`` entry with the catalogue's severity and title; an undeclared rule
    id or a check name the catalogue does not give that rule fails here, when the edition
    is built (not silently at check time)."""
    cat = catalogue_rule(r["id"])
    if r["check"] not in cat.checks:
        raise ValueError(f"rule {r['id']}: unknown check {r['check']!r} "
                         f"(the catalogue declares {', '.join(cat.checks) or 'none'})")
    return {**r, "severity": cat.severity_of(r["check"]), "title": cat.title}


def _fingerprint(ed: str, layouts: list, cells: list) -> str:
    """Hash of everything locked: sheet names, labels, formulas, merges, inputs."""
    doc = {"edition": ed, "version": E.TEMPLATE_VERSION, "sheets": []}
    for lay in layouts:
        doc["sheets"].append({
            "name": lay.name,
            "cells": sorted((a, str(c.value), c.role) for a, c in lay.cells.items()),
            "merges": sorted(lay.merges),
        })
    doc["cells"] = [(c.id, c.sheet, c.address, c.kind, c.type) for c in cells]
    blob = json.dumps(doc, ensure_ascii=False, sort_keys=True).encode("utf-8")
    return hashlib.sha256(blob).hexdigest()[:32]


def _sum_formula(inputs: list[Cell]) -> str:
    """``SUM`` over a contiguous row/column range when possible."""
    from ..xlsx.cellref import split_ref
    coords = [split_ref(c.address) for c in inputs]
    cols = [c for c, _ in coords]
    rows = [r for _, r in coords]
    if len(set(rows)) == 1 and cols == list(range(cols[0], cols[0] + len(cols))):
        return f"=SUM({inputs[0].address}:{inputs[-1].address})"
    if len(set(cols)) == 1 and rows == list(range(rows[0], rows[0] + len(rows))):
        return f"=SUM({inputs[0].address}:{inputs[-1].address})"
    return "=SUM(" + ",".join(c.address for c in inputs) + ")"


@lru_cache(maxsize=None)
def get_edition(key: str) -> Edition:
    """The compiled edition ``key`` (one of ``EDITIONS``)."""
    key = str(key)
    if key not in EDITIONS:
        raise KeyError(unknown_edition_message(key))
    info = edition_info(key)
    b = _Builder(key)
    b.cover()
    b.table2()
    b.table3()
    b.table4()
    b.text()
    cells = b.cells
    by_id = {c.id: c for c in cells}
    assert len(by_id) == len(cells), "duplicate cell ids"
    sets = dict(E.COL_SETS)
    sets.update(E.row_sets(key))
    rules = _compile_rules(key, E.LINEAR_RULES, sets, by_id)
    cross = _compile_rules(key, E.CROSS_YEAR_RULES, sets, by_id)
    # Totals: the first defines_total rule for a cell wins.
    formulas = {}
    for r in rules:
        if r.defines_total:
            target = r.lhs[0].cell
            formulas.setdefault(target, tuple(t.cell for t in r.rhs))
    layouts = {lay.name: lay for lay in b.layouts}
    for i, c in enumerate(cells):
        if c.id in formulas:
            total = Cell(**{**c.__dict__, "kind": "total"})
            cells[i] = total
            by_id[c.id] = total
    for tid, inputs in formulas.items():
        c = by_id[tid]
        lay = layouts[c.sheet]
        lay.cells[c.address] = LayoutCell(_sum_formula([by_id[i] for i in inputs]), "total", tid)
    others = [_other_rule(r) for r in E.OTHER_RULES if key in r.get("editions", EDITIONS)]
    results = set(sets["results"])
    items = [ResultItem(k, label, "/".join(path[1:] + (label,)), short, key, path[1] if len(path) > 1 else label)
             for k, label, short, path in b.t3_rows if k in results]
    assert [i.key for i in items] == list(sets["results"]), "result rows out of sync with the row tree"
    groups: dict = {}
    for i in items:
        groups.setdefault(i.group, []).append(i.key)
    ed = Edition(key=key, cells=cells, by_id=by_id, layouts=b.layouts, rules=rules,
                 cross_year_rules=cross, other_rules=others, formulas=formulas,
                 first_year=info["first_year"], last_year=info["last_year"], sets=sets,
                 t2_blocks=E.T2_BLOCKS[key],
                 result_items=tuple(items), result_groups=tuple((g, tuple(k)) for g, k in groups.items()),
                 years_text=info.get("years_text", ""))
    from .live import add_live_checks  # status formulas, print furniture (changes layouts)
    add_live_checks(ed)
    ed.fingerprint = _fingerprint(key, b.layouts, cells)
    return ed
