"""Plausible sample reports: for the demo, the tests and the benchmarks.

Values are generated to satisfy every rule of the edition; callers then
inject the mistakes they want.  Only inputs are generated — totals are the
template's formulas.
"""

from __future__ import annotations

import random

from ..spec import get_edition

# Relative frequency of each result row in practice (public and partial
# disclosure dominate, then 本机关不掌握).
_RESULT_WEIGHTS = {
    "public": 40, "partial": 12, "unable_1": 18, "unable_2": 3, "unable_3": 3,
    "not_processed_1": 4, "not_processed_2": 4, "not_processed_3": 1, "not_processed_4": 1,
    "not_processed_5": 2, "other": 5, "other_1": 2, "other_2": 1, "other_3": 3,
    "withheld_1": 1, "withheld_2": 1, "withheld_3": 1, "withheld_4": 2, "withheld_5": 2,
    "withheld_6": 2, "withheld_7": 1, "withheld_8": 2,
}
_PARTY_WEIGHTS = {"natural": 80, "commercial": 10, "research": 1, "nonprofit": 1, "legal": 5,
                  "other": 3}

TOWNSHIP_TEXTS = {
    "overview": "（一）主动公开情况。{unit}坚持“以公开为常态、不公开为例外”，全年通过政府门户网站主动公开政府信息{n}条。"
                "（二）依申请公开情况。全年共收到政府信息公开申请{apps}件，均在法定期限内答复。"
                "（三）政府信息管理情况。严格落实公开前保密审查制度。"
                "（四）平台建设情况。以政府门户网站为第一平台，及时更新公开目录。"
                "（五）监督保障情况。将政务公开纳入年度绩效考核，开展专题培训{k}次。",
    "problems": "存在的主要问题：主动公开的深度和广度仍需拓展，政策解读形式较为单一。改进措施：{year}年将进一步"
                "完善公开目录，丰富解读形式，加强业务培训。上年度问题已按计划整改。",
    "other": "本年度未收取信息处理费。{unit}认真落实上级年度政务公开工作要点，无其他需要报告的事项。",
}


def _split(total: int, weights: dict, rng: random.Random) -> dict:
    keys = list(weights)
    out = dict.fromkeys(keys, 0)
    if total <= 0:
        return out
    picks = rng.choices(keys, weights=[weights[k] for k in keys], k=total)
    for k in picks:
        out[k] += 1
    return out


def sample_values(edition: str, rng: random.Random, scale: float = 1.0,
                  unit_type: str = "乡镇") -> dict:
    """Input values (cell id → number) that satisfy every rule of ``edition``."""
    ed = get_edition(edition)
    v: dict = {c.id: 0 for c in ed.inputs()}
    parties = ed.sets["parties"]
    results = ed.sets["results"]
    weights = {k: _RESULT_WEIGHTS.get(k, 1) for k in results}
    new_total = int(rng.expovariate(1 / (12 * scale))) if scale > 0 else 0
    new_by_party = _split(new_total, _PARTY_WEIGHTS, rng)
    for p in parties:
        new = new_by_party[p]
        carried = rng.choice([0, 0, 0, 1]) if new else 0
        handled = new + carried
        carry_fwd = min(handled, rng.choice([0, 0, 0, 0, 1, 2]))
        concluded = handled - carry_fwd
        v[f"t3.new.{p}"] = new
        v[f"t3.carried_in.{p}"] = carried
        v[f"t3.carry_forward.{p}"] = carry_fwd
        for row, n in _split(concluded, weights, rng).items():
            v[f"t3.{row}.{p}"] = n
    # Table 四: a few cases at most.
    for g in ed.sets["groups"]:
        for leaf in ed.sets["parts"]:
            v[f"t4.{g}.{leaf}"] = rng.choice([0] * 12 + [1, 1, 2])
    # Table 二.
    lawmaker = unit_type in ("县级人民政府",)
    for c in ed.inputs():
        if c.table != "t2":
            continue
        if c.row == "rules" and not lawmaker:
            continue
        if c.type == "amount":
            v[c.id] = round(rng.uniform(0, 300) * scale, 4) if rng.random() < 0.6 else 0
        elif c.type == "signed":
            v[c.id] = rng.randint(-3, 5)
        else:
            v[c.id] = rng.randint(0, int(40 * scale) + 1)
    # Table 二's ">=" rules (现行有效 ≥ 制发 − 废止, 对外公开总数 ≥ 新公开): make them hold;
    # a stock net of removals also includes this year's additions.
    for rule in ed.rules:
        if rule.op != ">=" or not rule.lhs[0].cell.startswith("t2."):
            continue
        lhs = rule.lhs[0].cell
        rhs = sum(t.sign * v[t.cell] for t in rule.rhs)
        added = sum(v[t.cell] for t in rule.rhs if t.sign > 0) if any(t.sign < 0 for t in rule.rhs) else 0
        v[lhs] = max(v[lhs], rhs) + added
    return v


def sample_info(unit: str, unit_type: str, year: int, county: str = "示例区") -> dict:
    return {
        "unit_name": unit, "unit_type": unit_type, "county": county, "year": year,
        "preparer": "张三", "phone": "0971-1234567", "date": f"{year + 1}年1月20日",
    }


def sample_texts(unit: str, year: int, values: dict, rng: random.Random) -> dict:
    apps = sum(v for k, v in values.items() if k.startswith("t3.new.") and not k.endswith(".total"))
    fmt = dict(unit=unit, year=year + 1, n=rng.randint(50, 400), apps=apps, k=rng.randint(1, 4))
    return {k: t.format(**fmt) for k, t in TOWNSHIP_TEXTS.items()}


def totals_of(edition: str, values: dict) -> dict:
    """Every total computed from the inputs (independently of any workbook)."""
    ed = get_edition(edition)
    out = {}

    def total(cid):
        if cid not in out:
            out[cid] = sum(total(i) if i in ed.formulas else values.get(i, 0)
                           for i in ed.formulas[cid])
        return out[cid]

    for cid in ed.formulas:
        total(cid)
    return out


# Tests and the demo write sample reports with the same writer the importer uses.
from ..xlsx.template import write_filled_workbook as write_sample_workbook  # noqa: E402,F401

__all__ = ["sample_values", "sample_info", "sample_texts", "totals_of", "write_sample_workbook"]
