"""The rule engine: apply every rule of the report's edition, return findings.

Linear rules (勾稽关系) come compiled from the spec; the few rules that are
not linear equations are named checks registered in ``NAMED_CHECKS`` under
the ``check`` name the spec gives them.
"""

from __future__ import annotations

import difflib

from .findings import CellRef, Finding, finding, sort_findings
from .narrative import narrative_of
from .report import READ_CHECKS, Report, _fmt
from ..spec import UNIT_TYPES, edition_for_year
from ..spec.catalogue import rule as catalogue_rule
from ..spec.model import REPORT_YEARS, LinearRule

EPS = 1e-6


def rule_failures(rep: Report) -> list:
    """Every failing linear rule instance of ``rep`` as ``(rule, finding)``, before error
    localisation and folding: what the live checks of the template judge, instance by instance."""
    return [(rule, f) for rule in rep.spec.rules if (f := _linear(rule, rep))]


def evaluate(rep: Report, previous: Report | None = None) -> list[Finding]:
    """All findings for ``rep`` (read-time findings included), sorted by table and severity.

    The failing hard rules are localised (:mod:`toolkit.engine.locate`): each
    wrong cell becomes one finding that names it, its likely value and every
    rule it breaks; rules no localisation explains are reported one by one.
    """
    from .locate import locate
    findings = list(rep.findings)
    failed = rule_failures(rep)
    loc = locate(rep, previous, rep.findings) if failed else None
    explained = set()
    if loc is not None:
        for cause in loc.causes:
            explained.update(id(loc.system.rules[i].rule) for i in cause.rules)
    folded = []
    for rule, f in failed:
        if id(rule) in explained:
            continue
        (folded if rule.fold_into else findings).append((rule, f) if rule.fold_into else f)
    for rule, f in folded:
        _fold(rule, f, findings, rep)
    if loc is not None:
        per_rule = {id(rule): f for rule, f in failed}
        for cause in loc.causes:
            findings.append(cause_finding(cause, loc, rep, per_rule, findings))
    for r in rep.spec.other_rules:
        if r["check"] in READ_CHECKS:
            continue  # found while reading (rep.findings)
        findings.extend(NAMED_CHECKS[r["check"]](r, rep, previous))
    if previous is not None:
        for rule in rep.spec.cross_year_rules:
            f = _cross_year(rule, rep, previous)
            if f:
                findings.append(f)
    for f in findings:
        if f.severity == "verify":
            f.explanation = rep.explanations.get(f.key, "")
    return sort_findings(findings)


# -- one finding per cause ----------------------------------------------------------

MAX_LISTED = 12


def _detail(f: Finding) -> str:
    """The arithmetic sentence of a per-rule finding (without its ref, scope and culprit)."""
    text = f.message.split("：", 2)[-1]
    return text.split("。最可能出错的是")[0]


def _why(cell_id: str, rules: list, rep: Report) -> str:
    """Why ``cell_id`` should have its suggested value: the rule that determines it."""
    for r in rules:  # the cell is the total a rule defines
        if len(r.lhs) == 1 and r.lhs[0].cell == cell_id and r.op == "=":
            if r.rhs_text:
                return f"按{r.rhs_text}"
            return "按" + "+".join(_term_labels(r.rhs, rep)) + ("之和" if len(r.rhs) > 1 else "")
    for r in rules:
        terms = r.lhs + r.rhs
        if r.op != "=" or not any(t.cell == cell_id for t in terms):
            continue
        labels = dict(zip((t.cell for t in terms), _term_labels(terms, rep)))
        on_left = any(t.cell == cell_id for t in r.lhs)
        same, other = (r.lhs, r.rhs) if on_left else (r.rhs, r.lhs)
        rest = [t for t in same if t.cell != cell_id]
        if len(rest) > 2:  # one part of a long sum
            return f"按{'+'.join(labels[t.cell] for t in other)}减去其余各项"
        text = "+".join(labels[t.cell] for t in other)
        if not on_left and r.lhs_text:
            text = r.lhs_text
        elif on_left and r.rhs_text:
            text = r.rhs_text
        return "按" + text + "".join(f"−{labels[t.cell]}" for t in rest)
    r = rules[0]
    return f"使{r.scope}{r.title}"


def _fmt_fix(fix, rep: Report, with_label: bool = True) -> str:
    c = rep.spec.by_id[fix.cell]
    label = f"（{c.label}）" if with_label else ""
    return f"{c.address}{label}应为 {_fmt(fix.value)}"


def _evidence_note(cause, loc, rep: Report) -> str:
    """Which figures of the narrative / last year made some cells less likely (not listed)."""
    need = set(cause.rules)
    touching = {c for c, idx in loc.system.cell_rules.items() if need <= set(idx)}
    offered = {fx.cell for fx in cause.fixes}
    notes = []
    for coef, figure, what in getattr(loc.evidence, "targets", []):
        before = sum(k * rep.values.get(c, 0) for c, k in coef.items())
        spared = (set(coef) & touching) - offered
        if before == figure and spared:
            cells = "、".join(rep.spec.by_id[c].address for c in sorted(spared, key=_order(rep))[:4])
            notes.append(f"{cells}{'等' if len(spared) > 4 else ''}与{what}相符，可能性较小，未列出")
    return f"（{'；'.join(notes)}）" if notes else ""


def _order(rep: Report):
    index = {c.id: i for i, c in enumerate(rep.spec.cells)}
    return lambda cid: index.get(cid, 0)


def cause_finding(cause, loc, rep: Report, per_rule: dict, findings: list) -> Finding:
    """One finding for one cause: the culprit (or its equally likely alternatives),
    the value that makes every hard rule hold, and the rules it breaks."""
    ed = rep.spec
    rules = [loc.system.rules[i].rule for i in cause.rules]
    parts = [per_rule[id(r)] for r in rules if id(r) in per_rule]
    primary = parts[0] if parts else None
    broken = "；".join(f"{r.id} {r.scope}（{_detail(per_rule[id(r)])}）" for r in rules
                       if id(r) in per_rule)
    operands: list = []
    related: set = set()
    for f in parts:
        for ref in f.cells:
            if ref.cell_id not in operands:
                operands.append(ref.cell_id)
        related.update(f.related)
    fix_cells = [fx.cell for fx in cause.fixes]
    rule_id = rules[0].id
    culprit, suggested = "", None
    if cause.unique:
        fx = cause.fixes[0]
        c = ed.by_id[fx.cell]
        culprit, suggested = fx.cell, fx.value
        others = {f.cell for other in loc.causes if other is not cause for f in other.fixes}
        own = [r for r, i in zip(rules, cause.rules)
               if not set(loc.system.rules[i].coef) & others] or rules
        own += [r for r in rules if r not in own]
        suggestion = f"{c.address} 应为 {_fmt(fx.value)}（{_why(fx.cell, own, rep)}）"
        s2 = next((f for f in findings if f.rule == "S-2" and f.culprit == fx.cell), None)
        if fx.cell in rep.overwritten and s2 is not None:
            # The typed-over (or changed) formula is the same cause: one finding, S-2's words first.
            findings.remove(s2)
            rule_id = "S-2"
            msg = f"{s2.message.rstrip('。')}。{suggestion}"
        else:
            msg = f"{c.ref}（{c.label}）：{suggestion}，现为 {_fmt(fx.current)}"
        msg += f"。由此不成立的勾稽关系：{broken}" if broken else ""
        first = [fx.cell]
    else:
        anchor = primary.cells[0].cell_id if primary else fix_cells[0]
        a = ed.by_id[anchor]
        head = primary.message.split("。最可能出错的是")[0] if primary else f"{a.ref}"
        others = [f"{r.id} {r.scope}" for r in rules[1:] if id(r) in per_rule]
        msg = head + (f"（同时{'、'.join(others)}不成立）" if others else "")
        if cause.pairs:
            shown = ["且".join(_fmt_fix(fx, rep) for fx in pair) for pair in cause.pairs[:MAX_LISTED]]
            more = f"等 {len(cause.pairs)} 组" if len(cause.pairs) > MAX_LISTED else ""
            msg += f"。以下几组之一可能有误（改动其中一组即可使勾稽关系都成立）：{'；或'.join(shown)}{more}"
        else:
            shown = [_fmt_fix(fx, rep) for fx in cause.fixes[:MAX_LISTED]]
            more = f"等 {len(cause.fixes)} 格" if len(cause.fixes) > MAX_LISTED else ""
            msg += f"。以下任一格可能有误（改动其中一格即可使勾稽关系都成立）：{'；'.join(shown)}{more}"
        msg += _evidence_note(cause, loc, rep)
        first = [anchor]
    cells = first + [c for c in operands if c not in first] + [c for c in fix_cells
                                                               if c not in first and c not in operands]
    ids = list(dict.fromkeys([rule_id] + [r.id for r in rules]))
    head_cell = ed.by_id[cells[0]]
    cat = catalogue_rule(rule_id)
    return Finding(
        rule=rule_id, severity=cat.severity, scope=cat.scope, table=head_cell.table, message=msg,
        cells=[rep.cellref(c) for c in cells], related=sorted(related - set(cells)),
        lhs=primary.lhs if primary else None, rhs=primary.rhs if primary else None,
        diff=primary.diff if primary else None, culprit=culprit, rules=ids, suggested=suggested,
        candidates=[{"cell": fx.cell, "value": fx.value, "current": fx.current} for fx in cause.fixes])


def _fold(rule: LinearRule, finding: Finding, findings: list, rep: Report) -> None:
    """Make ``finding`` part of the ``rule.fold_into`` finding of the same scope."""
    host = next((f for f in findings if f.rule == rule.fold_into
                 and f.message.split("：")[1:2] == finding.message.split("：")[1:2]), None)
    if host is None:  # the implying rule did not fail (or was skipped): report it alone
        findings.append(finding)
        return
    detail = finding.message.split("：", 2)[-1]
    cat = catalogue_rule(rule.id)
    host.message += cat.message("folded", detail=detail)
    if rule.culprit and not host.culprit and (rep.spec.by_id[rule.culprit].kind == "input"
                                              or rule.culprit in rep.overwritten):
        c = rep.spec.by_id[rule.culprit]
        host.culprit = rule.culprit
        host.message += cat.message("culprit", address=c.address, label=c.label)


# -- linear rules ----------------------------------------------------------------


def _leaves(cell_id: str, rep: Report) -> list:
    formulas = rep.spec.formulas
    if cell_id in formulas and cell_id not in rep.overwritten:
        out = []
        for i in formulas[cell_id]:
            out.extend(_leaves(i, rep))
        return out
    return [cell_id]


def _term_labels(terms, rep: Report) -> list[str]:
    cells = [rep.spec.by_id[t.cell] for t in terms]
    if len({c.row for c in cells}) == 1 and len({c.table for c in cells}) == 1 and len(cells) > 1:
        return [c.col_label for c in cells]
    if len({c.col for c in cells}) == 1 and len(cells) > 1:
        return [c.row_label for c in cells]
    return [c.label for c in cells]


def _side(terms, labels, values, override: str = "", prefix: str = "") -> tuple[str, float]:
    total = sum(t.sign * values[t.cell] for t in terms)
    if override:
        return f"{prefix}{override}({_fmt(total)})", total
    parts = []
    for i, (t, lab) in enumerate(zip(terms, labels)):
        sign = "" if i == 0 and t.sign > 0 else ("+" if t.sign > 0 else "−")
        parts.append(f"{sign}{prefix}{lab}({_fmt(values[t.cell])})")
    text = "".join(parts)
    if len(terms) > 1:
        text += f"={_fmt(total)}"
    return text, total


def _compare(op: str, lhs: float, rhs: float) -> bool:
    if op == "=":
        return abs(lhs - rhs) <= EPS
    if op == "<=":
        return lhs <= rhs + EPS
    if op == ">=":
        return lhs >= rhs - EPS
    raise ValueError(op)


def _sentence(op: str, left: str, right: str, diff: float) -> str:
    d = _fmt(abs(diff))
    if op == "=":
        return f"{left}，但{right}，相差{d}"
    if op == "<=":
        return f"{left}大于{right}，多出{d}"
    return f"{left}小于{right}，相差{d}"


def _linear(rule: LinearRule, rep: Report) -> Finding | None:
    operands = [t.cell for t in rule.lhs + rule.rhs]
    leaves = None
    if rep.invalid:
        leaves = {leaf for c in operands for leaf in _leaves(c, rep)}
        if leaves & rep.invalid or set(operands) & rep.invalid:
            return None  # the bad entry is already reported; avoid a cascade
    values = rep.values
    lhs = sum(t.sign * values[t.cell] for t in rule.lhs)
    rhs = sum(t.sign * values[t.cell] for t in rule.rhs)
    if _compare(rule.op, lhs, rhs):
        return None
    if leaves is None:
        leaves = {leaf for c in operands for leaf in _leaves(c, rep)}
    terms = rule.lhs + rule.rhs
    labels = _term_labels(terms, rep)
    left, _ = _side(rule.lhs, labels[: len(rule.lhs)], values, rule.lhs_text)
    right, _ = _side(rule.rhs, labels[len(rule.lhs):], values, rule.rhs_text)
    first = rep.spec.by_id[rule.lhs[0].cell]
    culprit = next((c for c in operands if c in rep.overwritten), "")
    msg = catalogue_rule(rule.id).message(ref=first.ref, scope=rule.scope,
                                          sentence=_sentence(rule.op, left, right, lhs - rhs))
    if culprit:
        cc = rep.spec.by_id[culprit]
        msg += f"。最可能出错的是 {cc.address}（{cc.label}）：合计公式已被改写为数值"
    related = sorted(leaves - set(operands))
    return Finding(rule=rule.id, severity=rule.severity, table=first.table, message=msg,
                   cells=[rep.cellref(c) for c in operands], related=related,
                   lhs=lhs, rhs=rhs, diff=round(lhs - rhs, 8), culprit=culprit)


def _cross_year(rule: LinearRule, rep: Report, prev: Report) -> Finding | None:
    ids = [t.cell for t in rule.lhs + rule.rhs]
    prev_ids = [t.cell for t in rule.rhs_previous]
    if any(i not in prev.spec.by_id for i in prev_ids):
        return None
    if rule.previous_editions and prev.edition not in rule.previous_editions:
        return None
    leaves = {leaf for c in ids for leaf in _leaves(c, rep)}
    if leaves & rep.invalid or {c for c in prev_ids} & prev.invalid:
        return None
    terms = rule.lhs + rule.rhs
    labels = _term_labels(rule.lhs + rule.rhs + rule.rhs_previous, rep)
    left, lhs = _side(rule.lhs, labels[: len(rule.lhs)], rep.values)
    n = len(rule.lhs)
    right_parts = []
    rhs = 0
    if rule.rhs:
        text, v = _side(rule.rhs, labels[n: n + len(rule.rhs)], rep.values)
        right_parts.append(text.split("=")[0])
        rhs += v
    text, v = _side(rule.rhs_previous, labels[n + len(rule.rhs):], prev.values, prefix="上年报告·")
    right_parts.insert(0, text.split("=")[0])
    rhs += v
    if _compare(rule.op, lhs, rhs):
        return None
    right = right_parts[0] + "".join(
        p if p.startswith(("−", "+")) else "+" + p for p in right_parts[1:]) + (f"={_fmt(rhs)}" if len(terms) + len(rule.rhs_previous) > 2 else "")
    first = rep.spec.by_id[rule.lhs[0].cell]
    msg = catalogue_rule(rule.id).message(ref=first.ref, scope=rule.scope, previous=prev.path,
                                          sentence=_sentence(rule.op, left, right, lhs - rhs))
    cells = [rep.cellref(c) for c in ids]
    for c in prev_ids:
        pc = prev.spec.by_id[c]
        cells.append(CellRef(pc.sheet, pc.address, c, "上年/" + pc.path, prev.values.get(c)))
    return Finding(rule=rule.id, severity=rule.severity, table="cross", message=msg, cells=cells,
                   lhs=lhs, rhs=rhs, diff=round(lhs - rhs, 8))


# -- named checks -------------------------------------------------------------------


def _zero_for_unit_types(r, rep: Report, previous):
    if rep.unit_type not in r["unit_types"]:
        return []
    cells = [c for c in rep.spec.cells if c.table == "t2" and c.row in r["rows"]
             and rep.values.get(c.id)]
    if not cells:
        return []
    listing = "、".join(f"{c.address}（{c.col_label}）={_fmt(rep.values[c.id])}" for c in cells)
    return [finding(r["id"], table="t2", ref=cells[0].ref, unit_type=rep.unit_type, listing=listing,
                    cells=[rep.cellref(c.id) for c in cells])]


def _max_value(r, rep: Report, previous):
    out = []
    for cid in r["cells"]:
        if cid not in rep.spec.by_id or cid in rep.invalid:
            continue
        v = rep.values.get(cid, 0)
        if v > r["max"]:
            c = rep.spec.by_id[cid]
            out.append(finding(r["id"], table=c.table, ref=c.ref, label=c.label, value=_fmt(v),
                               cells=[rep.cellref(cid)]))
    return out


def _edition_year(r, rep: Report, previous):
    year = rep.year
    if year is None:
        return []
    want = edition_for_year(year)
    if want == rep.edition:
        return []
    c = rep.spec.by_id["info.year"]
    return [finding(r["id"], "edition_year", table="info", ref=c.ref, year=year, want=want,
                    edition=rep.edition, cells=[rep.cellref("info.year")])]


def _mentions(r, rep: Report, previous):
    key = r["section"]
    text = rep.texts.get(key, "")
    if not text.strip() or any(w in text for w in r["words"]):
        return []
    c = rep.spec.by_id[rep.section_cell(key)]
    return [finding(r["id"], table="text", ref=c.ref, section=c.row_label, word=r["words"][0],
                    cells=[rep.cellref(c.id)])]


def _same_as_previous(r, rep: Report, previous):
    if previous is None:
        return []
    out = []
    for key in r["sections"]:
        a, b = rep.texts.get(key, "").strip(), previous.texts.get(key, "").strip()
        if len(a) < 20 or not b:
            continue
        sm = difflib.SequenceMatcher(None, a[:4000], b[:4000], autojunk=False)
        if sm.real_quick_ratio() < 0.9 or sm.quick_ratio() < 0.9:
            continue
        ratio = sm.ratio()
        if ratio >= 0.9:
            c = rep.spec.by_id[rep.section_cell(key)]
            out.append(finding(r["id"], table="text", ref=c.ref, section=c.row_label, ratio=ratio,
                               cells=[rep.cellref(c.id)]))
    return out


def _required(r, rep: Report, previous):
    out = []
    for c in rep.spec.cells:
        if c.kind == "info":
            v = rep.info.get(c.row)
            if c.type == "year" and v not in (None, "") and not isinstance(v, int):
                out.append(finding(r["id"], "year", table="info", ref=c.ref, value=v,
                                   lo=REPORT_YEARS[0], hi=REPORT_YEARS[1],
                                   cells=[rep.cellref(c.id)], culprit=c.id))
                continue
            if c.type == "choice" and v and v not in _unit_types():
                out.append(finding(r["id"], "choice", table="info", ref=c.ref, value=v,
                                   choices="、".join(_unit_types()),
                                   cells=[rep.cellref(c.id)], culprit=c.id))
                continue
            if v in (None, ""):
                out.append(finding(r["id"], "info", table="info", ref=c.ref, field=c.row_label,
                                   cells=[rep.cellref(c.id)], culprit=c.id))
        elif (c.kind == "text" and rep.kind == "template" and c.col == "1"
              and not rep.texts.get(c.row, "").strip()):  # a section, at its first paragraph
            out.append(finding(r["id"], "text", table="text", ref=c.ref, field=c.row_label,
                               cells=[rep.cellref(c.id)], culprit=c.id))
    return out


def _narrative(r, rep: Report, previous):
    """Figures and statements of the 正文 against the tables (T3-7, T4-5, T2-9, N-1, N-2)."""
    if rep.kind != "template":
        return []
    return [f for f in narrative_of(rep, previous)[1] if f.rule == r["id"]]


def _unit_types():
    return UNIT_TYPES


NAMED_CHECKS = {
    "zero_for_unit_types": _zero_for_unit_types,
    "max_value": _max_value,
    "edition_year": _edition_year,
    "mentions": _mentions,
    "same_as_previous": _same_as_previous,
    "required": _required,
    # one pass over the 正文 (toolkit.engine.narrative); each rule reports its own claims
    **{name: _narrative for name in ("narrative_t3", "narrative_t4", "narrative_t2",
                                     "narrative_sums", "narrative_change")},
    # cell_type, numeric_text, not_a_number, blank_cells, structure and
    # unit_conversion are found while reading (toolkit.engine.report).
}


def _assert_checks_implemented() -> None:
    from ..spec.catalogue import check_names
    declared, implemented = check_names(), set(NAMED_CHECKS) | READ_CHECKS
    if declared != implemented:
        raise RuntimeError(f"catalogue checks without implementation: {sorted(declared - implemented)}; "
                           f"implemented but undeclared: {sorted(implemented - declared)}")


_assert_checks_implemented()
