"""Error localisation: which cells are most likely wrong, and what they should be.

In the spirit of Fellegi–Holt (R's ``errorlocate``), small enough to solve
exactly here.  The hard rules of a report (the ``error`` linear rules of the
spec: T3-1, T3-2, T3-3, T3-5, T4-1 …) are linear equalities and inequalities
over integer cells.  A *free* cell is one a person typed: an input, or a total
whose formula was typed over.  A total that is still a formula is not free:
it is the sum of its inputs, so the rules are expanded to free cells first
(a rule that becomes ``0 = 0`` always holds and is dropped).

Given the failing rules, :func:`locate` finds the smallest sets of free cells
whose change makes *every* hard rule hold (failing rules fixed, holding rules
kept, counts non-negative integers): all sets of one cell, else of two.  Sets
of the same size are ranked by the weights of their cells (lower = more likely
wrong): a total typed over a formula, a number read from text, a value far from
last year's or disagreeing with the unit's own narrative is likelier; a cell
that would break a figure the narrative or last year's report confirms is less
likely, one that makes such a figure agree is likelier.  All
sets of the best weight are returned: when there are several, the caller says
so and lists them instead of pretending to know.

The result is a list of :class:`Cause` — one per wrong cell (with its
alternatives when the data cannot tell them apart), each with the failing rules
it explains — which :mod:`toolkit.engine.rules` turns into one finding per cause.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from fractions import Fraction
from itertools import combinations

# Weights (lower = more likely wrong).  Cardinality is minimised first, the
# weights only rank sets of the same size.
W_BASE = 1.0
W_OVERWRITTEN = 0.5  # a total typed over its formula
W_TEXT = 0.8  # a number typed as text
W_FAR = 0.8  # far from last year's value
P_BREAKS_CONFIRMED = 0.5  # the set changes a figure the narrative / last year confirms
B_MEETS_FIGURE = 0.3  # the set makes a figure agree with the narrative / last year
EPS = 1e-9
MAX_SOLUTIONS = 2000
MAX_PAIRS = 60000


@dataclass
class HardRule:
    rule: object  # LinearRule
    coef: dict  # free cell id -> int coefficient of (lhs - rhs), formulas expanded
    op: str  # "=" or "<=" (">=" rules are negated)
    operands: tuple  # the rule's own cell ids (as printed)


@dataclass
class System:
    rules: list  # HardRule
    cell_rules: dict  # free cell id -> [rule index]
    component: list  # rule index -> component id


@dataclass
class Fix:
    cell: str
    value: object  # suggested value (int when integral)
    current: object


@dataclass
class Cause:
    """One wrong cell (or one of several equally likely cells) and the rules it breaks."""

    fixes: list  # Fix: the alternatives (one when the culprit is known)
    rules: list  # indices into System.rules of the failing rules this cause explains
    weight: float = 0.0
    pairs: list = field(default_factory=list)  # when alternatives come as sets of two cells

    @property
    def unique(self) -> bool:
        return len(self.fixes) == 1 and not self.pairs


@dataclass
class Location:
    system: System
    failing: list  # rule indices
    causes: list  # Cause
    unexplained: list  # failing rule indices no cause of size ≤ 2 explains
    residual: dict  # rule index -> lhs - rhs (normalised to the rule's op)
    evidence: object


# ---------------------------------------------------------------------------
# The system of a report's edition, formulas expanded
# ---------------------------------------------------------------------------

_SYSTEMS: dict = {}


def _expansion(cell: str, ed, overwritten: frozenset, memo: dict) -> dict:
    if cell in memo:
        return memo[cell]
    if cell in ed.formulas and cell not in overwritten:
        out: dict = {}
        for i in ed.formulas[cell]:
            for c, k in _expansion(i, ed, overwritten, memo).items():
                out[c] = out.get(c, 0) + k
    else:
        out = {cell: 1}
    memo[cell] = out
    return out


def hard_rules(ed) -> list:
    """The spec's hard rules: same-year linear rules of severity ``error``."""
    return [r for r in ed.rules if r.severity == "error" and not r.rhs_previous]


def system(ed, overwritten=frozenset(), invalid=frozenset()) -> System:
    key = (ed.key, frozenset(overwritten), frozenset(invalid))
    cached = _SYSTEMS.get(key)
    if cached is not None and cached[0] is ed:  # the same Edition object (register_edition rebuilds them)
        return cached[1]
    memo: dict = {}
    rules = []
    for r in hard_rules(ed):
        coef: dict = {}
        operands = tuple(t.cell for t in r.lhs + r.rhs)
        for side, sign in ((r.lhs, 1), (r.rhs, -1)):
            for t in side:
                for c, k in _expansion(t.cell, ed, key[1], memo).items():
                    coef[c] = coef.get(c, 0) + sign * t.sign * k
        coef = {c: k for c, k in coef.items() if k}
        if not coef or set(coef) & key[2] or set(operands) & key[2]:
            continue  # always holds, or a bad entry already reported
        op = r.op
        if op == ">=":
            coef, op = {c: -k for c, k in coef.items()}, "<="
        rules.append(HardRule(r, coef, op, operands))
    cell_rules: dict = {}
    for i, hr in enumerate(rules):
        for c in hr.coef:
            cell_rules.setdefault(c, []).append(i)
    parent = list(range(len(rules)))

    def find(i):
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    for idx in cell_rules.values():
        for j in idx[1:]:
            a, b = find(idx[0]), find(j)
            if a != b:
                parent[b] = a
    sys_ = System(rules, cell_rules, [find(i) for i in range(len(rules))])
    if len(_SYSTEMS) > 256:
        _SYSTEMS.clear()
    _SYSTEMS[key] = (ed, sys_)
    return sys_


# ---------------------------------------------------------------------------
# Evidence: how likely each free cell is to be wrong
# ---------------------------------------------------------------------------


@dataclass
class Evidence:
    """What else is known: per-cell weights and figures that another source gives."""

    weights: dict  # free cell id -> weight (lower = more likely wrong)
    # (coef over free cells, figure, what): a quantity the narrative / last year states
    targets: list = field(default_factory=list)

    def score(self, deltas: dict, values: dict) -> float:
        s = sum(self.weights.get(c, W_BASE) for c in deltas)
        for coef, figure, _ in self.targets:
            before = sum(k * Fraction(values.get(c, 0)) for c, k in coef.items())
            after = before + sum(coef.get(c, 0) * d for c, d in deltas.items())
            if before == figure and after != figure:
                s += P_BREAKS_CONFIRMED
            elif before != figure and after == figure:
                s -= B_MEETS_FIGURE
        return s


def evidence(rep, previous=None, read_findings=()) -> Evidence:
    """Weights of the free cells and the figures the narrative and last year's report give."""
    ed = rep.spec
    sys_ = system(ed, rep.overwritten, rep.invalid)
    w = {c: W_BASE for c in sys_.cell_rules}
    for c in w:
        if c in rep.overwritten:
            w[c] *= W_OVERWRITTEN
    for f in read_findings:
        if f.rule == "R-1":
            for ref in f.cells:
                if ref.cell_id in w:
                    w[ref.cell_id] *= W_TEXT
    memo: dict = {}
    over = frozenset(rep.overwritten)
    targets = []

    def coef_of(cells):
        out: dict = {}
        for cell in cells:
            for c, k in _expansion(cell, ed, over, memo).items():
                out[c] = out.get(c, 0) + k
        return {c: k for c, k in out.items() if k}

    # The unit's own narrative: figures the 正文 states about table quantities
    # (toolkit.engine.narrative; 收到申请 N 件 is 一, or 一+二, …).
    from .narrative import narrative_of
    try:
        claims = narrative_of(rep, previous)[0] if rep.kind == "template" else []
    except Exception:  # noqa: BLE001 — evidence is optional; never fail a check for it
        claims = []
    for cl in claims:
        if cl.kind != "figure" or cl.value is None or cl.agrees is None:
            continue
        readings = [cells for cells, v in cl.alternatives if v is not None
                    and abs(v - cl.value) < EPS] if cl.agrees else [cl.cells]
        for cells in readings[:1]:
            coef = coef_of(cells)
            if coef:
                targets.append((coef, Fraction(cl.value), f"正文“{cl.figure}”"))
    if previous is not None:
        for c in list(w):
            cell = ed.by_id[c]
            if c in previous.values and c not in previous.invalid and cell.row != "carried_in":
                now, before = rep.values.get(c, 0), previous.values[c]
                hi, lo = max(now, before), min(now, before)
                if hi - lo >= 10 and hi >= 3 * lo:
                    w[c] *= W_FAR
        # T3-6: this year's 二、上年结转 is last year's 四、结转下年度继续办理.
        for col, _ in _t3_cols():
            prev_id, cid = f"t3.carry_forward.{col}", f"t3.carried_in.{col}"
            if prev_id in previous.values and prev_id not in previous.invalid and cid in ed.by_id:
                targets.append((coef_of([cid]), Fraction(previous.values[prev_id]), "上年报告"))
    return Evidence(w, targets)


def _t3_cols():
    from ..spec import T3_COLS
    return T3_COLS


# ---------------------------------------------------------------------------
# Solving
# ---------------------------------------------------------------------------


def _num(x):
    x = Fraction(x)
    return int(x) if x.denominator == 1 else float(x)


def _residuals(sys_: System, values: dict) -> dict:
    out = {}
    for i, hr in enumerate(sys_.rules):
        out[i] = sum(k * Fraction(values.get(c, 0)) for c, k in hr.coef.items())
    return out


def _violated(hr: HardRule, r) -> bool:
    return r != 0 if hr.op == "=" else r > 0


def _feasible(sys_: System, res: dict, deltas: dict, values: dict, touched) -> bool:
    for i in touched:
        hr = sys_.rules[i]
        r = res[i] + sum(hr.coef.get(c, 0) * d for c, d in deltas.items())
        if _violated(hr, r):
            return False
    for c, d in deltas.items():
        if d == 0 or Fraction(d).denominator != 1:
            return False
        if Fraction(values.get(c, 0)) + d < 0:
            return False
    return True


def _single(sys_, res, values, cell, failing_eq):
    idx = sys_.cell_rules[cell]
    if failing_eq:
        i = failing_eq[0]
        d = -res[i] / sys_.rules[i].coef[cell]
    else:  # only inequalities fail: the smallest move that satisfies them
        d = None
        for i in idx:
            hr = sys_.rules[i]
            if hr.op == "=":
                return None  # any move breaks an equality that holds
            if res[i] > 0:
                k = hr.coef[cell]
                need = -res[i] / k
                if k > 0:
                    d = need if d is None else min(d, need)
                else:
                    d = need if d is None else max(d, need)
        if d is None:
            return None
    deltas = {cell: d}
    return deltas if _feasible(sys_, res, deltas, values, idx) else None


def _pair(sys_, res, values, a, b):
    ia, ib = sys_.cell_rules[a], sys_.cell_rules[b]
    touched = sorted(set(ia) | set(ib))
    rows = [(sys_.rules[i].coef.get(a, 0), sys_.rules[i].coef.get(b, 0), -res[i])
            for i in touched if sys_.rules[i].op == "="]
    sol = None
    for p, q in combinations(rows, 2):
        det = p[0] * q[1] - p[1] * q[0]
        if det:
            sol = (Fraction(p[2] * q[1] - p[1] * q[2], det), Fraction(p[0] * q[2] - p[2] * q[0], det))
            break
    if sol is None:
        return None  # not determined by the equalities: no suggestion to make
    for x, y, z in rows:
        if x * sol[0] + y * sol[1] != z:
            return None
    deltas = {a: sol[0], b: sol[1]}
    return deltas if _feasible(sys_, res, deltas, values, touched) else None


def locate(rep, previous=None, read_findings=()) -> Location:
    """Localise the failing hard rules of ``rep`` (see the module docstring)."""
    ed = rep.spec
    sys_ = system(ed, rep.overwritten, rep.invalid)
    values = rep.values
    res = _residuals(sys_, values)
    failing = [i for i, hr in enumerate(sys_.rules) if _violated(hr, res[i])]
    ev = evidence(rep, previous, read_findings) if failing else Evidence({})
    causes, unexplained = [], []
    by_comp: dict = {}
    for i in failing:
        by_comp.setdefault(sys_.component[i], []).append(i)
    for comp, fail in by_comp.items():
        found = _solve_component(sys_, res, values, ev, comp, fail)
        if found is None:
            unexplained.extend(fail)
        else:
            causes.extend(found)
    return Location(sys_, failing, causes, unexplained, res, ev)


def _solve_component(sys_, res, values, ev, comp, fail):
    cells = sorted(c for c, idx in sys_.cell_rules.items() if sys_.component[idx[0]] == comp)
    fail_set = set(fail)
    mask = {c: frozenset(sys_.cell_rules[c]) & fail_set for c in cells}
    failing_eq = [i for i in fail if sys_.rules[i].op == "="]
    solutions = []
    for c in cells:
        if mask[c] != fail_set:
            continue
        d = _single(sys_, res, values, c, failing_eq)
        if d is not None:
            solutions.append(d)
    if not solutions:
        first = fail[0]
        starts = [c for c in cells if first in mask[c]]
        n = 0
        for a in starts:
            for b in cells:
                if b == a or (first in mask[b] and b < a) or (mask[a] | mask[b]) != fail_set:
                    continue
                n += 1
                if n > MAX_PAIRS:
                    break
                d = _pair(sys_, res, values, a, b)
                if d is not None:
                    solutions.append(d)
                    if len(solutions) > MAX_SOLUTIONS:
                        break
    if not solutions:
        return None
    scored = [(ev.score(d, values), d) for d in solutions]
    best = min(s for s, _ in scored)
    chosen = [d for s, d in scored if s <= best + EPS]
    return _causes(sys_, values, chosen, fail_set, best)


def _fix(values, cell, d):
    cur = values.get(cell, 0)
    return Fix(cell, _num(Fraction(cur) + d), cur)


def _causes(sys_, values, chosen, fail_set, weight):
    touches = {}

    def key(c):
        if c not in touches:
            touches[c] = frozenset(sys_.cell_rules[c]) & fail_set
        return touches[c]

    if all(len(d) == 1 for d in chosen):
        fixes = [_fix(values, c, d) for sol in chosen for c, d in sol.items()]
        rules = sorted(set().union(*(key(f.cell) for f in fixes)))
        return [Cause(fixes, rules, weight)]
    # Sets of two: one cause per role when every set has one cell of each role.
    roles = [tuple(sorted((key(c) for c in sol), key=sorted)) for sol in chosen]
    if len(set(roles)) == 1 and roles[0][0] != roles[0][1]:
        out = []
        for role in roles[0]:
            seen, fixes = set(), []
            for sol in chosen:
                for c, d in sol.items():
                    if key(c) == role and c not in seen:
                        seen.add(c)
                        fixes.append(_fix(values, c, d))
            out.append(Cause(fixes, sorted(role), weight / 2))
        return out
    pairs = [[_fix(values, c, d) for c, d in sorted(sol.items())] for sol in chosen]
    fixes, seen = [], set()
    for p in pairs:
        for f in p:
            if f.cell not in seen:
                seen.add(f.cell)
                fixes.append(f)
    rules = sorted(set().union(*(key(f.cell) for f in fixes)))
    return [Cause(fixes, rules, weight, pairs=pairs)]
