"""Property: prose written from consistent tables raises nothing; one changed figure, one finding.

Reports come from ``sample_values`` (every table rule holds) with a seed and a
scale drawn by hypothesis; the narrative is written from the tables by the
template below (figures of tables 二, 三, 四, enumerations with their stated
totals, and distractor figures).  Changing one figure of the text to a value
no reading of its quantity allows must raise exactly one finding, and the
finding must quote that figure.
"""

from __future__ import annotations

import random
import re

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from toolkit.demo.sample import sample_values, totals_of
from toolkit.engine.narrative import check_narrative

FIG = re.compile(r"\{(\w+)\}")


def template(edition: str) -> str:
    t2 = ("本年度制发行政规范性文件{issued}件，废止{repealed}件，现行有效{in_force}件。"
          "全年作出行政许可决定{licensing}件，行政处罚决定{penalty}件。"
          "本年度行政事业性收费{fees}万元。" if edition == "2021" else
          "本年度新制作规范性文件{made}件。全年作出行政处罚决定{penalty}件。")
    other = "其他处理{other}件"
    return (
        "（一）主动公开情况。全年通过政府门户网站主动公开政府信息{web}条，其中工作动态{web_a}条、通知公告{web_b}条。"
        + t2 +
        "\n（二）依申请公开情况。本年度新收政府信息公开申请{new}件，上年结转{carried_in}件，"
        "办结{results_total}件，其中予以公开{public}件、部分公开{partial}件、不予公开{withheld}件、"
        "无法提供{unable}件、不予处理{not_processed}件、" + other + "，结转下年度继续办理{carry_forward}件。"
        "全年受理网络问政{x1}件，群众咨询{x2}件。"
        "\n（三）复议诉讼情况。全年发生政府信息公开行政复议{review}件，其中结果维持{r_u}件、结果纠正{r_c}件、"
        "其他结果{r_o}件、尚未审结{r_p}件；行政诉讼{suit}件，其中结果维持{s_u}件、结果纠正{s_c}件、"
        "其他结果{s_o}件、尚未审结{s_p}件。")


def figures_of(edition: str, v: dict, rng: random.Random) -> dict:
    def total(cid):
        return v[cid]

    def sum_rows(prefix, n):
        return sum(v[f"t3.{prefix}_{i}.total"] for i in range(1, n + 1))

    web_a, web_b = rng.randint(0, 300), rng.randint(0, 300)
    f = {
        "web": web_a + web_b, "web_a": web_a, "web_b": web_b,
        "new": total("t3.new.total"), "carried_in": total("t3.carried_in.total"),
        "results_total": total("t3.results_total.total"), "public": total("t3.public.total"),
        "partial": total("t3.partial.total"), "withheld": sum_rows("withheld", 8),
        "unable": sum_rows("unable", 3), "not_processed": sum_rows("not_processed", 5),
        "other": (total("t3.other.total") if edition == "2019" else sum_rows("other", 3)),
        "carry_forward": total("t3.carry_forward.total"),
        "x1": rng.randint(0, 500), "x2": rng.randint(0, 500),
        "review": v["t4.review.total"], "r_u": v["t4.review.upheld"], "r_c": v["t4.review.corrected"],
        "r_o": v["t4.review.other"], "r_p": v["t4.review.pending"],
        "suit": v["t4.suit_direct.total"] + v["t4.suit_after_review.total"],
        **{f"s_{k[0]}": v[f"t4.suit_direct.{k}"] + v[f"t4.suit_after_review.{k}"]
           for k in ("upheld", "corrected", "other", "pending")},
        "penalty": v["t2.penalty.decisions"],
    }
    f["s_u"], f["s_c"], f["s_o"], f["s_p"] = f.pop("s_u"), f.pop("s_c"), f.pop("s_o"), f.pop("s_p")
    if edition == "2021":
        f.update(issued=v["t2.normative.issued"], repealed=v["t2.normative.repealed"],
                 in_force=v["t2.normative.in_force"], licensing=v["t2.licensing.decisions"],
                 fees=v["t2.fees.amount"])
    else:
        f.update(made=v["t2.normative.made"])
    return f


def fmt(x) -> str:
    return f"{x:.4f}".rstrip("0").rstrip(".") if isinstance(x, float) else str(x)


def write(tpl: str, figs: dict) -> str:
    return FIG.sub(lambda m: fmt(figs[m.group(1)]), tpl)


reports = st.tuples(st.sampled_from(["2019", "2021"]), st.integers(0, 10**6),
                    st.sampled_from([0, 0.3, 1.0, 3.0]))


def consistent(edition, seed, scale):
    rng = random.Random(seed)
    v = sample_values(edition, rng, scale=scale, unit_type="县级政府部门")
    v.update(totals_of(edition, v))
    return v, figures_of(edition, v, rng)


@settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(reports)
def test_narrative_written_from_consistent_tables_raises_nothing(report):
    edition, seed, scale = report
    v, figs = consistent(edition, seed, scale)
    claims, findings = check_narrative({"overview": write(template(edition), figs)}, v, edition)
    assert findings == [], [f.message for f in findings]
    assert claims and all(c.agrees for c in claims)
    # every table figure of the template became a claim; the distractors did not
    assert len(claims) == len(FIG.findall(template(edition))) - 5


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(reports, st.data())
def test_one_changed_figure_raises_exactly_one_finding_naming_it(report, data):
    edition, seed, scale = report
    v, figs = consistent(edition, seed, scale)
    tpl = template(edition)
    names = FIG.findall(tpl)
    name = data.draw(st.sampled_from([n for n in names if n not in ("x1", "x2")]), label="figure")
    delta = data.draw(st.integers(1, 40), label="delta")
    changed = dict(figs)
    changed[name] = figs[name] + delta
    # the phrase of the changed figure, as the text will read
    pos = tpl.index("{" + name + "}")
    before = FIG.sub(lambda m: fmt(figs[m.group(1)]), tpl[:pos])
    phrase_start = max(before.rfind(c) for c in "，。、；\n") + 1
    phrase = before[phrase_start:] + fmt(changed[name])
    # a value another reading of the same words accepts (受理 = 新收 or 新收+上年结转) is no mistake
    claims, _ = check_narrative({"overview": write(tpl, figs)}, v, edition)
    readings = {alt["value"] for c in claims if c.figure.endswith(phrase[:-len(fmt(changed[name]))]
                                                                  + fmt(figs[name]))
                for alt in c.to_dict()["alternatives"]}
    if changed[name] in readings:
        return
    _, findings = check_narrative({"overview": write(tpl, changed)}, v, edition)
    assert len(findings) == 1, (phrase, [f.message for f in findings])
    assert phrase in findings[0].message
