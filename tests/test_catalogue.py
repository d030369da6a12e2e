"""The rule catalogue (toolkit/spec/catalogue.py): every rule declared once, and each rule
fires on its breaking example.

Each catalogue rule of the checker has a breaking example (``toolkit.docs_gen.SCENARIOS``);
running it on a real workbook must produce a finding of exactly that rule, so switching any
rule off fails here.  The merge rules get synthetic units (M-*), folding (T3-5 into T3-1)
and the named checks T3-7, S-5, S-6 get their own tests with a passing counterpart.
"""

from __future__ import annotations

import random

import pytest

from toolkit import docs_gen
from toolkit.engine.findings import Finding, finding
from toolkit.engine.report import READ_CHECKS
from toolkit.engine.rules import NAMED_CHECKS
from toolkit.merge.run import MergeResult, UnitResult, apply_merge_rules
from toolkit.spec import EDITIONS, get_edition
from toolkit.spec import catalogue as C
from toolkit.spec import model

CHECKER_RULES = [r.id for r in docs_gen.checker_rules()]


def test_every_rule_of_every_edition_is_declared_once():
    for key in EDITIONS:
        ed = get_edition(key)
        for r in ed.rules + ed.cross_year_rules:
            assert C.rule(r.id).severity == r.severity and C.rule(r.id).title == r.title
        for r in ed.other_rules:
            assert r["check"] in C.rule(r["id"]).checks
    assert set(NAMED_CHECKS) | READ_CHECKS == C.check_names()


def test_unknown_check_name_fails_when_the_edition_is_built(monkeypatch):
    from toolkit.spec import editions as E
    monkeypatch.setattr(E, "OTHER_RULES", E.OTHER_RULES + [{"id": "T2-8", "check": "no_such_check"}])
    with pytest.raises(ValueError, match="no_such_check"):
        model.get_edition.__wrapped__(EDITIONS[-1])


def test_undeclared_rule_id_fails_when_the_edition_is_built(monkeypatch):
    from toolkit.spec import editions as E
    bad = dict(E.LINEAR_RULES[0], id="T9-9")
    monkeypatch.setattr(E, "LINEAR_RULES", E.LINEAR_RULES + [bad])
    with pytest.raises(KeyError, match="T9-9"):
        model.get_edition.__wrapped__(EDITIONS[-1])


def test_findings_carry_catalogue_severity_and_scope():
    f = finding("M-3", file="甲.xlsx", unit="乙镇人民政府")
    assert (f.severity, f.scope) == ("hint", "merge")
    assert "甲.xlsx" in f.message and "乙镇人民政府" in f.message
    assert finding("S-2", "unprotected", sheet="封面", address="").severity == "hint"
    assert Finding(rule="T3-1", severity="error", message="x").scope == "workbook"
    with pytest.raises(KeyError, match="X-1"):
        Finding(rule="X-1", severity="error", message="x")


def test_every_checker_rule_has_a_breaking_example():
    assert sorted(docs_gen.SCENARIOS) == sorted(CHECKER_RULES)


@pytest.mark.parametrize("rule_id", CHECKER_RULES)
def test_breaking_example_fires_exactly_its_rule(rule_id, tmp_path):
    folds = {r.id: r.fold_into for key in EDITIONS for r in get_edition(key).rules if r.fold_into}
    for n, sc in enumerate(docs_gen.scenarios(rule_id)):
        result = docs_gen.run_scenario(rule_id, sc, tmp_path, n)
        # A finding reports every rule its cause breaks (error localisation, issue #13).
        fired = {r for f in result.findings for r in f.rules}
        if rule_id in folds:  # reported inside the implying rule's finding, never alone
            assert rule_id not in {f.rule for f in result.findings}
            assert [f for f in result.findings if rule_id in f.rules and folds[rule_id] in f.rules]
        else:
            assert rule_id in fired, [f.message for f in result.findings]


def test_folded_rule_names_the_culprit_in_one_finding(report_factory):
    """T3-5 (四 > 一+二) is implied by T3-1: one error for the cause, listing the rules it
    breaks and 四 among the likely cells (二 could equally be the slip: both are offered)."""
    path, values = report_factory(overrides={"t3.carry_forward.natural": 500})
    from toolkit.engine.check import check
    res = check(path)
    natural = [f for f in res.findings if {"T3-1", "T3-5"} & set(f.rules)]
    assert len(natural) == 1 and natural[0].rule == "T3-1"
    assert {"T3-1", "T3-5"} <= set(natural[0].rules)
    offered = {c["cell"] for c in natural[0].candidates}
    assert "t3.carry_forward.natural" in offered
    assert "T3-5 “自然人”列" in natural[0].message


def _unit(file, unit, edition=None, year=None, kind="template", values=()):
    edition = edition or EDITIONS[-1]
    year = year or get_edition(edition).example_year
    return UnitResult(file=file, unit=unit, edition=edition, year=year, kind=kind, values=values)


def _merge(units, roster=()):
    res = MergeResult(folder="x", units=units, roster=list(roster))
    apply_merge_rules(res)
    out = {}
    for u, f in res.all_findings():
        out.setdefault(u.file if u else None, set()).add(f.rule)
    return {**{u.file: set() for u in units}, **out}


def test_merge_rules_fire_on_their_cases():
    old = EDITIONS[0]
    got = _merge([
        _unit("甲镇.xlsx", "甲镇人民政府", values=(1,)),  # M-1: two files, different values
        _unit("甲镇-副本.xlsx", "甲镇人民政府", values=(2,)),
        _unit("辛镇.xlsx", "辛镇人民政府"), _unit("辛镇(1).xlsx", "辛镇人民政府"),  # M-9: identical
        _unit("乙镇.xlsx", "乙镇人民政府", edition=old),  # M-2 (edition)
        _unit("丙镇.xlsx", "丁镇人民政府"),  # M-3: file name names another unit
        _unit("戊镇.xlsx", "戊镇人民政府"),  # M-5: not on the roster
        _unit("全区汇总.xlsx", "某区", kind="summary"),  # M-7
        _unit("己镇2021年报.xlsx", "己镇人民政府"),  # nothing
        UnitResult(file="坏.xlsx", error="文件已损坏"),  # FILE
    ], roster=["甲镇人民政府", "乙镇人民政府", "丁镇人民政府", "己镇人民政府", "某区", "庚镇人民政府",
              "辛镇人民政府"])
    assert got["甲镇.xlsx"] == {"M-1"} and got["甲镇-副本.xlsx"] == {"M-1"}
    assert got["辛镇.xlsx"] == set() and got["辛镇(1).xlsx"] == {"M-9"}
    assert got["乙镇.xlsx"] == {"M-2"}
    assert got["丙镇.xlsx"] == {"M-3"}
    assert got["戊镇.xlsx"] == {"M-5"}
    assert "M-7" in got["全区汇总.xlsx"]
    assert got["己镇2021年报.xlsx"] == set()
    assert got["坏.xlsx"] == {"FILE"}
    assert got[None] == {"M-4"}  # 庚镇 on the roster sent nothing
    # Every merge rule of the catalogue is exercised here or asserted by id in the merge tests
    # (M-6 needs last year's reports; the inbox rules M-8… need real files).
    from pathlib import Path
    fired = set().union(*got.values())
    merge_tests = "".join(p.read_text(encoding="utf-8") for p in Path(__file__).parent.glob("test_merge*.py"))
    untested = [r.id for r in C.RULES if r.scope == "merge" and r.id not in fired
                and f'"{r.id}"' not in merge_tests]
    assert not untested, untested


def test_text_rules_fire_and_stay_quiet(report_factory, tmp_path):
    """T3-7 (figures in 一、总体情况), S-5 (信息处理费), S-6 (copied text) with counterparts."""
    from toolkit.engine.check import check
    latest = EDITIONS[-1]
    path, values = report_factory(edition=latest)
    base = {f.rule for f in check(path).findings}
    assert not base & {"T3-7", "S-5"}
    n = sum(v for k, v in values.items() if k.startswith("t3.new.") and not k.endswith("total"))
    ok, _ = report_factory(texts={"overview": f"全年共收到政府信息公开申请 {n} 件。", "problems": "无问题。",
                                  "other": "本年度未收取信息处理费。"})
    assert not {f.rule for f in check(ok).findings} & {"T3-7", "S-5"}
    bad, _ = report_factory(texts={"overview": f"全年共收到政府信息公开申请 {n + 7} 件。", "problems": "无问题。",
                                   "other": "无其他需要报告的事项。"})
    fired = {f.rule for f in check(bad).findings}
    assert {"T3-7", "S-5"} <= fired
    text = "本年度我单位认真贯彻落实政府信息公开条例，主动公开各类信息，依申请公开工作规范有序，" * 3
    prev, _ = report_factory(texts={"overview": text, "problems": text, "other": "无。"})
    same, _ = report_factory(texts={"overview": text, "problems": "今年的问题与改进措施完全不同，另行撰写。" * 3,
                                    "other": "无。"})
    assert "S-6" in {f.rule for f in check(same, previous=prev).findings}
    other = "今年重点推进基层政务公开标准化规范化建设，新增公开目录二百余项，群众满意度明显提高。" * 3
    diff, _ = report_factory(texts={"overview": other, "problems": other[::-1], "other": "无。"})
    assert "S-6" not in {f.rule for f in check(diff, previous=prev).findings}


def test_severity_labels_defined_once():
    from toolkit.engine import findings
    from toolkit import spec
    assert findings.SEVERITY_LABELS is C.SEVERITY_LABELS is spec.SEVERITY_LABELS


def test_sample_random_is_deterministic():
    # guards the examples above: the same seed gives the same values
    from toolkit.demo.sample import sample_values
    assert sample_values(EDITIONS[-1], random.Random(3)) == sample_values(EDITIONS[-1], random.Random(3))


def test_one_findings_frame_for_check_and_merge(report_factory, tmp_path):
    """check and merge give the same frame: same columns, same row for the same finding."""
    from toolkit.engine.check import check, findings_frame
    from toolkit.engine.findings import FRAME_COLUMNS
    from toolkit.merge.run import merge
    path, _ = report_factory(overrides={"t3.public.natural": "无"})
    folder = tmp_path / "units"
    folder.mkdir()
    path.rename(folder / path.name)
    cf = findings_frame(check(folder / path.name))
    mf = merge(folder, None, workers=1).findings_frame()
    assert list(cf.columns) == list(mf.columns) == FRAME_COLUMNS
    keep = ["rule", "severity", "scope", "table", "sheet", "address", "message"]
    row = cf[cf.rule == "R-2"][keep].to_dict("records")
    assert row and row == mf[mf.rule == "R-2"][keep].to_dict("records")
