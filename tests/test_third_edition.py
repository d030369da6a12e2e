"""A synthetic third edition, added the way docs/spec-format.md §6 says, runs through every
command: template → fill (data, --previous, register) → check → annotate → merge → export →
import, and shows up in docs/rules.md.

The edition "2025" exists only in this test: table 三 gains one result row
（六）4 and a new linear rule T3-90 (（六）4 may not exceed （一）予以公开, 核实).  Nothing
outside toolkit/spec is changed for it: every module asks the registry.
"""

from __future__ import annotations

import copy
import random
import shutil
from datetime import date

import pytest

from toolkit.spec import catalogue as C
from toolkit.spec import editions as E
from toolkit.spec import examples as X
from toolkit.spec import model

NEW = "2025"
PREV = "2021"
ROW = ("other_4", "4.因不可抗力暂停处理", "（六）4")
RULE = "T3-90"


def _t3_rows():
    rows = copy.deepcopy(E.T3_ROWS[PREV])
    results = next(item for item in rows if isinstance(item, dict))
    other = next(item for item in results["rows"] if isinstance(item, dict) and item["label"] == "（六）其他处理")
    other["rows"].append(ROW)
    return rows


@pytest.fixture
def third_edition(monkeypatch):
    """Register edition 2025 (data only, as a future edition would be added)."""
    # The commands' --help texts are built when their modules are imported: import them all
    # first, so that no help text of the real editions is built while 2025 is registered.
    import importlib
    import pkgutil

    import toolkit.cli
    for m in pkgutil.iter_modules(toolkit.cli.__path__):
        importlib.import_module(f"toolkit.cli.{m.name}")
    monkeypatch.setitem(E.T2_BLOCKS, NEW, E.T2_BLOCKS[PREV])
    monkeypatch.setitem(E.T3_ROWS, NEW, _t3_rows())
    monkeypatch.setitem(E.T3_RESULT_ROWS, NEW, E.T3_RESULT_ROWS[PREV] + [ROW[0]])
    for name in ("LINEAR_RULES", "CROSS_YEAR_RULES", "OTHER_RULES"):
        rules = []
        for r in getattr(E, name):
            r = dict(r)
            if PREV in r.get("editions", [PREV]) and "editions" in r:
                r["editions"] = r["editions"] + [NEW]
            if PREV in r.get("previous_editions", []):
                r["previous_editions"] = r["previous_editions"] + [NEW]
            rules.append(r)
        monkeypatch.setattr(E, name, rules)
    E.LINEAR_RULES.append({
        "id": RULE, "editions": [NEW], "for_each": {"col": "@cols"},
        "lhs": ["t3.other_4.{col}"], "op": "<=", "rhs": ["t3.public.{col}"], "scope": "“{col_label}”列",
    })
    new_rule = C.RuleDef(RULE, "verify", "workbook", "linear", "（六）4不应多于（一）予以公开",
                         {"default": C.LINEAR_MESSAGE})
    monkeypatch.setattr(C, "RULES", C.RULES + [new_rule])
    monkeypatch.setitem(C.CATALOGUE, RULE, new_rule)
    monkeypatch.setitem(X.BREAKING_EXAMPLES, RULE, (NEW, {"t3.other_4.natural": 50}, "乡镇", None))
    # The 2021 edition now ends with the 2024 reports.
    monkeypatch.setitem(model.edition_info(PREV), "last_year", 2024)
    model.register_edition({"key": NEW, "first_year": 2025, "last_year": None,
                            "cover_line": "表格版本：2025年版（测试用的虚构版本），适用于2025年度及以后的报告",
                            "years_text": "2025年度及以后",
                            "import_t3_rows": ["other_1", "other_2", ROW[0]]})
    model.get_edition.cache_clear()
    yield model.get_edition(NEW)
    model.unregister_edition(NEW)


def _values(seed: int, ed, move_public: bool = False) -> dict:
    from toolkit.demo.sample import sample_values
    v = sample_values(ed.key, random.Random(seed))
    n = v["t3.public.natural"] + v["t3.other_4.natural"]
    if n == 0:
        v["t3.new.natural"] += 1
        n = 1
    if move_public:  # break T3-90 in 自然人 only; 一+二 = 七+四 still holds
        v["t3.public.natural"], v["t3.other_4.natural"] = 0, n
    else:
        v["t3.public.natural"], v["t3.other_4.natural"] = n, 0
    return v


def _data(v: dict, unit: str, year: int = 2025) -> dict:
    from toolkit.demo.sample import sample_info, sample_texts
    data = dict(v)
    data.update({f"info.{k}": x for k, x in sample_info(unit, "乡镇", year).items()})
    data.update({f"text.{k}": x for k, x in sample_texts(unit, year, v, random.Random(1)).items()})
    return data


def test_third_edition_through_every_command(third_edition, tmp_path):
    from click.testing import CliRunner

    from toolkit.cli import main
    from toolkit.engine.check import check
    from toolkit.fill.core import fill
    from toolkit.marks import core as marks
    from toolkit.marks.annotate import annotate_file
    from toolkit.merge.run import merge
    from toolkit.publish.export import export_docx
    from toolkit.publish.importer import import_to_workbook
    from toolkit.spec import EDITIONS, edition_for_year
    ed = third_edition
    assert NEW in EDITIONS and edition_for_year(2025) == NEW and edition_for_year(2024) == PREV
    new_cell = ed.by_id["t3.other_4.natural"]

    # template (through the CLI: --edition follows the registry)
    tpl = tmp_path / "模板.xlsx"
    res = CliRunner().invoke(main, ["template", "--edition", NEW, "-o", str(tpl)])
    assert res.exit_code == 0, res.output
    import openpyxl
    wb = openpyxl.load_workbook(tpl)
    labels = {c.value for row in wb["三、依申请公开"].iter_rows() for c in row if isinstance(c.value, str)}
    assert ROW[1] in labels

    # fill from data (the year decides the edition), from a template file, and --edition
    good = tmp_path / "units" / "甲镇.xlsx"
    good.parent.mkdir()
    fill(good, data=_data(_values(1, ed), "甲镇人民政府"))
    bad = tmp_path / "units" / "乙镇.xlsx"
    fill(bad, edition=NEW, template=tpl, data=_data(_values(2, ed, move_public=True), "乙镇人民政府"))

    # check: the new row is read, the new rule runs from data
    r_good, r_bad = check(good), check(bad)
    assert r_good.readable and r_good.report.edition == NEW, r_good.error
    assert not [f for f in r_good.findings if f.severity == "error"], [f.message for f in r_good.findings]
    hits = [f for f in r_bad.findings if f.rule == RULE]
    assert {f.message.split("：")[1] for f in hits} == {"“自然人”列", "“总计”列"}
    assert {f.severity for f in hits} == {"verify"}
    assert r_bad.report.values["t3.other_4.natural"] > 0

    # annotate: the finding's cell is marked, and the template's own fill is known for the new row
    marked = annotate_file(bad, tmp_path / "乙镇-校验.xlsx", r_bad)
    ws = openpyxl.load_workbook(marked)[new_cell.sheet]
    assert ws[new_cell.address].comment is not None
    label_addr = next(a for a, lc in ed.layout("t3").cells.items() if lc.value == ROW[1])
    assert marks.template_fill(NEW, new_cell.sheet, label_addr) is not None

    # fill --previous from a 2025 report into 2026: carried over by the spec's cross-year rules
    nxt = tmp_path / "甲镇2026.xlsx"
    out = fill(nxt, previous=good, year=2026)
    assert out.edition == NEW
    assert out.values["t3.carried_in.natural"] == r_good.report.values["t3.carry_forward.natural"]

    # merge: both units summed in the new edition, the new row included
    summary = tmp_path / "汇总.xlsx"
    m = merge(good.parent, summary, workers=1)
    assert m.edition == NEW and len(m.included) == 2
    assert m.totals["t3.other_4.natural"] == (r_good.report.values["t3.other_4.natural"]
                                             + r_bad.report.values["t3.other_4.natural"])
    assert check(summary).report.edition == NEW

    # export -> import: the document is recognised as the new edition, the new row comes back
    docx = tmp_path / "甲镇.docx"
    export_docx(bad, docx)
    back = tmp_path / "导入.xlsx"
    imp = import_to_workbook(docx, back)
    assert imp.edition == NEW
    r_back = check(back)
    assert r_back.report.values["t3.other_4.natural"] == r_bad.report.values["t3.other_4.natural"]


def test_third_edition_in_register_sample_and_docs(third_edition, tmp_path):
    from toolkit import docs_gen
    from toolkit.demo.sample import sample_values
    from toolkit.fill import register as R
    v = sample_values(NEW, random.Random(5))
    assert "t3.other_4.natural" in v
    item = R._items_by_key()["other_4"]
    assert R._result_lookup()[R._norm("（六）4")] == "other_4" and item.path.endswith(ROW[1])
    reqs = [R.Request(row=2, received=date(2025, 3, 1), applicant="natural", result=item,
                      concluded=date(2025, 3, 20))]
    counts = R.count_table3(reqs, NEW, 2025)
    assert counts["t3.other_4.natural"] == 1 and counts["t3.new.natural"] == 1
    assert "（2025年度及以后）" in R.help_lines(NEW)[1]
    R.write_register_template(tmp_path / "台账.xlsx", NEW)
    page = docs_gen.rules_markdown()
    assert f"| {RULE} | 核实 | {NEW} |" in page
    assert f"| T3-1 | 错误 | 2019、2021、{NEW} |" in page
    shutil.rmtree(tmp_path, ignore_errors=True)


def test_registering_an_edition_leaves_the_others_checks_unchanged(report_factory):
    """register_edition rebuilds every Edition object: caches keyed by the edition key
    (locate's equation systems) must not hand the old objects' rules to the new ones, or a
    folded rule (T3-5 inside T3-1) is reported on its own (three findings, not one)."""
    from toolkit.engine.check import check
    path, _ = report_factory(overrides={"t3.carry_forward.natural": 500})

    def folded():
        return sorted(tuple(f.rules) for f in check(path).findings if {"T3-1", "T3-5"} & set(f.rules))

    before = folded()
    assert len(before) == 1
    model.register_edition({"key": "2099", "first_year": 2099, "last_year": None})
    try:
        model.unregister_edition("2099")
        assert folded() == before
    finally:
        model.unregister_edition("2099")
