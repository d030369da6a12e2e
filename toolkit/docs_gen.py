"""Generate ``docs/rules.md`` from the spec and the real engine.

Every rule of both editions is listed with its severity and formula in
plain Chinese; each example message is produced by running the checker on
a real workbook that breaks exactly that rule, so the page cannot drift
from the code.  ``python -m toolkit.docs_gen`` rewrites the page; a test
fails when the committed page differs.
"""

from __future__ import annotations

import random
import tempfile
from pathlib import Path

from .spec import EDITIONS, get_edition
from .spec.catalogue import CATALOGUE, SCOPES, SEVERITY_LABELS
from .spec.model import LinearRule

from .spec.examples import BREAKING_EXAMPLES as SCENARIOS  # noqa: E402  (one per rule)

OP_TEXT = {"=": "＝", "<=": "≤", ">=": "≥"}


def _term_text(terms, ed) -> str:
    parts = []
    for i, t in enumerate(terms):
        c = ed.by_id[t.cell]
        sign = "" if i == 0 and t.sign > 0 else (" + " if t.sign > 0 else " − ")
        parts.append(f"{sign}{c.row_label}·{c.col_label}" if c.col_label else f"{sign}{c.label}")
    return "".join(parts)


def _formula(rules: list, ed) -> str:
    r: LinearRule = rules[0]
    left = r.lhs_text or _term_text(r.lhs, ed)
    right = r.rhs_text or _term_text(r.rhs, ed)
    if r.rhs_previous:
        prev = _term_text(r.rhs_previous, ed)
        right = (right + " + " if r.rhs else "") + "上年" + prev
    scope = f"（共 {len(rules)} 条，逐{'列' if '列' in r.scope else '项'}检查）" if len(rules) > 1 else ""
    return f"{left} {OP_TEXT[r.op]} {right}{scope}"


def _apply(values: dict, info: dict, texts: dict, overrides: dict, ed) -> dict:
    """Apply scenario overrides; ``"+n"`` adds to the current value (of a total: its sum)."""
    from .demo.sample import totals_of
    raw = {}
    totals = totals_of(ed.key, values)
    for cid, v in overrides.items():
        kind, _, key = cid.partition(".")
        if kind == "info":
            info[key] = v
            continue
        if kind == "text":
            texts[key] = v
            continue
        if isinstance(v, str) and v.startswith("+"):
            base = totals.get(cid, values.get(cid, 0))
            v = base + int(v[1:])
            if cid in ed.formulas:
                raw[cid] = v
            else:
                values[cid] = v
        elif cid in ed.formulas:
            raw[cid] = v
        else:
            raw[cid] = v
    return raw


def scenarios(rule_id: str) -> list:
    """The breaking examples of ``rule_id`` (each a tuple, see ``SCENARIOS``)."""
    sc = SCENARIOS.get(rule_id, [])
    return sc if isinstance(sc, list) else [sc]


def run_scenario(rule_id: str, scenario: tuple, workdir: Path, n: int = 0):
    """Write the scenario's workbook (and last year's when it has one) and check it."""
    from .engine.check import check
    from .demo.sample import sample_info, sample_texts, sample_values, write_sample_workbook
    edition, overrides, unit_type, prev_over = scenario
    ed = get_edition(edition)
    rng = random.Random(7)
    year = ed.example_year
    values = sample_values(edition, rng, unit_type=unit_type)
    info = sample_info("示例镇人民政府", unit_type, year)
    texts = sample_texts("示例镇", year, values, rng)
    previous = None
    if prev_over is not None:
        pvalues, pinfo, ptexts = dict(values), dict(info, year=year - 1), dict(texts)
        praw = _apply(pvalues, pinfo, ptexts, prev_over, ed)
        previous = write_sample_workbook(workdir / "上年报告.xlsx", edition, pvalues,
                                         pinfo, ptexts, overrides=praw)
    raw = _apply(values, info, texts, overrides, ed)
    path = write_sample_workbook(workdir / f"{rule_id}-{n}.xlsx", edition, values, info, texts,
                                 overrides=raw)
    return check(path, previous=previous)


def example_messages(workdir: Path) -> dict:
    """Rule id → example message produced by the real checker."""
    out: dict = {}
    cases = [(rid, sc) for rid in SCENARIOS for sc in scenarios(rid)]
    for n, (rule_id, scenario) in enumerate(cases):
        result = run_scenario(rule_id, scenario, workdir, n)
        known = set(out.get(rule_id, []))
        fold = {r.id: r.fold_into for r in get_edition(scenario[0]).rules if r.fold_into}
        # A rule may be reported inside the finding of its cause (f.rules lists them all).
        hits = [f for f in result.findings if rule_id in f.rules
                and f.message.replace(str(workdir) + "/", "") not in known]
        if not hits and rule_id in fold:  # reported inside the implying rule's finding
            hits = [f for f in result.findings if f.rule == fold[rule_id] and "其中" in f.message]
        if not hits:
            raise AssertionError(f"scenario for {rule_id} produced no finding: "
                                 f"{[f.message for f in result.findings]}")
        out.setdefault(rule_id, []).append(hits[0].message.replace(str(workdir) + "/", ""))
    return out


def rules_markdown() -> str:
    with tempfile.TemporaryDirectory() as tmp:
        examples = example_messages(Path(tmp))
    lines = [
        "# 校验规则一览",
        "",
        "<!-- 本页由 `python -m toolkit.docs_gen` 根据规则目录（toolkit/spec/catalogue.py）、版本数据（toolkit/spec/editions.py）和校验程序自动生成，"
        "请勿手工修改。 -->",
        "",
        "级别：**错误**＝报送前必须改正；**核实**＝可能有误，确属实的须在“校验结果”表的“情况说明”栏写明"
        "理由（至少 6 个字）；**提示**＝仅供参考。",
        "",
        "“示例”是校验程序对一个恰好违反该规则的示例工作簿给出的原文。",
        "",
        "**一个原因，一条问题。** 勾稽关系（级别为“错误”的算式规则）不成立时，校验程序先找出"
        "“改动最少的格子就能让所有勾稽关系都成立”的那一格（或两格），并算出它应填的数，"
        "例如“D28 应为 7（按（一）至（六）各项之和）”；同一个错格引起的几条规则不成立"
        "（本列、总计列、（七）总计行）合成一条问题，列出它破坏的每条规则，“错误”项数按原因计。"
        "几个格子同样可能时，不硬猜，而是列出“以下任一格可能有误”。判断可能性时参考："
        "被改写为数值的合计格、以文本形式填写的数字、与上年相差很大的数更可能有误；"
        "改动后会与正文所述件数或上年报告的“结转下年度”不一致的格子可能性较小。",
        "",
    ]
    lines += ["| 规则 | 级别 | 适用版本 | 内容 |", "|---|---|---|---|"]
    details = []
    for r in checker_rules():
        eds = rule_editions(r.id)
        linear = {ed: [x for x in get_edition(ed).rules + get_edition(ed).cross_year_rules
                       if x.id == r.id] for ed in eds}
        first = next((ed for ed in eds if linear[ed]), None)
        formula = _formula(linear[first], get_edition(first)) if first else ""
        sev = SEVERITY_LABELS[r.severity]
        eds_text = "、".join(eds)
        lines.append(f"| {r.id} | {sev} | {eds_text} | {r.title} |")
        details += [f"## {r.id}　{r.title}", "", f"- 级别：{sev}", f"- 适用版本：{eds_text}",
                    f"- 检查范围：{SCOPES[r.scope]}"]
        if formula:
            details.append(f"- 算式：{formula}")
        fold = linear[first][0].fold_into if first else ""
        if fold:
            details.append(f"- 说明：这条规则在 {fold} 成立时必然成立，因此不单独列出，"
                           f"而是与 {fold} 一起并入出错格子的那一条问题")
        details += [f"- 示例：`{m}`" for m in examples.get(r.id, [])] or ["- 示例：（无）"]
        details.append("")
    lines += ["", *details]
    lines += ["## 汇总（xxgk merge）时的规则", "",
              "这些规则涉及多个文件，只在汇总时检查，详见 [汇总](merge.md)。", "",
              "| 规则 | 级别 | 内容 |", "|---|---|---|"]
    lines += [f"| {r.id} | {SEVERITY_LABELS[r.severity]} | {r.title} |"
              for r in CATALOGUE.values() if r.scope == "merge"]
    lines += ["", "## 导入（xxgk import）时的规则", "",
              "这些规则检查已发布报告中印出的数字（导入时，尚无模板公式），详见 [导入已发布的报告](import.md)。", "",
              "| 规则 | 级别 | 内容 |", "|---|---|---|"]
    lines += [f"| {r.id} | {SEVERITY_LABELS[r.severity]} | {r.title} |"
              for r in CATALOGUE.values() if r.scope == "import"]
    lines += [""] + [f"- 示例（{rid}）：`{m}`" for rid, m in _import_examples()]
    return "\n".join(lines).rstrip() + "\n"


IMPORT_EXAMPLE = (  # a published table 三 row whose printed 总计 (5) is not the sum of its parts (4)
    "某某镇2021年政府信息公开工作年度报告\n三、收到和处理政府信息公开申请情况\n"
    "| 一、本年新收政府信息公开申请数量 | 3 | 1 | 0 | 0 | 0 | 0 | 5 |\n")


def _import_examples() -> list:
    """(rule id, message) of each import rule, produced by importing a text that breaks it."""
    from .publish.importer import import_report
    res = import_report(IMPORT_EXAMPLE.encode("utf-8"), filename="示例.txt")
    return [(f.rule, f.message) for f in res.findings]


_PREFIX_ORDER = {"T3": 0, "T4": 1, "T2": 2, "N": 3, "S": 4, "R": 5}


def rule_editions(rule_id: str) -> list:
    """The editions whose compiled spec contains ``rule_id`` (the registry decides)."""
    out = []
    for key in EDITIONS:
        ed = get_edition(key)
        ids = {x.id for x in ed.rules + ed.cross_year_rules} | {x["id"] for x in ed.other_rules}
        if rule_id in ids:
            out.append(key)
    return out


def checker_rules() -> list:
    """Catalogue rules the checker applies to a workbook (not merge/import), in page order."""
    rules = [r for r in CATALOGUE.values() if r.scope in ("workbook", "cross_year")]
    return sorted(rules, key=lambda r: (_PREFIX_ORDER.get(r.id.split("-")[0], 9),
                                        int(r.id.split("-")[1]) if r.id.split("-")[1].isdigit() else 0,
                                        r.id))


def cli_markdown() -> str:
    """docs/cli.md: the ``--help`` of every command, as the command prints it."""
    from click.testing import CliRunner

    from .cli import main as cli_main
    runner = CliRunner()
    lines = ["# 命令参考（xxgk --help）", "",
             "<!-- 本页由 `python -m toolkit.docs_gen` 根据各命令的 --help 自动生成，请勿手工修改。 -->", ""]
    names = [None] + list(cli_main.commands)
    for name in names:
        args = ([name] if name else []) + ["--help"]
        out = runner.invoke(cli_main, args, prog_name="xxgk", terminal_width=100).output.rstrip()
        lines += [f"## xxgk {name}" if name else "## xxgk", "", "```", out, "```", ""]
    return "\n".join(lines).rstrip() + "\n"


def main() -> None:
    docs = Path(__file__).resolve().parents[1] / "docs"
    for name, text in (("rules.md", rules_markdown()), ("cli.md", cli_markdown())):
        (docs / name).write_text(text, encoding="utf-8")
        print(f"wrote {docs / name}")


if __name__ == "__main__":
    main()
