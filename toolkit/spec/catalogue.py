"""The rule catalogue: every rule id the product can emit, declared once.

Each :class:`RuleDef` gives a rule's id, severity, scope, Chinese title and
its message templates (``str.format`` fields).  Which rules apply to which
edition, and the operands of the arithmetic rules, are edition data
(``toolkit.spec.editions``); everything a user sees about a rule — its
level, its title, the wording of its findings — comes from here.

To add a rule: add a ``RuleDef`` below (an id not taken; FORMAT.md §5 ids
for the official rules), emit it with ``toolkit.engine.findings.finding``
(or list it in the edition data for an arithmetic rule), give it a breaking
example in ``toolkit/docs_gen.py`` and regenerate ``docs/rules.md``.  A
finding with an id that is not declared here raises ``KeyError``.

Scopes (what a rule looks at):

* ``workbook`` — one workbook on its own (``xxgk check``);
* ``cross_year`` — a workbook against last year's report (``--previous``);
* ``merge`` — the workbooks of a folder together (``xxgk merge``);
* ``import`` — a document being imported (``xxgk import``).

Stages (where a ``workbook`` rule is implemented):

* ``read`` — found while reading the workbook (``toolkit.engine.report``);
* ``linear`` — an arithmetic rule compiled from the edition data;
* ``check`` — a named check in ``toolkit.engine.rules.NAMED_CHECKS``
  (the ``check`` names of the rule's variants);
* ``merge`` / ``import`` — by those commands.
"""

from __future__ import annotations

from dataclasses import dataclass, field

SEVERITIES = ("error", "verify", "hint")
SEVERITY_LABELS = {"error": "错误", "verify": "核实", "hint": "提示"}
SCOPES = {
    "workbook": "单个工作簿",
    "cross_year": "与上年报告对照",
    "merge": "汇总时多个工作簿之间",
    "import": "导入文档时",
}
STAGES = ("read", "linear", "check", "merge", "import")

# The message of every arithmetic (linear and cross-year) rule: the rule's
# scope text and the comparison sentence are built by toolkit.engine.rules.
LINEAR_MESSAGE = "{ref}：{scope}：{sentence}"


@dataclass(frozen=True)
class RuleDef:
    """One rule as the user meets it."""

    id: str
    severity: str  # error | verify | hint
    scope: str  # see SCOPES
    stage: str  # see STAGES
    title: str  # Chinese, one line
    messages: dict = field(default_factory=dict)  # variant -> str.format template
    severities: dict = field(default_factory=dict)  # variant -> severity, when not ``severity``
    # Names of the checks that implement the rule: the edition data's ``check``
    # names (a named check in toolkit.engine.rules.NAMED_CHECKS, or one done
    # while reading in toolkit.engine.report.READ_CHECKS).
    checks: tuple = ()

    def severity_of(self, variant: str = "") -> str:
        return self.severities.get(variant, self.severity)

    def message(self, variant: str = "", **fields) -> str:
        template = self.messages[variant or "default"]
        return template.format(**fields)

    @property
    def severity_label(self) -> str:
        return SEVERITY_LABELS[self.severity]


def _r(id, severity, scope, stage, title, messages=None, severities=None, checks=()):
    return RuleDef(id, severity, scope, stage, title, dict(messages or {}), dict(severities or {}),
                   tuple(checks))


_LINEAR = {"default": LINEAR_MESSAGE}
# A statement of the 正文 the tables contradict (T3-7, T4-5, T2-9): a figure, a
# statement without a figure (均获维持, 未发生), or a total typed into a part's row.
_NARRATIVE = {
    "default": "{ref}：正文（{where}）写“{quote}”，即{quantity}为 {value}，但表中{table_text}，请核对正文与表格",
    "qualitative": "{ref}：正文（{where}）写“{quote}”，但表中{listing}，请核对正文与表格",
    "whole_for_part": "{ref}：正文（{where}）写“{quote}”，{quantity}是其中的 {value}，但表中{label}为 "
                      "{table_value}，恰是正文所述合计“{total}”的数，疑把合计填入了“{row}”行，请核对",
}
_CELL_TYPE = {"default": "{ref}（{label}）：{value} {problem}"}

RULES = [
    # -- table 三 ---------------------------------------------------------------
    _r("T3-1", "error", "workbook", "linear",
       "第一项加第二项之和等于第三项加第四项之和（表内印明的勾稽关系）", _LINEAR),
    _r("T3-2", "error", "workbook", "linear", "（七）总计等于（一）至（六）各项之和", _LINEAR),
    _r("T3-3", "error", "workbook", "linear", "总计列等于六类申请人之和", _LINEAR),
    _r("T3-4", "error", "workbook", "read", "表三各项均为非负整数", _CELL_TYPE, checks=["cell_type"]),
    _r("T3-5", "error", "workbook", "linear", "结转下年度的数量不能超过本年收到和上年结转之和",
       {**_LINEAR, "folded": "。其中{detail}", "culprit": "，最可能出错的是 {address}（{label}）"}),
    _r("T3-6", "verify", "cross_year", "linear", "本年“二、上年结转”等于上年“四、结转下年度继续办理”",
       {"default": "{ref}：{scope}：{sentence}（上年报告：{previous}）"}),
    _r("T3-7", "verify", "workbook", "check",
       "正文中的申请数和办理结果（收到、办结、予以公开、结转……）与表三一致", _NARRATIVE,
       checks=["narrative_t3"]),
    # -- table 四 ---------------------------------------------------------------
    _r("T4-1", "error", "workbook", "linear",
       "行政复议：结果维持、结果纠正、其他结果、尚未审结之和等于总计", _LINEAR),
    _r("T4-2", "error", "workbook", "linear", "行政诉讼（未经复议直接起诉）：四项之和等于总计", _LINEAR),
    _r("T4-3", "error", "workbook", "linear", "行政诉讼（复议后起诉）：四项之和等于总计", _LINEAR),
    _r("T4-4", "error", "workbook", "read", "表四各项均为非负整数", _CELL_TYPE, checks=["cell_type"]),
    _r("T4-5", "verify", "workbook", "check",
       "正文中的行政复议、行政诉讼数字及“均获维持”“未发生”等表述与表四一致", _NARRATIVE,
       checks=["narrative_t4"]),
    # -- table 二 ---------------------------------------------------------------
    _r("T2-1", "hint", "cross_year", "linear", "现行有效件数约等于上年现行有效件数加本年制发减本年废止",
       {"default": "{ref}：{scope}：{sentence}（上年报告：{previous}）"}),
    _r("T2-2", "verify", "workbook", "linear", "现行有效件数不应少于本年制发件数减本年废止件数", _LINEAR),
    _r("T2-3", "verify", "workbook", "check", "本年收费金额以万元为单位，数值过大可能误填为元",
       {"default": "{ref}（{label}）：{value} 万元数额过大，可能误按“元”填写，请核实单位（应以万元为单位）"},
       checks=["max_value"]),
    _r("T2-4", "error", "workbook", "read", "表二数量为非负整数（本年增/减可为负数），金额为非负数",
       _CELL_TYPE, checks=["cell_type"]),
    _r("T2-5", "verify", "cross_year", "linear", "上一年项目数量等于上年报告的上一年项目数量加本年增/减",
       {"default": "{ref}：{scope}：{sentence}（上年报告：{previous}）"}),
    _r("T2-6", "verify", "workbook", "linear", "对外公开总数量不应少于本年新公开数量", _LINEAR),
    _r("T2-7", "hint", "workbook", "read", "采购总金额按万元记录；带“元”单位的数值已换算",
       {"default": "{ref}（{label}）：“{raw}”{note}，已按数值 {value} 读取；建议直接填写数字"},
       checks=["unit_conversion"]),
    _r("T2-8", "verify", "workbook", "check", "乡镇、街道一般没有规章制定权，规章各项应为 0",
       {"default": "{ref}：单位类型为“{unit_type}”，一般没有规章制定权，但规章填写了非零数：{listing}。"
                   "如确有，请在情况说明中写明"},
       checks=["zero_for_unit_types"]),
    _r("T2-9", "verify", "workbook", "check",
       "正文中的规章、规范性文件件数，许可、处罚、强制决定数和收费金额与表二一致", _NARRATIVE,
       checks=["narrative_t2"]),
    # -- the narrative on its own and against last year (toolkit.engine.narrative) ---
    _r("N-1", "verify", "workbook", "check", "正文列举的各项之和等于正文所述的合计",
       {"default": "{where}：正文写“{quote}”，其中列举的各项之和为 {parts}＝{parts_sum}，"
                   "与所述合计“{total}”（{total_value}）不一致，请核对"},
       checks=["narrative_sums"]),
    _r("N-2", "verify", "cross_year", "check", "正文所写“同比增加/减少”与上年报告一致",
       {"default": "{ref}：正文（{where}）写“{quote}”，但表中{quantity}本年为 {current}、上年报告为 "
                   "{previous}，实际变化为 {actual}，请核对正文与表格"},
       checks=["narrative_change"]),
    # -- structure and form -----------------------------------------------------
    _r("S-2", "error", "workbook", "read",
       "表格结构、栏目名称和公式与模板一致（未被改动）；报告年度与表格版本一致",
       {
           "missing_sheet": "缺少工作表“{sheet}”{hint}，该表数据按空白处理",
           "unknown_sheets": "（工作簿中有未知工作表：{names}，可能被改名）",
           "shifted": "{sheet}!{address}：表格结构与模板不一致（{count} 处栏目名称位置不符），可能插入或删除了行、列。"
                      "此处应为“{expected}”，实际为“{actual}”。可用 xxgk import 按栏目名称把数据搬进一份新模板",
           "label": "{sheet}!{address}：栏目名称被改动，应为“{expected}”，实际为“{actual}”",
           "merges": "{sheet}：合并单元格与模板不一致（可能插入、删除了行列或取消了合并）",
           "validations": "{sheet}：{count} 个填写单元格的数据有效性被删除（如 {address}），请使用原模板填写",
           "unprotected": "{sheet}：工作表保护已被撤销（模板默认保护），请注意不要改动栏目和公式",
           "formula_in_input": "{ref}：填写单元格中出现了公式“={formula}”，请直接填写数字",
           "total_changed": "{ref}（{label}）：合计公式被改动，应为“={expected}”，实际为“={formula}”",
           "total_lost": "{ref}（{label}）：合计公式“={expected}”{what}，请恢复公式或使用原模板",
           "live_formula": "{sheet}!{address}：模板自带的校验公式{what}（自动校验结果不再可信），"
                           "请使用原模板填写",
           "total_typed": "{ref}（{label}）：合计格的数值 {value} 不等于各项之和 {sum}，合计可能被改写；"
                          "汇总按各项重新相加（.xls、.ods 等格式中看不到公式）",
           "edition_year": "{ref}：报告年度为 {year} 年，应使用 {want} 版表格，但本工作簿是 {edition} 版模板，"
                           "请换用 {want} 版模板填写",
       },
       severities={"unprotected": "hint"}, checks=["structure", "edition_year"]),
    _r("S-5", "hint", "workbook", "check", "“六、其他需要报告的事项”应说明信息处理费收取情况",
       {"default": "{ref}：“{section}”中没有提到“{word}”，请说明本年度收取信息处理费的情况（金额，或未收取）"},
       checks=["mentions"]),
    _r("S-6", "verify", "cross_year", "check", "正文不应与上年报告雷同",
       {"default": "{ref}：“{section}”与上年报告的相似度为 {ratio:.0%}，疑似照抄上年内容，请按本年度实际情况撰写"},
       checks=["same_as_previous"]),
    _r("S-7", "hint", "workbook", "read", "未填写的单元格按 0 计算，请填写 0",
       {"default": "{sheet}：{count} 个单元格未填写（{addresses}），已按 0 计算；没有发生的请填 0"},
       checks=["blank_cells"]),
    _r("S-8", "error", "workbook", "check", "封面单位信息和正文均为必填项",
       {
           "year": "{ref}：报告年度“{value}”不是四位数字年份",
           "choice": "{ref}：单位类型“{value}”不在可选范围内（{choices}）",
           "info": "{ref}：“{field}”为必填项，尚未填写",
           "text": "{ref}：“{field}”为必填项，尚未填写（没有请填“无”）",
       },
       checks=["required"]),
    # -- reading ----------------------------------------------------------------
    _r("R-1", "hint", "workbook", "read", "以文本形式填写的数字已按数值读取",
       {"default": "{ref}（{label}）：“{raw}”{note}，已按数值 {value} 读取；建议直接填写数字"},
       checks=["numeric_text"]),
    _r("R-2", "error", "workbook", "read", "数字单元格中填写了无法识别为数字的内容",
       {"default": "{ref}（{label}）：填写的“{raw}”不是数字，请填写阿拉伯数字（没有请填 0）"},
       checks=["not_a_number"]),
    # -- merge --------------------------------------------------------------------
    _r("M-1", "error", "merge", "merge",
       "同一单位报送了数据不同的多个工作簿：均未计入汇总，请删除多余的文件后重新汇总",
       {"default": "单位“{unit}”有 {count} 个数据不同的工作簿（{files}），均未计入汇总；请只保留正确的一份后"
                   "重新汇总（或加 --prefer newest 计入较新的一份）"}),
    _r("M-2", "error", "merge", "merge", "表格版本或报告年度与本次汇总不一致：未计入汇总",
       {"edition": "本工作簿是 {edition} 版表格，本次汇总的是 {target}（{want} 版），未计入汇总",
        "year": "报告年度为 {year} 年，本次汇总的是 {target_year} 年度，未计入汇总"}),
    _r("M-3", "hint", "merge", "merge", "文件名与封面单位名称不一致（以封面单位名称为准）",
       {"default": "文件名“{file}”与封面单位名称“{unit}”不一致，以封面单位名称为准，请确认没有用错文件"}),
    _r("M-4", "error", "merge", "merge", "单位名单中的单位没有报送工作簿",
       {"default": "名单中的单位“{unit}”没有报送工作簿（或封面单位名称与名单不一致）"}),
    _r("M-5", "verify", "merge", "merge", "报送单位不在单位名单中（已计入汇总，请核实）",
       {"default": "单位“{unit}”不在单位名单中，已计入汇总；请核实单位名称是否写错、名单是否需要补充"}),
    _r("M-6", "hint", "merge", "merge", "与上年相比变化很大（增加或减少到三分之一以下，且相差10件以上）",
       {"default": "{ref}（{label}）：本年 {now}，上年 {before}，{what}幅度很大，请核实是否填写有误（上年报告：{previous}）"}),
    _r("M-7", "verify", "merge", "merge",
       "汇总表与单位报告在同一文件夹中一起汇总（所含单位没有重复，已计入，请核实）",
       {"default": "“{file}”是汇总表（{name}），与各单位报告放在同一文件夹中一起汇总；它所含的单位与本文件夹中的"
                   "报告没有重复，已计入，请核实"}),
    _r("M-8", "error", "merge", "merge",
       "以前生成的汇总表与其中单位的报告放在一起：汇总表未计入（避免重复计算）",
       {"default": "“{file}”是以前汇总生成的汇总表（{name}），其中的 {count} 个单位（{names}）在本文件夹中另有"
                   "报告，为免重复计算未计入；请把它移出文件夹后重新汇总"}),
    _r("M-9", "hint", "merge", "merge", "同一单位数据完全相同的多个文件：只计入一次",
       {"default": "单位“{unit}”的“{file}”与“{twin}”数据完全相同，只计入一次"}),
    _r("M-10", "verify", "merge", "merge",
       "同一单位数据不同的多个工作簿：按 --prefer newest 计入较新的一份，较早的未计入",
       {"default": "单位“{unit}”有 {count} 个数据不同的工作簿（{files}），按 --prefer newest（{by}）计入较新的"
                   "“{newest}”，本份未计入；请核实"}),
    _r("M-11", "verify", "merge", "merge",
       "单位名称与名单不完全一致：按名单中相近的单位计入，或与多个单位相近无法确定",
       {"near": "“{unit}”按名单中的“{name}”计入，请核实单位名称",
        "ambiguous": "“{unit}”与名单中的 {names} 都相近，无法确定是哪个单位（已计入汇总，名单中这些单位暂按"
                     "未报送）；请核实后改正封面单位名称或单位名单"}),
    _r("M-12", "verify", "merge", "merge", "封面单位名称为空：按文件名计入",
       {"default": "封面“单位名称”为空，按文件名“{file}”计为“{unit}”；请核实，并请该单位补填单位名称"}),
    _r("M-13", "hint", "merge", "merge",
       "非 .xlsx 表格（.xls、.xlsb、.ods、.et）：数值已读取，公式、保护和数据有效性无法核对",
       {"default": "{notes}"}),
    _r("M-14", "hint", "merge", "merge",
       "由报告导入：Word、PDF、网页、文本报告或非模板表格，按章节和栏目名称识别", {"default": "{notes}"}),
    _r("FILE", "error", "merge", "merge", "文件无法读取：未计入汇总",
       {"default": "{reason}", "merge": "无法读取，未计入汇总：{reason}"}),
    # -- import -------------------------------------------------------------------
    _r("I-1", "error", "import", "import",
       "报告中印出的合计与印出的各项之和不一致（含合计印为空白而各项不为 0）：表三总计列和（七）总计行、表四各总计",
       {"default": "{what}印为 {total}，而{parts}之和为 {sum}，相差 {diff}（{where}）",
        "blank": "{what}印为空白，而{parts}之和为 {sum}（{where}）"}),
]

CATALOGUE = {r.id: r for r in RULES}
assert len(CATALOGUE) == len(RULES), "duplicate rule id in the catalogue"


def rule(rule_id: str) -> RuleDef:
    """The catalogue entry of ``rule_id`` (``KeyError`` naming it when undeclared)."""
    try:
        return CATALOGUE[rule_id]
    except KeyError:
        raise KeyError(f"rule {rule_id!r} is not declared in toolkit/spec/catalogue.py") from None


def check_names() -> set:
    """Every check name the catalogue declares (named checks and read-time checks)."""
    return {c for r in RULES for c in r.checks}


def rule_for_check(check: str) -> RuleDef:
    """The rule whose variant list names ``check``."""
    hits = [r for r in RULES if check in r.checks]
    if len(hits) != 1:
        raise KeyError(f"check {check!r} is declared by {len(hits)} rules in the catalogue")
    return hits[0]


def _validate() -> None:
    for r in RULES:
        assert r.severity in SEVERITIES and set(r.severities.values()) <= set(SEVERITIES), r.id
        assert r.scope in SCOPES and r.stage in STAGES, r.id
        assert r.messages, f"{r.id}: no message template"


_validate()
