"""The narrative checked against the tables (T3-7, T4-5, T2-9, N-1, N-2).

Real evidence first: the development corpus reports with a visible prose/table
contradiction (r059, r037) are vendored below — prose verbatim, and only the
table cells the published page shows (the pages are cut part-way, so every
other cell is unknown) — and must be found; the consistent ones must raise
nothing.  Then the pure function's rules one by one, then the same checks
through real workbooks on disk: ``check`` (and ``--json`` claims), ``export``
and ``merge``'s 问题清单.
"""

from __future__ import annotations

import json

import openpyxl
import pytest
from click.testing import CliRunner

from conftest import make_report
from toolkit.cli import main
from toolkit.demo.sample import totals_of
from toolkit.engine.check import check
from toolkit.engine.narrative import check_narrative

T3_COLS = ["natural", "commercial", "research", "nonprofit", "legal", "other", "total"]


def row(prefix: str, *vals) -> dict:
    return {f"{prefix}.{c}": v for c, v in zip(T3_COLS, vals)}


# ---------------------------------------------------------------------------
# Corpus reports (shared/corpus/published/rNNN.txt), vendored
# ---------------------------------------------------------------------------
# r059: 长春市某局 2023 (2021 edition).  README: 正文“本年度共受理政府信息公开申请2件”
# 与表三“本年新收3”不一致.  Page cut after 表三 “二、上年结转”.
R059_TEXT = (
    "(一)主动公开信息情况。本年度我局门户网站围绕市委、市政府的中心工作,不断充实政务公开内容,提高工作的透明度。"
    "及时按照要求将政策法规、重大项目完成情况、工作动态等信息第一时间在政府网站上发布。"
    "截止2023年12月31日我局通过官方网站发布政务类信息34条,概况类信息150条。\n"
    "(二)依申请公开工作情况。我局高度重视依申请公开事项的答复,严格依法依规做好政府信息依申请公开答复,"
    "由专人负责协调有关处室研究答复意见,并按照规定程序,在规定时限内答复申请人。"
    "本年度,共受理政府信息公开申请2件,都在法定期限内予以答复。\n"
    "(三)处理群众咨询和投诉工作情况。我局按时收集整理门户网站“公众留言”栏目内容,及时做出答复回应,"
    "本年度共处理群众留言92条。")
R059_VALUES = {
    **{f"t2.{r}.{c}": 0 for r in ("rules", "normative") for c in ("issued", "repealed", "in_force")},
    "t2.licensing.decisions": 0, "t2.penalty.decisions": 0, "t2.coercion.decisions": 0,
    "t2.fees.amount": 0,
    **row("t3.new", 3, 0, 0, 0, 0, 0, 3), **row("t3.carried_in", 0, 0, 0, 0, 0, 0, 0),
}

# r049: 桥中街道办事处 2023 (2021 edition).  README: 可见部分与正文一致.  Cut at 表三（三）4.
R049_TEXT = (
    "2023年,我街按照《中华人民共和国政府信息公开条例》有关要求,在区委、区政府的指导下,根据国家、省、市关于政府信息"
    "公开相关文件的精神,遵循公正、公平、合法、便民的原则,认真落实政府信息公开有关工作,制定了《桥中街道政府信息依申请"
    "公开工作方案》,及时、准确地公开政府信息。截至2023年12月31日,法定主动公开政府信息共222条。收到政府信息公开申请4件,"
    "已办结4件,其中予以公开0件,部分公开1件,无法提供3件,其他0件,结转下年度继续办理0件,行政事业性收费0万元。")
R049_VALUES = {
    **{f"t2.{r}.{c}": 0 for r in ("rules", "normative") for c in ("issued", "repealed", "in_force")},
    "t2.licensing.decisions": 0, "t2.penalty.decisions": 123, "t2.coercion.decisions": 0,
    "t2.fees.amount": 0,
    **row("t3.new", 4, 0, 0, 0, 0, 0, 4), **row("t3.carried_in", 0, 0, 0, 0, 0, 0, 0),
    **row("t3.public", 0, 0, 0, 0, 0, 0, 0), **row("t3.partial", 1, 0, 0, 0, 0, 0, 1),
    **row("t3.withheld_1", 0, 0, 0, 0, 0, 0, 0), **row("t3.withheld_2", 0, 0, 0, 0, 0, 0, 0),
    **row("t3.withheld_3", 0, 0, 0, 0, 0, 0, 0),
}

# r037: 蒲纺工业园区 2020 (2019 edition).  README: 规范性文件“本年新制作33 / 本年新公开8 / 对外公开
# 总数量8”，正文为“网站公开信息33条，其中规范性文件8个”——把全部网站信息数填进了规范性文件行.
R037_TEXT = (
    "不断完善政府信息公开制度、建立健全政府信息公开保障机制,严格遵守规章制度,实事求是公开各类政务信息。\n"
    "2020年度共通过公示栏等形式发布信息108条,通过网站公开信息33条,其中通过网站公开规范性文件8个。")
R037_VALUES = {
    "t2.rules.made": 0, "t2.rules.published": 0, "t2.rules.total": 0,
    "t2.normative.made": 33, "t2.normative.published": 8, "t2.normative.total": 8,
    **{f"t2.{r}.{c}": 0 for r in ("licensing", "other_services", "penalty", "coercion")
       for c in ("prev_items", "change", "decisions")},
    **row("t3.new", 0, 0, 0, 0, 0, 0, 0), **row("t3.carried_in", 0, 0, 0, 0, 0, 0, 0),
}

# r057: 重庆市大足区人民政府办公室 2023 — text only.  README: 正文自洽（5+1=6）.
R057_TEXT = (
    "(一)主动公开。2023年依托政府门户网站及新媒体主动公开区政府(含区政府办公室)各类信息6452条,其中发布动态类信息"
    "2637条、政策文件47条,其他信息3768条。发布政策文字解读材料24件、图文解读22件、媒体解读22件、专题解读20件、"
    "音视频解读2件、新闻发布会2期。\n"
    "(二)依申请公开。2023年区政府(含区政府办公室)收到政府信息公开申请30件,所有公开申请均依法依规按照程序办理,"
    "现已办结30件,办结率100%,全年因政府信息公开产生行政复议案件6件和行政诉讼案件3件,其中行政复议结果维持5件,"
    "尚未审结1件,行政诉讼结果维持3件。")
# The same report as its tables would have to be (reconstructed from its text).
R057_VALUES = {
    **row("t3.new", 30, 0, 0, 0, 0, 0, 30), **row("t3.carried_in", 0, 0, 0, 0, 0, 0, 0),
    **row("t3.results_total", 30, 0, 0, 0, 0, 0, 30),
    "t4.review.upheld": 5, "t4.review.corrected": 0, "t4.review.other": 0, "t4.review.pending": 1,
    "t4.review.total": 6, "t4.suit_direct.upheld": 3, "t4.suit_direct.corrected": 0,
    "t4.suit_direct.other": 0, "t4.suit_direct.pending": 0, "t4.suit_direct.total": 3,
    **{f"t4.suit_after_review.{x}": 0 for x in ("upheld", "corrected", "other", "pending", "total")},
}

# Text-only or cut pages whose prose the checker must read without a false alarm.
OTHER_CORPUS_TEXTS = {
    "r009": "2021年,通过县政府门户网站共主动公开政府信息6条。收到公民、法人或其他组织提交政府信息公开申请0条。"
            "政府信息公开行政复议、行政诉讼0条。",
    "r021": "2022年,我县共收到政府信息公开申请21件,均在规定时间内按要求回复。2022年度发生行政复议案件1件,为其他结果;"
            "行政诉讼案件1件,为其他结果。",
    "r025": "2023年度,洋县自然资源局共完成政府网站信息发布65条,其中工作动态42条,信息公开23条。2023年,我局收到政府"
            "信息公开申请2件,已答复2件,已按照《条例》要求,在规定时限内向申请人进行了答复,未发生因政府信息公开引起的"
            "行政复议申请和行政诉讼。",
    "r047": "2022年,江背镇主动公开包含:“政策文件”、“通知公告”、“财政资金”、“工作动态”、“统计信息”等在内的政府网站"
            "信息279条。受理依申请公开信息13条,均按期回复办结。按要求新设“重大民生信息”栏目,并及时公开12个涉及领域的"
            "动态信息。真心实意听民声、解民忧、纾民困,全年回复12345市民热线1179条。",
    "r055": "2019年,文登区住建局共主动公开政府信息227条,其中工作动态85条,公告公示21条,政策文件及解读6条,重点领域"
            "信息公开76条,其他信息39条。",
}
# What those reports' tables would hold if they agreed with the text (r021: 1 review, 1 suit, both 其他结果).
OTHER_CORPUS_VALUES = {
    "r009": {**row("t3.new", 0, 0, 0, 0, 0, 0, 0), "t4.review.total": 0, "t4.suit_direct.total": 0,
             "t4.suit_after_review.total": 0},
    "r021": {**row("t3.new", 21, 0, 0, 0, 0, 0, 21), **row("t3.carried_in", 0, 0, 0, 0, 0, 0, 0),
             "t4.review.total": 1, "t4.suit_direct.total": 1, "t4.suit_after_review.total": 0},
    "r025": {**row("t3.new", 2, 0, 0, 0, 0, 0, 2), **row("t3.results_total", 2, 0, 0, 0, 0, 0, 2),
             **{f"t4.{g}.total": 0 for g in ("review", "suit_direct", "suit_after_review")}},
    "r047": {**row("t3.new", 13, 0, 0, 0, 0, 0, 13)},
    "r055": {},
}


def test_r059_text_contradicts_table_three():
    claims, findings = check_narrative({"overview": R059_TEXT}, R059_VALUES, "2021")
    assert [f.rule for f in findings] == ["T3-7"]
    f = findings[0]
    assert f.severity == "verify"
    assert f.cells[0].cell_id == "t3.new.total" and f.cells[0].ref == "三、依申请公开!J5"
    assert f.cells[-1].cell_id == "text.overview.1"
    assert "共受理政府信息公开申请2件" in f.message and "为 3" in f.message
    assert f.lhs == 2 and f.rhs == 3
    # the distractors of the same report are extracted but claim nothing
    assert [c.figure for c in claims] == ["共受理政府信息公开申请2件"]


def test_r037_whole_website_count_in_the_normative_row():
    claims, findings = check_narrative({"overview": R037_TEXT}, R037_VALUES, "2019")
    assert [f.rule for f in findings] == ["T2-9"]
    f = findings[0]
    assert f.cells[0].cell_id == "t2.normative.made" and f.cells[0].value == 33
    assert "其中通过网站公开规范性文件8个" in f.message and "通过网站公开信息33条" in f.message
    # with the row filled as the text says, nothing
    fixed = dict(R037_VALUES, **{"t2.normative.made": 8})
    assert check_narrative({"overview": R037_TEXT}, fixed, "2019")[1] == []
    # a cumulative column equal to the sentence's total is a coincidence, not a misfiled total
    fixed = dict(fixed, **{"t2.normative.total": 33})
    assert check_narrative({"overview": R037_TEXT}, fixed, "2019")[1] == []


def test_r049_consistent_report_raises_nothing_and_cut_cells_stay_unknown():
    claims, findings = check_narrative({"overview": R049_TEXT}, R049_VALUES, "2021")
    assert findings == []
    by_subject = {c.subject: c for c in claims}
    assert by_subject["applications"].agrees is True and by_subject["applications"].table_value == 4
    assert by_subject["partial"].agrees is True and by_subject["public"].agrees is True
    assert by_subject["fees"].agrees is True
    # 无法提供 and 办结 need rows the published page does not show
    assert by_subject["unable"].agrees is None and by_subject["unable"].table_value is None
    assert by_subject["concluded"].agrees is None


def test_r057_text_only_is_self_consistent():
    claims, findings = check_narrative({"overview": R057_TEXT}, {}, "2021")
    assert findings == [] and claims and all(c.agrees is None for c in claims)
    claims, findings = check_narrative({"overview": R057_TEXT}, R057_VALUES, "2021")
    assert findings == []
    assert {c.subject for c in claims if c.agrees} >= {"applications", "concluded", "review", "suit",
                                                        "review.upheld", "review.pending", "suit.upheld"}


@pytest.mark.parametrize("name", sorted(OTHER_CORPUS_TEXTS))
def test_other_corpus_prose_raises_nothing(name):
    claims, findings = check_narrative({"overview": OTHER_CORPUS_TEXTS[name]}, OTHER_CORPUS_VALUES[name],
                                       "2021")
    assert findings == []
    assert all(c.agrees is not False for c in claims)


def test_corpus_reports_with_a_wrong_table_are_found():
    # the same consistent prose against a table that says otherwise: found, cell-precise
    wrong = dict(OTHER_CORPUS_VALUES["r021"], **{"t4.review.total": 2})
    _, findings = check_narrative({"overview": OTHER_CORPUS_TEXTS["r021"]}, wrong, "2021")
    assert [(f.rule, f.cells[0].cell_id) for f in findings] == [("T4-5", "t4.review.total")]
    wrong = dict(OTHER_CORPUS_VALUES["r025"], **{"t4.suit_direct.total": 1})
    _, findings = check_narrative({"overview": OTHER_CORPUS_TEXTS["r025"]}, wrong, "2021")
    assert [(f.rule, f.cells[0].cell_id) for f in findings] == [("T4-5", "t4.suit_direct.total")]
    assert "未发生因政府信息公开引起的行政复议申请和行政诉讼" in findings[0].message


# ---------------------------------------------------------------------------
# The issue's examples (a 2019 city report)
# ---------------------------------------------------------------------------
def city_2019(**changes) -> dict:
    from toolkit.spec import get_edition
    v = {c.id: 0 for c in get_edition("2019").inputs()}
    v.update({**row("t3.new", 275, 0, 0, 0, 0, 0, 275), **row("t3.carried_in", 0, 0, 0, 0, 0, 0, 0),
         **row("t3.public", 258, 0, 0, 0, 0, 0, 258), **row("t3.partial", 12, 0, 0, 0, 0, 0, 12),
         **row("t3.withheld_1", 1, 0, 0, 0, 0, 0, 1), **row("t3.unable_1", 1, 0, 0, 0, 0, 0, 1),
         **row("t3.not_processed_1", 3, 0, 0, 0, 0, 0, 3),
         "t4.review.upheld": 2, "t4.review.corrected": 0, "t4.review.other": 0, "t4.review.pending": 1,
         "t4.suit_direct.upheld": 1, "t4.suit_direct.corrected": 0, "t4.suit_direct.other": 0,
         "t4.suit_direct.pending": 0,
         **{f"t4.suit_after_review.{x}": 0 for x in ("upheld", "corrected", "other", "pending")}})
    v.update(totals_of("2019", v))
    v.update(changes)
    return v


def test_issue_examples_each_found_once():
    text = ("全年共受理政府信息公开申请275件，其中予以公开及部分公开258件。"
            "对申请人申请的信息不存在等情形，告知无法提供265件。"
            "全年发生政府信息公开行政复议3件、行政诉讼1件，复议、诉讼均获维持。")
    claims, findings = check_narrative({"overview": text}, city_2019(), "2019")
    got = sorted((f.rule, f.cells[0].cell_id) for f in findings)
    assert got == [("T3-7", "t3.public.total"), ("T3-7", "t3.unable_1.total"),
                   ("T4-5", "t4.review.pending")]
    pp = next(f for f in findings if f.cells[0].cell_id == "t3.public.total")
    assert "予以公开及部分公开258件" in pp.message
    assert "（一）·总计（三、依申请公开!J7）258＋（二）·总计（三、依申请公开!J8）12＝270" in pp.message
    upheld = next(f for f in findings if f.rule == "T4-5")
    assert "均获维持" in upheld.message and "尚未审结" in upheld.message
    # the same text with 予以公开 only (258) and no 尚未审结 case agrees with everything but 无法提供
    _, findings = check_narrative({"overview": text.replace("予以公开及部分公开", "予以公开")},
                                  city_2019(**{"t4.review.pending": 0, "t4.review.upheld": 3}), "2019")
    assert [f.cells[0].cell_id for f in findings] == ["t3.unable_1.total"]


# ---------------------------------------------------------------------------
# Rules one by one
# ---------------------------------------------------------------------------
def consistent_2021(**changes) -> dict:
    v = {**row("t3.new", 10, 2, 0, 0, 0, 0, 12), **row("t3.carried_in", 1, 0, 0, 0, 0, 0, 1),
         **row("t3.public", 5, 1, 0, 0, 0, 0, 6), **row("t3.partial", 2, 0, 0, 0, 0, 0, 2),
         **row("t3.withheld_4", 1, 0, 0, 0, 0, 0, 1), **row("t3.unable_1", 2, 0, 0, 0, 0, 0, 2),
         **row("t3.carry_forward", 1, 1, 0, 0, 0, 0, 2),
         "t2.normative.issued": 3, "t2.normative.repealed": 1, "t2.normative.in_force": 20,
         "t2.penalty.decisions": 61, "t2.fees.amount": 20.3}
    v.update(totals_of("2021", {k: x for k, x in v.items() if not k.endswith(".total")}))
    v.update(changes)
    return v


@pytest.mark.parametrize("sentence", [
    "全年共受理网络问政182件，办结率100%。",
    "受理群众咨询12件，均当场答复。",
    "通过“县长信箱”收到群众来信12件，办结11件。",
    "全年在政府网站发布信息350条，其中政策文件12件。",
    "本年度通过12345热线受理政府信息公开相关诉求9件。",
    "全年共收到政府信息公开申请约30件。",
    "其中网上申请15件，信函申请3件。",
    "办理人大代表建议8件、政协委员提案5件。",
    "上年度收到政府信息公开申请5件。",  # last year's figure, not this year's
    "制定完善规章制度3项。",
])
def test_distractors_and_partial_figures_claim_nothing(sentence):
    claims, findings = check_narrative({"overview": sentence}, consistent_2021(), "2021")
    assert findings == [] and claims == []


@pytest.mark.parametrize("sentence,agrees", [
    ("全年共收到政府信息公开申请12件。", True),  # 新收
    ("全年共受理政府信息公开申请13件。", True),  # 新收 + 上年结转
    ("全年共受理政府信息公开申请十二件。", True),
    ("全年共受理政府信息公开申请１３件。", True),
    ("全年共受理政府信息公开申请14件。", False),
    ("本年度新收政府信息公开申请13件。", False),  # 新收 is 新收 only
    ("全年办结政府信息公开申请11件，结转下年度继续办理2件。", True),
    ("本年度行政事业性收费20.3万元。", True),
    ("本年度行政事业性收费203000元。", True),
    ("本年度行政事业性收费20万元。", True),  # rounded as written
    ("本年度行政事业性收费21万元。", False),
    ("全年作出行政处罚决定61件。", True),
    ("全年作出行政处罚决定60件。", False),
    ("本年度制发行政规范性文件3件，废止1件，现行有效20件。", True),
    ("本年度制发行政规范性文件3件，废止2件。", False),
])
def test_figure_claims(sentence, agrees):
    claims, findings = check_narrative({"overview": sentence}, consistent_2021(), "2021")
    assert claims and all(c.kind == "figure" for c in claims)
    assert all(c.agrees for c in claims) is agrees
    assert len(findings) == (0 if agrees else 1)


def test_inputs_only_as_an_importer_gives_them():
    # an imported report has input cells (None = printed blank), no totals: totals are summed
    inputs = {k: x for k, x in consistent_2021().items() if not k.endswith(".total")}
    claims, findings = check_narrative({"overview": "全年共收到政府信息公开申请12件，予以公开6件。"},
                                       inputs, "2021")
    assert findings == [] and [(c.table_value, c.agrees) for c in claims] == [(12, True), (6, True)]
    inputs["t3.public.commercial"] = None  # blank: the total is unknown, no finding either way
    claims, findings = check_narrative({"overview": "全年予以公开政府信息公开申请7件。"}, inputs, "2021")
    assert findings == [] and claims[0].agrees is None


def test_figures_of_an_earlier_year_claim_nothing():
    text = "2022年共收到政府信息公开申请8件，2023年共收到政府信息公开申请12件。"
    claims, findings = check_narrative({"problems": text}, consistent_2021(), "2021", year=2023)
    assert findings == [] and [c.value for c in claims] == [12]
    # without the report year the 2022 figure is read as this year's
    assert len(check_narrative({"problems": text}, consistent_2021(), "2021")[1]) == 1


def test_one_wrong_part_of_an_enumeration_is_one_finding():
    text = "全年办结政府信息公开申请11件，其中予以公开6件、部分公开2件、不予公开1件、无法提供3件。"
    claims, findings = check_narrative({"overview": text}, consistent_2021(), "2021")
    # 6+2+1+3 = 12 ≠ 11, but the wrong figure is named against the table instead
    assert [(f.rule, f.cells[0].cell_id) for f in findings] == [("T3-7", "t3.unable_1.total")]
    assert "无法提供3件" in findings[0].message


def test_enumeration_not_adding_up_is_verify_even_without_tables():
    text = "全年主动公开政府信息120条，其中工作动态50条、通知公告40条、政策文件20条。"
    claims, findings = check_narrative({"overview": text}, {}, "2021")
    assert claims == [] and [f.rule for f in findings] == ["N-1"]
    f = findings[0]
    assert f.severity == "verify" and f.cells[0].cell_id == "text.overview.1"
    assert "50＋40＋20＝110" in f.message and "120" in f.message
    ok = text.replace("120条", "110条")
    assert check_narrative({"overview": ok}, {}, "2021")[1] == []
    trailing = "予以公开6件、部分公开2件、不予公开1件，共计10件。"
    assert [f.rule for f in check_narrative({"overview": trailing}, {}, "2021")[1]] == ["N-1"]
    # a figure before a comma is not a part of the run the total sums
    ok = "全年收到申请20件，予以公开6件、部分公开2件、不予公开1件，共计9件。"
    assert check_narrative({"overview": ok}, {}, "2021")[1] == []


def test_a_single_part_below_its_total_is_a_subset_not_a_contradiction():
    text = "全年主动公开政府信息120条，其中规范性文件3件。全年收到政府信息公开申请12件，其中予以公开6件。"
    assert check_narrative({"overview": text}, consistent_2021(), "2021")[1] == []


@pytest.mark.parametrize("sentence,bad_cell", [
    ("全年未发生因政府信息公开引起的行政复议。", None),
    ("全年未发生因政府信息公开引起的行政复议、行政诉讼案件。", "t4.suit_direct.total"),
    ("本年度无行政诉讼。", "t4.suit_direct.total"),
    ("全年发生行政诉讼1件，均获维持。", "t4.suit_direct.pending"),
    ("全年发生行政复议1件，均获维持。", None),
    ("本年度无下年度结转。", "t3.carry_forward.total"),
    ("本年度未收到政府信息公开申请。", "t3.new.total"),
    ("除1件行政诉讼外，未发生行政复议。", None),  # an exception clause is not read
    ("无法提供的申请均已告知申请人。", None),  # 无法 is not 无
    ("全年未发生行政诉讼被纠错的情况。", None),  # narrower than “no suit”
    ("全年未收到依申请公开来信。", None),  # r051: letters, not the applications count
])
def test_qualitative_claims(sentence, bad_cell):
    v = consistent_2021(**{"t4.review.upheld": 0, "t4.review.total": 0, "t4.suit_direct.upheld": 0,
                           "t4.suit_direct.pending": 1, "t4.suit_direct.total": 1})
    if "行政复议1件" in sentence:
        v.update({"t4.review.upheld": 1, "t4.review.total": 1})
    claims, findings = check_narrative({"overview": sentence}, v, "2021")
    assert [f.cells[0].cell_id for f in findings] == ([bad_cell] if bad_cell else [])
    for f in findings:
        assert f.rule in ("T4-5", "T3-7") and f.severity == "verify" and sentence[:8] in f.message


def test_year_on_year_change_against_the_previous_report():
    prev = consistent_2021(**{"t3.new.total": 10})
    cur = consistent_2021()  # 新收 12
    text = "全年共收到政府信息公开申请12件，同比增加{n}件。"
    claims, findings = check_narrative({"overview": text.format(n=2)}, cur, "2021", previous=prev)
    assert findings == [] and any(c.kind == "change" and c.agrees for c in claims)
    _, findings = check_narrative({"overview": text.format(n=3)}, cur, "2021", previous=prev)
    assert [f.rule for f in findings] == ["N-2"]
    assert "同比增加3件" in findings[0].message and "实际变化为 2" in findings[0].message
    # percentages round as written: (41 − 36) / 36 = 13.9 %
    pct = "共办理政府信息依申请公开41件，同比增长13.9%。"
    _, ok = check_narrative({"overview": pct}, {"t3.new.total": 41}, "2021",
                            previous={"t3.new.total": 36})
    _, bad = check_narrative({"overview": pct}, {"t3.new.total": 41}, "2021",
                             previous={"t3.new.total": 30})
    assert ok == [] and [f.rule for f in bad] == ["N-2"]
    # without last year's report a change claims nothing
    assert check_narrative({"overview": text.format(n=3)}, cur, "2021")[1] == []


# ---------------------------------------------------------------------------
# Through real workbooks
# ---------------------------------------------------------------------------
OVERVIEW = ("（一）主动公开情况。全年通过政府门户网站主动公开政府信息200条，受理网络问政182件。"
            "（二）依申请公开情况。全年共受理政府信息公开申请{apps}件，均在法定期限内答复。")


def workbook(tmp_path, apps_delta=0, name="r.xlsx"):
    import random
    from toolkit.demo.sample import sample_info, sample_values
    values = sample_values("2021", random.Random(3))
    new = sum(x for k, x in values.items() if k.startswith("t3.new.") and not k.endswith("total"))
    texts = {"overview": OVERVIEW.format(apps=new + apps_delta + 50 * bool(apps_delta)),
             "problems": "公开深度不够。", "other": "本年度未收取信息处理费。"}
    path, _ = make_report(tmp_path / name, values=values, texts=texts,
                          info=sample_info("某某镇人民政府", "乡镇", 2021))
    return path, new


def test_workbook_check_and_json_claims(tmp_path):
    good, new = workbook(tmp_path, name="good.xlsx")
    res = check(good)
    assert not [f for f in res.findings if f.rule in ("T3-7", "T4-5", "T2-9", "N-1", "N-2")]
    assert [c.to_dict()["agrees"] for c in res.claims] == [True]
    bad, _ = workbook(tmp_path, apps_delta=1, name="bad.xlsx")
    out = CliRunner().invoke(main, ["check", str(bad), "--json"])
    data = json.loads(out.output)
    t37 = [f for f in data["findings"] if f["rule"] == "T3-7"]
    assert len(t37) == 1 and t37[0]["severity"] == "verify"
    assert t37[0]["cells"][0]["id"] == "t3.new.total" and t37[0]["cells"][0]["address"] == "J5"
    assert t37[0]["cells"][-1]["id"] == "text.overview.1"
    assert data["verdict"] == "verify"
    (claim,) = data["claims"]
    assert claim["figure"] == f"全年共受理政府信息公开申请{new + 51}件"
    assert claim["sentence"].startswith("（二）依申请公开情况。") is False  # sentences end at 。
    assert claim["value"] == new + 51 and claim["table_value"] == new and claim["agrees"] is False
    assert claim["quantity"] == "政府信息公开申请数" and claim["cells"] == ["t3.new.total"]


def test_export_shows_the_contradiction_before_writing(tmp_path):
    bad, new = workbook(tmp_path, apps_delta=1, name="bad.xlsx")
    out = tmp_path / "报告.docx"
    res = CliRunner().invoke(main, ["export", str(bad), "-o", str(out)])
    assert res.exit_code == 0, res.output
    assert "正文与表格有 1 处不一致" in res.output and "T3-7" in res.output
    assert f"全年共受理政府信息公开申请{new + 51}件" in res.output
    assert out.exists()
    good, _ = workbook(tmp_path, name="good.xlsx")
    res = CliRunner().invoke(main, ["export", str(good), "-o", str(tmp_path / "好.docx")])
    assert res.exit_code == 0 and "不一致" not in res.output


def test_merge_issue_list_carries_narrative_findings(tmp_path):
    from toolkit.merge.run import merge
    folder = tmp_path / "units"
    folder.mkdir()
    workbook(folder, apps_delta=1, name="甲镇.xlsx")
    out = tmp_path / "汇总.xlsx"
    merge(folder, out, workers=1)
    wb = openpyxl.load_workbook(out)
    rows = [[c.value for c in r] for r in wb["问题清单"].iter_rows(min_row=2)]
    hits = [r for r in rows if "T3-7" in r]
    assert len(hits) == 1 and any("全年共受理政府信息公开申请" in str(x) for x in hits[0])


def test_finding_points_at_the_paragraph_cell_holding_the_sentence(tmp_path):
    """正文 is one paragraph per cell (template version 2): the finding names the cell of the
    paragraph that holds the contradicted sentence, not the section's first cell."""
    import random
    from toolkit.demo.sample import sample_info, sample_values
    values = sample_values("2021", random.Random(3))
    new = sum(x for k, x in values.items() if k.startswith("t3.new.") and not k.endswith("total"))
    filler = "持续推进政务公开标准化规范化建设，" * 46 + "成效明显。"  # 787 characters: a cell each
    texts = {"overview": f"{filler}\n{filler}\n全年共受理政府信息公开申请{new + 7}件，均在法定期限内答复。",
             "problems": "公开深度不够。", "other": "本年度未收取信息处理费。"}
    path, _ = make_report(tmp_path / "p.xlsx", values=values, texts=texts,
                          info=sample_info("某某镇人民政府", "乡镇", 2021))
    (f,) = [f for f in check(path).findings if f.rule == "T3-7"]
    assert f.cells[-1].cell_id == "text.overview.3" and f.cells[-1].ref == "正文!A6"
    assert "正文（正文!A6）写“全年共受理政府信息公开申请" in f.message
