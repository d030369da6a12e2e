"""Which cells of a merge summary get which mark (the writer in ``toolkit.merge.summary`` just draws).

* 明细 — one row per unit: a unit's findings are marked by role exactly as in the
  unit's own annotated workbook (:func:`toolkit.marks.core.finding_roles`): the
  culprit's column gets the strong fill and the note, one of several equally
  likely cells a medium fill, the other cells of a broken rule a light fill.
  Each finding's 问题清单 link lands on the column of the cell it names.
* 汇总 (the template's sheets holding the sums) — a cell is marked only when an
  error of an included unit *reaches* it: the unit's likely wrong input (its
  culprit, or one of its equally likely candidates) feeds the cell.  A total the
  clerk typed over reaches nothing (the summary sums the inputs), so 石桥镇's
  typed-over （七）总计 marks nothing in 汇总.  The note names the units and the
  size of the doubt: “含 柳湾乡人民政府 的“自然人”列，可能差 1”.
"""

from __future__ import annotations

from dataclasses import dataclass

from ..engine.findings import NOTE_AUTHOR
from ..engine.report import _fmt
from .core import Mark, finding_roles

ISSUES = "问题清单"
DETAIL = "明细"


# -- 明细 ------------------------------------------------------------------------------


def detail_plan(u, col_of: dict, same_edition: bool, lead_col: dict, info_column: dict) -> tuple:
    """``({column: Mark}, {finding index: column})`` for unit ``u``'s row of 明细.

    ``col_of``: data cell id -> 0-based column; ``lead_col``/``info_column``: the
    leading columns (cover cells shown there, and the 校验结论 column for findings
    that have no cell of their own).
    """
    marks: dict = {}
    links: dict = {}
    verdict_col = lead_col["verdict"]

    def column(ref):
        cid = ref.cell_id
        if not cid or str(ref.path).startswith("上年/"):
            return None
        if cid in info_column:
            return lead_col[info_column[cid]]
        if same_edition and cid in col_of:
            return col_of[cid]
        return None

    for fi, f in enumerate(u.findings):
        placed = False
        focus = f.focus
        for ref, role in finding_roles(f):
            col = column(ref)
            if col is None:
                continue
            if marks.setdefault(col, Mark()).add(f, role):
                placed = True
            if ref is focus and fi not in links:
                links[fi] = col
        if not placed:  # no cell of its own in 明细: the note goes to 校验结论
            mark = marks.setdefault(verdict_col, Mark())
            mark.roles.setdefault("flag", []).append(f)
            mark.notes.append(f)
            links.setdefault(fi, verdict_col)
        links.setdefault(fi, verdict_col)
    return marks, links


# -- 汇总 ------------------------------------------------------------------------------


@dataclass
class Doubt:
    """One unit's likely wrong input that feeds summary cells."""

    unit: str
    cell: str  # input cell id of the unit
    change: object  # suggested − current (None: unknown)
    certain: bool  # the culprit (True) or one of several equally likely cells (False)
    rule: str


def unit_doubts(u, ed) -> list:
    """The inputs of unit ``u`` whose value is in doubt because of an error finding."""
    out = []
    for f in u.findings:
        if f.severity != "error":
            continue
        if f.candidates:
            certain = len(f.candidates) == 1
            for c in f.candidates:
                cell = ed.by_id.get(c["cell"])
                if cell is None or cell.kind != "input":
                    continue  # a typed-over total: the summary sums the inputs instead
                change = c["value"] - c["current"] if c.get("current") is not None else None
                out.append(Doubt(u.name, c["cell"], change, certain, f.rule))
            continue
        if f.culprit:
            cell = ed.by_id.get(f.culprit)
            if cell is not None and cell.kind == "input" and cell.table in ("t2", "t3", "t4"):
                out.append(Doubt(u.name, f.culprit, None, True, f.rule))
            continue
        # Not localised: every input behind the finding is in doubt.
        ids = {c.cell_id for c in f.cells if c.cell_id and not str(c.path).startswith("上年/")}
        ids.update(f.related)
        for cid in sorted(ids):
            cell = ed.by_id.get(cid)
            if cell is not None and cell.table in ("t2", "t3", "t4"):
                for leaf in _leaves(ed, cid):
                    out.append(Doubt(u.name, leaf, None, False, f.rule))
    return out


def _leaves(ed, cid: str) -> list:
    if cid not in ed.formulas:
        return [cid]
    return [leaf for i in ed.formulas[cid] for leaf in _leaves(ed, i)]


def summary_doubts(units, ed, columns) -> dict:
    """``{summary cell id: [Doubt]}`` for the cells of ``columns`` an error reaches."""
    feeds: dict = {}  # input id -> summary cells it feeds
    for cid in columns:
        for leaf in set(_leaves(ed, cid)):
            feeds.setdefault(leaf, []).append(cid)
    out: dict = {}
    for u in units:
        for d in unit_doubts(u, ed):
            for cid in feeds.get(d.cell, ()):
                entries = out.setdefault(cid, [])
                if not any(e.unit == d.unit and e.cell == d.cell for e in entries):
                    entries.append(d)
    return out


def doubt_text(entries: list, ed) -> str:
    """“含 柳湾乡人民政府 的“自然人”列，可能差 1” — one clause per unit."""
    by_unit: dict = {}
    for d in entries:
        by_unit.setdefault(d.unit, []).append(d)
    clauses = []
    for unit, ds in by_unit.items():
        cells = [ed.by_id[d.cell] for d in ds]
        cols = {c.col_label for c in cells}
        if len(cols) == 1 and all(c.table == "t3" for c in cells):
            where = f"“{cells[0].col_label}”列"
        else:
            where = "、".join(dict.fromkeys(c.label for c in cells))
        changes = {abs(d.change) for d in ds if d.change is not None}
        certain = all(d.certain for d in ds)
        if len(changes) == 1 and all(d.change is not None for d in ds):
            size = f"{'' if certain else '可能'}差 {_fmt(changes.pop())}"
        else:
            size = "数值有误（" + "、".join(dict.fromkeys(d.rule for d in ds)) + "），差额不能确定"
        clauses.append(f"含 {unit} 的{where}，{size}")
    shown = "；".join(clauses[:30]) + (f"等 {len(clauses)} 个单位" if len(clauses) > 30 else "")
    return (f"{NOTE_AUTHOR}：汇总数可能不准确：{shown}。"
            f"详见“{ISSUES}”和“{DETAIL}”工作表。")
