"""Error localisation (issue #13 acceptance): the wrong cell and its likely value.

Property tests, both editions, on real workbooks written to disk and checked:

(a) totals as values (every total typed over with its correct value, as in an
    imported or hand-made table): any single change of a table-三 cell (input
    or total) is localised to exactly that cell, with the original value as
    the suggestion;
(b) formula totals: a single changed table-三 input is among the reported
    candidates, with the original value, and the set is minimal (every
    candidate alone makes every rule hold);
(c) two changed cells in different rows and columns are both named.

Table 四 has one equation per group: a wrong cell there cannot be told apart
from its neighbours by the rules alone (with formula totals a wrong input breaks
no rule at all); a total typed over its formula is the likelier culprit.
"""

from __future__ import annotations

import itertools

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from test_check_property import EDITIONS, _totals, _write, consistent_values
from toolkit.engine.check import check
from toolkit.engine.report import read_report
from toolkit.engine.locate import locate
from toolkit.spec import get_edition

SETTINGS = settings(max_examples=12, deadline=None,
                    suppress_health_check=[HealthCheck.function_scoped_fixture,
                                           HealthCheck.too_slow])
counter = itertools.count()


def _causes(result):
    """Error findings that come from localisation (they list candidates)."""
    return [f for f in result.findings if f.severity == "error" and f.candidates]


def _linear_errors(result):
    return [f for f in result.findings if f.severity == "error" and set(f.rules) - {"S-2"}]


def _t3_cells(ed, kinds):
    return [c for c in ed.data_cells("t3") if c.kind in kinds]


def _change(data, current):
    return data.draw(st.integers(-current, 30).filter(lambda d: d != 0))


@SETTINGS
@given(data=st.data(), edition=st.sampled_from(EDITIONS))
def test_a_totals_as_values_single_change_is_localised_exactly(tmp_path, data, edition):
    values = data.draw(consistent_values(edition))
    ed = get_edition(edition)
    overrides = dict(_totals(edition, values))
    cell = data.draw(st.sampled_from(_t3_cells(ed, ("input", "total"))))
    current = overrides.get(cell.id, values.get(cell.id, 0))
    delta = _change(data, current)
    changed = dict(values)
    if cell.kind == "total":
        overrides[cell.id] = current + delta
    else:
        changed[cell.id] = current + delta
    result = check(_write(tmp_path / f"a{next(counter)}.xlsx", edition, changed, overrides))
    errors = _linear_errors(result)
    assert len(errors) == 1, [f.message for f in errors]
    f = errors[0]
    assert f.culprit == cell.id and f.suggested == current, (cell.id, delta, f.message)
    assert f"{cell.address} 应为 {current}（" in f.message
    assert f.focus.cell_id == cell.id and f.message.startswith(cell.ref)


@SETTINGS
@given(data=st.data(), edition=st.sampled_from(EDITIONS))
def test_b_formula_totals_changed_input_is_a_candidate_of_a_minimal_set(tmp_path, data, edition):
    values = data.draw(consistent_values(edition))
    ed = get_edition(edition)
    cell = data.draw(st.sampled_from(_t3_cells(ed, ("input",))))
    delta = _change(data, values[cell.id])
    changed = dict(values, **{cell.id: values[cell.id] + delta})
    path = _write(tmp_path / f"b{next(counter)}.xlsx", edition, changed)
    result = check(path)
    causes = _causes(result)
    assert len(causes) == 1 and len(_linear_errors(result)) == 1, [f.message for f in result.findings]
    offered = {c["cell"]: c["value"] for c in causes[0].candidates}
    assert offered.get(cell.id) == values[cell.id], (cell.id, delta, causes[0].message)
    # Minimal: each candidate alone makes every hard rule hold (independently re-checked).
    rep = read_report(path)
    for cid, value in offered.items():
        rep2 = read_report(path)
        rep2.values[cid] = value
        for t in ed.totals():
            rep2.values[t.id] = _totals(edition, {k: v for k, v in rep2.values.items()
                                                  if ed.by_id[k].kind == "input"})[t.id]
        assert not locate(rep2).failing, cid
    assert locate(rep).failing  # and the report as it is does break a rule


def _two_cells(data, cells):
    a = data.draw(st.sampled_from(cells))
    b = data.draw(st.sampled_from([c for c in cells if c.row != a.row and c.col != a.col]))
    return a, b


@SETTINGS
@given(data=st.data(), edition=st.sampled_from(EDITIONS), as_values=st.booleans())
def test_c_two_changed_cells_in_different_rows_and_columns_are_both_named(tmp_path, data, edition,
                                                                          as_values):
    values = data.draw(consistent_values(edition))
    ed = get_edition(edition)
    overrides = dict(_totals(edition, values)) if as_values else {}
    kinds = ("input", "total") if as_values else ("input",)
    changed = dict(values)
    picked = _two_cells(data, _t3_cells(ed, kinds))
    for cell in picked:
        current = overrides.get(cell.id, values.get(cell.id, 0))
        delta = _change(data, current)
        (overrides if cell.kind == "total" else changed)[cell.id] = current + delta
    result = check(_write(tmp_path / f"c{next(counter)}.xlsx", edition, changed, overrides))
    named = {c["cell"]: c["value"] for f in _causes(result) for c in f.candidates}
    for cell in picked:
        original = _totals(edition, values).get(cell.id, values.get(cell.id))
        assert named.get(cell.id) == original, (cell.id, [f.message for f in result.findings])


def test_table4_a_typed_over_total_is_the_likelier_culprit(tmp_path):
    """One equation per group of table 四: among the five cells, the total typed over its
    formula is the likelier culprit (weights), and the suggestion is the sum of its parts."""
    from conftest import make_report
    path, values = make_report(tmp_path / "t4.xlsx", seed=5, overrides={"t4.review.total": 9})
    f = next(f for f in _causes(check(path)) if "T4-1" in f.rules)
    parts = sum(values[f"t4.review.{k}"] for k in ("upheld", "corrected", "other", "pending"))
    assert f.culprit == "t4.review.total" and f.suggested == parts and f.rule == "S-2"
    assert f.rules == ["S-2", "T4-1"]


def test_narrative_and_last_year_are_evidence(tmp_path):
    """一 agrees with the 正文's figure and 二 with last year's 四: only （一） is left."""
    from conftest import make_report
    ed = get_edition("2021")
    v = {c.id: 0 for c in ed.inputs()}
    v.update({"t3.new.natural": 5, "t3.public.natural": 6})  # one too many 予以公开
    texts = {"overview": "全年共收到政府信息公开申请5件。", "problems": "无。", "other": "本年度未收取信息处理费。"}
    path, _ = make_report(tmp_path / "n.xlsx", values=v, texts=texts)
    f = next(f for f in _causes(check(path)) if "T3-1" in f.rules)
    assert not f.culprit and {c["cell"] for c in f.candidates} == {"t3.carried_in.natural",
                                                                   "t3.public.natural"}, f.message
    assert "以下任一格可能有误" in f.message
    prev, _ = make_report(tmp_path / "prev.xlsx", values={c.id: 0 for c in ed.inputs()}, texts=texts)
    f = next(f for f in _causes(check(path, previous=prev)) if "T3-1" in f.rules)
    assert f.culprit == "t3.public.natural" and f.suggested == 5, f.message
    texts["overview"] = "全年共收到政府信息公开申请6件。"  # the narrative disagrees with 一
    path, _ = make_report(tmp_path / "n2.xlsx", values=v, texts=texts)
    f = next(f for f in _causes(check(path)) if "T3-1" in f.rules)
    assert f.culprit == "t3.new.natural" and f.suggested == 6, f.message


def _zeros(**values):
    v = {c.id: 0 for c in get_edition("2021").inputs()}
    v.update(values)
    return v


SILENT = {"overview": "总体情况正文。", "problems": "无。", "other": "本年度未收取信息处理费。"}


def test_a_number_typed_as_text_is_the_likelier_culprit(tmp_path):
    from conftest import make_report
    v = _zeros(**{"t3.new.natural": 5, "t3.public.natural": 6})
    path, _ = make_report(tmp_path / "plain.xlsx", values=v, texts=dict(SILENT))
    f = next(f for f in _causes(check(path)) if "T3-1" in f.rules)
    assert not f.culprit and len(f.candidates) == 3  # 一, 二 or （一）: the rules cannot tell
    path, _ = make_report(tmp_path / "text.xlsx", values=v, texts=dict(SILENT),
                          overrides={"t3.public.natural": "6"})
    f = next(f for f in _causes(check(path)) if "T3-1" in f.rules)
    assert f.culprit == "t3.public.natural" and f.suggested == 5, f.message


def test_a_value_far_from_last_year_is_the_likelier_culprit(tmp_path):
    from conftest import make_report
    v = _zeros(**{"t3.new.natural": 20, "t3.public.natural": 21})
    path, _ = make_report(tmp_path / "now.xlsx", values=v, texts=dict(SILENT))
    near, _ = make_report(tmp_path / "near.xlsx", values=_zeros(**{"t3.new.natural": 20,
                                                                  "t3.public.natural": 19}))
    far, _ = make_report(tmp_path / "far.xlsx", values=_zeros(**{"t3.new.natural": 20,
                                                                "t3.public.natural": 5}))
    f = next(f for f in _causes(check(path, previous=near)) if "T3-1" in f.rules)
    assert not f.culprit and {c["cell"] for c in f.candidates} == {"t3.new.natural",
                                                                   "t3.public.natural"}
    f = next(f for f in _causes(check(path, previous=far)) if "T3-1" in f.rules)
    assert f.culprit == "t3.public.natural" and f.suggested == 20, f.message
