"""The seed report (拦隆口镇 2020, 2019 edition) typed into the template.

Figures transcribed by hand from ../shared/seeds/000_6d9714ad5485777f.txt,
the way a clerk would type them — including the amount typed with its unit
(``3256.6732万元``) and the empty cells of table 四.
"""

from __future__ import annotations

from toolkit.engine.check import check
from toolkit.demo.sample import write_sample_workbook
from toolkit.spec import get_edition

ED = "2019"

INFO = {"unit_name": "拦隆口镇人民政府", "unit_type": "乡镇", "county": "湟中区", "year": 2020,
        "preparer": "党政办", "phone": "0971-0000000", "date": "2021年2月3日"}
TEXTS = {
    "overview": "2020 年，拦隆口镇坚持“以公开为常态、不公开为例外”，认真贯彻落实《政府信息公开条例》……"
                "全年共受理依申请公开 0 件，因政府信息公开被申请行政复议 0件，行政诉讼1件。",
    "problems": "2020 年，我镇政府信息公开工作取得一定成效，但也存在一些薄弱环节……",
    "other": "无。",
}

# Table 二 as printed in the seed (本年新制作数量 / 本年新公开数量 / 对外公开总数量, …).
T2 = {
    "t2.rules.made": 0, "t2.rules.published": 0, "t2.rules.total": 0,
    "t2.normative.made": 0, "t2.normative.published": 0, "t2.normative.total": 0,
    "t2.licensing.prev_items": 0, "t2.licensing.change": 0, "t2.licensing.decisions": 0,
    "t2.other_services.prev_items": 100, "t2.other_services.change": 10,
    "t2.other_services.decisions": 110,
    "t2.penalty.prev_items": 0, "t2.penalty.change": 0, "t2.penalty.decisions": 0,
    "t2.coercion.prev_items": 0, "t2.coercion.change": 0, "t2.coercion.decisions": 0,
    "t2.fees.prev_items": 0, "t2.fees.change": 0,
    "t2.procurement.projects": 157, "t2.procurement.amount": "3256.6732万元",
}
# Table 四: only 总计 of 行政复议 (0) and 未经复议直接起诉 其他结果 1 / 总计 1 are printed;
# the other cells are blank in the seed.
T4 = {"t4.suit_direct.other": 1}


def seed_values():
    ed = get_edition(ED)
    values = {c.id: 0 for c in ed.inputs() if c.table == "t3"}  # table 三 is all zeros
    values.update(T2)
    values.update(T4)
    return values


def test_seed_report_checks_with_zero_errors(tmp_path):
    path = write_sample_workbook(tmp_path / "拦隆口镇2020.xlsx", ED, seed_values(), INFO, TEXTS)
    result = check(path)
    assert result.readable
    errors = [f.message for f in result.findings if f.severity == "error"]
    assert errors == []
    assert result.verdict == "pass" and result.exit_code == 0
    rep = result.report
    assert rep.values["t2.procurement.amount"] == 3256.6732
    assert rep.values["t4.suit_direct.total"] == 1  # recomputed from the inputs
    assert rep.values["t4.review.total"] == 0
    # The amount typed with its unit is read, and said so.
    assert any(f.involves("t2.procurement.amount") and f.severity == "hint" for f in result.findings)


def test_seed_with_one_total_overwritten_by_a_wrong_number(tmp_path):
    # The clerk types 2 over the 总计 of 未经复议直接起诉 (the seed shows 1).
    path = write_sample_workbook(tmp_path / "拦隆口镇2020-错.xlsx", ED, seed_values(), INFO, TEXTS,
                                 overrides={"t4.suit_direct.total": 2})
    result = check(path)
    total = get_edition(ED).by_id["t4.suit_direct.total"]
    # One finding for the one cause: the typed-over total, its likely value, the rule it breaks.
    t42 = [f for f in result.findings if "T4-2" in f.rules]
    assert len(t42) == 1 and t42[0].rules == ["S-2", "T4-2"]
    assert not [f for f in result.findings if f.rule == "S-2" and f is not t42[0]]
    assert t42[0].message == (
        f"{total.sheet}!{total.address}（行政诉讼（未经复议直接起诉）·总计）：合计公式“=SUM(F5:I5)”"
        f"被改写为数值 2，请恢复公式或使用原模板。{total.address} 应为 1"
        "（按结果维持+结果纠正+其他结果+尚未审结之和）。"
        "由此不成立的勾稽关系：T4-2 行政诉讼（未经复议直接起诉）（总计(2)，但结果维持(0)+结果纠正(0)"
        "+其他结果(1)+尚未审结(0)=1，相差1）")
    assert t42[0].suggested == 1
    assert t42[0].culprit == "t4.suit_direct.total"
    assert result.exit_code == 1
