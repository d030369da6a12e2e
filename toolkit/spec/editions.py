"""The national report format as data: both editions, every label verbatim.

This module is the single place where labels, layouts, cell types and the
consistency rules of ``shared/FORMAT.md`` live.  Nothing here is code that
acts; ``toolkit.spec.model`` compiles it into cells, addresses and rules.

Conventions
-----------
* Labels use the official characters: full-width ``（）：，``, ideographic
  ``、``, curly quotes ``“”``, ASCII digits and period in item numbers,
  ASCII slash in ``本年增/减``.
* Cell ids are ``<table>.<row>.<column>`` (tables ``t2``, ``t3``, ``t4``),
  ``info.<field>`` on the cover sheet and ``text.<section>`` for the
  narrative sections.  Ids and addresses are a public contract: never
  renumber, only add.
* Cell types: ``count`` (integer ≥ 0), ``signed`` (integer, 本年增/减),
  ``amount`` (decimal ≥ 0, 万元), ``text``, ``choice``, ``year``.
* Rule terms are cell-id patterns.  ``{col}`` / ``{row}`` are bound by the
  rule's ``for_each``; ``@name`` expands to a named list of row or column
  keys (``ROW_SETS`` / ``COL_SETS``).  A leading ``-`` negates a term.
"""

TEMPLATE_VERSION = "2"

# ---------------------------------------------------------------------------
# The editions of the national format, oldest first: the registry every module
# asks (through ``toolkit.spec.model``).  Per edition: the report years it serves
# (``last_year`` None = still current), the line the cover sheet prints (part of
# the fingerprint: verbatim), and the ``{"edition": ...}``-keyed table data below.
# Mappings between editions (a report's previous year in another edition) are the
# cross-year rules' ``previous_editions`` and ``EDITION_ROW_VARIANTS``.
# ---------------------------------------------------------------------------
EDITIONS = [
    {"key": "2019", "first_year": 2019, "last_year": 2020,
     "cover_line": "表格版本：2019年版（国办公开办函〔2019〕60号《中华人民共和国政府信息公开工作年度报告格式（试行）》），适用于2019、2020年度报告",
     "years_text": "2019、2020年度",
     # import: table-三 rows that show a published report is of this edition (see
     # toolkit.publish.tables); "with values": only when figures follow the label.
     "import_t3_rows_with_values": ["other"]},
    {"key": "2021", "first_year": 2021, "last_year": None,
     "cover_line": "表格版本：2021年版（国办公开办函〔2021〕30号《中华人民共和国政府信息公开工作年度报告格式》），适用于2021年度及以后的报告",
     "years_text": "2021年度及以后",
     "import_t3_rows": ["other_1", "other_2"]},
]

# Sheet names (user-visible, Chinese).  Stable: readers locate tables by them.
SHEETS = {
    "cover": "封面",
    "t2": "二、主动公开",
    "t3": "三、依申请公开",
    "t4": "四、复议诉讼",
    "text": "正文",
    "checks": "校验",  # live checks: one formula status per rule instance (toolkit.spec.live)
    "meta": "xxgk",  # very hidden: edition, template version, fingerprint
}

SECTION_TITLES = [
    "一、总体情况",
    "二、主动公开政府信息情况",
    "三、收到和处理政府信息公开申请情况",
    "四、政府信息公开行政复议、行政诉讼情况",
    "五、存在的主要问题及改进情况",
    "六、其他需要报告的事项",
]

UNIT_TYPES = ["乡镇", "街道", "县级政府部门", "县级人民政府", "其他"]

# Cover sheet: unit details.  (key, label, type, hint shown in the input message)
INFO_FIELDS = [
    ("unit_name", "单位名称", "text", "填写单位全称，如：某某镇人民政府"),
    ("unit_type", "单位类型", "choice", "从下拉列表选择"),
    ("county", "所属区县", "text", "填写所属区（县）名称"),
    ("year", "报告年度", "year", "填写报告所属年度，如 2021"),
    ("preparer", "填报人", "text", "填写填报人姓名"),
    ("phone", "联系电话", "text", "填写联系电话"),
    ("date", "填报日期", "text", "如：2022年1月20日"),
]

COVER_TITLE = "政府信息公开工作年度报告（数据填报表）"
COVER_INSTRUCTIONS = [
    "填报说明：",
    "1. 本表依据国务院办公厅政府信息与政务公开办公室公布的《中华人民共和国政府信息公开工作年度报告格式》制作，表格名称、栏目和勾稽关系不得改动。",
    "2. 只有浅黄色单元格可以填写；灰色单元格为标题或自动合计（公式），已锁定（见本页下方图例）。",
    "3. 所有数量请填写阿拉伯数字；没有发生的请填 0，不要留空，也不要填“/”“—”“无”。",
    "4. 表三须满足：第一项加第二项之和，等于第三项（七）总计加第四项之和（每一列都要满足）。",
    "5. 边填边校：表格自动核对勾稽关系，结果见下一行、各表右上角和“校验”工作表，不符的单元格标红。不需要宏或 Python。",
    "6. 报送前还应运行完整校验：带宏的 .xlsm 模板点击表格上方的“校验”按钮，或运行命令 xxgk check 文件名。",
]

# ---------------------------------------------------------------------------
# Table 二 — 主动公开政府信息情况.  Each block: header label (merged A:D), the
# column header row (A = 信息内容), the data rows.  ``cols`` are
# (key, label, type, span) where span is how many of the B–D columns the
# header and its data cells cover (merged when > 1).
# ---------------------------------------------------------------------------
T2_BLOCK_LABEL_COL = "信息内容"

T2_BLOCKS = {
    "2019": [
        {
            "label": "第二十条第（一）项",
            "cols": [("made", "本年新制作数量", "count", 1),
                     ("published", "本年新公开数量", "count", 1),
                     ("total", "对外公开总数量", "count", 1)],
            "rows": [("rules", "规章"), ("normative", "规范性文件")],
        },
        {
            "label": "第二十条第（五）项",
            "cols": [("prev_items", "上一年项目数量", "count", 1),
                     ("change", "本年增/减", "signed", 1),
                     ("decisions", "处理决定数量", "count", 1)],
            "rows": [("licensing", "行政许可"), ("other_services", "其他对外管理服务事项")],
        },
        {
            "label": "第二十条第（六）项",
            "cols": [("prev_items", "上一年项目数量", "count", 1),
                     ("change", "本年增/减", "signed", 1),
                     ("decisions", "处理决定数量", "count", 1)],
            "rows": [("penalty", "行政处罚"), ("coercion", "行政强制")],
        },
        {
            "label": "第二十条第（八）项",
            "cols": [("prev_items", "上一年项目数量", "count", 1),
                     ("change", "本年增/减", "signed", 2)],
            "rows": [("fees", "行政事业性收费")],
        },
        {
            "label": "第二十条第（九）项",
            "cols": [("projects", "采购项目数量", "count", 1),
                     ("amount", "采购总金额", "amount", 2)],
            "rows": [("procurement", "政府集中采购")],
            # No unit is printed in the format; the template asks for 万元 in
            # a helper note outside the official grid (FORMAT.md T2-7).
            "note": "采购总金额请以万元为单位填写数字",
        },
    ],
    "2021": [
        {
            "label": "第二十条第（一）项",
            "cols": [("issued", "本年制发件数", "count", 1),
                     ("repealed", "本年废止件数", "count", 1),
                     ("in_force", "现行有效件数", "count", 1)],
            "rows": [("rules", "规章"), ("normative", "行政规范性文件")],
        },
        {
            "label": "第二十条第（五）项",
            "cols": [("decisions", "本年处理决定数量", "count", 3)],
            "rows": [("licensing", "行政许可")],
        },
        {
            "label": "第二十条第（六）项",
            "cols": [("decisions", "本年处理决定数量", "count", 3)],
            "rows": [("penalty", "行政处罚"), ("coercion", "行政强制")],
        },
        {
            "label": "第二十条第（八）项",
            "cols": [("amount", "本年收费金额（单位：万元）", "amount", 3)],
            "rows": [("fees", "行政事业性收费")],
        },
    ],
}

# ---------------------------------------------------------------------------
# Table 三 — 收到和处理政府信息公开申请情况.
# ---------------------------------------------------------------------------
T3_NOTE = "（本列数据的勾稽关系为：第一项加第二项之和，等于第三项加第四项之和）"
T3_GROUP_HEADER = "申请人情况"
T3_LEGAL_PERSON_HEADER = "法人或其他组织"
# (key, label); the five legal-person columns sit under T3_LEGAL_PERSON_HEADER.
T3_COLS = [
    ("natural", "自然人"),
    ("commercial", "商业企业"),
    ("research", "科研机构"),
    ("nonprofit", "社会公益组织"),
    ("legal", "法律服务机构"),
    ("other", "其他"),
    ("total", "总计"),
]
T3_LEGAL_PERSON_COLS = ["commercial", "research", "nonprofit", "legal", "other"]

# A row is (key, label, short) where ``short`` names the row in messages;
# a group is {"label": ..., "rows": [...]} and may nest once more.
_T3_WITHHELD = {
    "label": "（三）不予公开",
    "rows": [
        ("withheld_1", "1.属于国家秘密", "（三）1"),
        ("withheld_2", "2.其他法律行政法规禁止公开", "（三）2"),
        ("withheld_3", "3.危及“三安全一稳定”", "（三）3"),
        ("withheld_4", "4.保护第三方合法权益", "（三）4"),
        ("withheld_5", "5.属于三类内部事务信息", "（三）5"),
        ("withheld_6", "6.属于四类过程性信息", "（三）6"),
        ("withheld_7", "7.属于行政执法案卷", "（三）7"),
        ("withheld_8", "8.属于行政查询事项", "（三）8"),
    ],
}
_T3_UNABLE = {
    "label": "（四）无法提供",
    "rows": [
        ("unable_1", "1.本机关不掌握相关政府信息", "（四）1"),
        ("unable_2", "2.没有现成信息需要另行制作", "（四）2"),
        ("unable_3", "3.补正后申请内容仍不明确", "（四）3"),
    ],
}
_T3_NOT_PROCESSED = {
    "label": "（五）不予处理",
    "rows": [
        ("not_processed_1", "1.信访举报投诉类申请", "（五）1"),
        ("not_processed_2", "2.重复申请", "（五）2"),
        ("not_processed_3", "3.要求提供公开出版物", "（五）3"),
        ("not_processed_4", "4.无正当理由大量反复申请", "（五）4"),
        ("not_processed_5", "5.要求行政机关确认或重新出具已获取信息", "（五）5"),
    ],
}
_T3_OTHER = {
    "2019": ("other", "（六）其他处理", "（六）"),
    "2021": {
        "label": "（六）其他处理",
        "rows": [
            ("other_1", "1.申请人无正当理由逾期不补正、行政机关不再处理其政府信息公开申请", "（六）1"),
            ("other_2", "2.申请人逾期未按收费通知要求缴纳费用、行政机关不再处理其政府信息公开申请", "（六）2"),
            ("other_3", "3.其他", "（六）3"),
        ],
    },
}


def _t3_rows(edition):
    return [
        ("new", "一、本年新收政府信息公开申请数量", "一"),
        ("carried_in", "二、上年结转政府信息公开申请数量", "二"),
        {
            "label": "三、本年度办理结果",
            "rows": [
                ("public", "（一）予以公开", "（一）"),
                ("partial", "（二）部分公开（区分处理的，只计这一情形，不计其他情形）", "（二）"),
                _T3_WITHHELD,
                _T3_UNABLE,
                _T3_NOT_PROCESSED,
                _T3_OTHER[edition],
                ("results_total", "（七）总计", "（七）总计"),
            ],
        },
        ("carry_forward", "四、结转下年度继续办理", "四"),
    ]


T3_ROWS = {ed: _t3_rows(ed) for ed in ("2019", "2021")}

# ---------------------------------------------------------------------------
# Table 四 — 行政复议、行政诉讼.  Groups of five leaf columns.
# ---------------------------------------------------------------------------
T4_TOP = [("行政复议", ["review"]), ("行政诉讼", ["suit_direct", "suit_after_review"])]
T4_GROUPS = [
    ("review", None, "行政复议"),
    ("suit_direct", "未经复议直接起诉", "行政诉讼（未经复议直接起诉）"),
    ("suit_after_review", "复议后起诉", "行政诉讼（复议后起诉）"),
]
T4_LEAVES = [
    ("upheld", "结果维持"),
    ("corrected", "结果纠正"),
    ("other", "其他结果"),
    ("pending", "尚未审结"),
    ("total", "总计"),
]

# ---------------------------------------------------------------------------
# Narrative sections (一、五、六), on the 正文 sheet.
#
# Each section is ``paragraphs`` input rows, one paragraph per cell, without a
# fixed row height: Excel, WPS and LibreOffice fit each row to its text, and a
# row never splits across pages, so a long section prints in full over as many
# pages as it needs (template version 2; version 1 had one cell per section and
# printed only the first ~1,000 characters).  A paragraph is at most
# TEXT_PARAGRAPH_MAX characters (a data validation), so an autofit row stays well
# below Excel's 409 pt at the column width.  The counts come from the published
# corpus: 一、总体情况 has up to 12 paragraphs (632 characters), 五 up to 8 short
# ones; writers pack several short paragraphs into one cell when needed
# (toolkit.spec.paragraphs), so a section holds up to paragraphs × max characters.
# ---------------------------------------------------------------------------
TEXT_PARAGRAPH_MAX = 800
TEXT_SECTIONS = [
    ("overview", "一、总体情况",
     "按主动公开、依申请公开、政府信息管理、政府信息公开平台建设、监督保障五个方面填写。"),
    ("problems", "五、存在的主要问题及改进情况",
     "填写本年度存在的主要问题、改进措施，以及上年度问题的整改情况。"),
    ("other", "六、其他需要报告的事项",
     "2021年起应说明收取信息处理费的情况（金额或未收取），以及其他需要报告的事项；没有请填“无”。"),
]
# Paragraph input rows per section (spec data, see above).
TEXT_PARAGRAPHS = {"overview": 12, "problems": 8, "other": 4}
TEXT_PARAGRAPH_HINT = f"每格填写一段，超过 {TEXT_PARAGRAPH_MAX} 字请分段写在下一格。"
# Earlier template versions whose workbooks ``xxgk fill --from`` carries over: every other
# cell has the address it has today; the 正文 section -> its one cell (正文 sheet).
OLD_TEXT_CELLS = {"1": {"overview": "A4", "problems": "A7", "other": "A10"}}

# ---------------------------------------------------------------------------
# Named sets used by rules and totals.
# ---------------------------------------------------------------------------
T3_RESULT_ROWS = {
    "2019": ["public", "partial"] + [f"withheld_{i}" for i in range(1, 9)]
    + [f"unable_{i}" for i in range(1, 4)] + [f"not_processed_{i}" for i in range(1, 6)]
    + ["other"],
    "2021": ["public", "partial"] + [f"withheld_{i}" for i in range(1, 9)]
    + [f"unable_{i}" for i in range(1, 4)] + [f"not_processed_{i}" for i in range(1, 6)]
    + ["other_1", "other_2", "other_3"],
}
COL_SETS = {
    "cols": [k for k, _ in T3_COLS],
    "parties": [k for k, _ in T3_COLS if k != "total"],
    "groups": [k for k, _, _ in T4_GROUPS],
    "parts": ["upheld", "corrected", "other", "pending"],
}


def row_sets(edition):
    """Named row sets of an edition (``@results`` …)."""
    results = T3_RESULT_ROWS[edition]
    all_rows = ["new", "carried_in"] + results + ["results_total", "carry_forward"]
    return {"results": results, "rows": all_rows}


# ---------------------------------------------------------------------------
# Consistency rules (FORMAT.md §5).  Linear rules: sum(lhs) <op> sum(rhs).
# ``defines_total`` marks the rule whose lhs cell the template writes as a
# formula over the rhs cells.  ``fold_into`` makes a failure of the rule part of
# the named rule's finding for the same scope (naming ``culprit``) instead of a
# finding of its own.  ``lhs_text``/``rhs_text`` replace the list of
# operands in messages when it would be too long.
# Severity, title and message wording of every rule id are in
# toolkit.spec.catalogue; here only which editions a rule applies to and its operands.
# ---------------------------------------------------------------------------
LINEAR_RULES = [
    {
        "id": "T3-1", "editions": ["2019", "2021"],
        "for_each": {"col": "@cols"},
        "lhs": ["t3.new.{col}", "t3.carried_in.{col}"],
        "op": "=",
        "rhs": ["t3.results_total.{col}", "t3.carry_forward.{col}"],
        "scope": "“{col_label}”列",
    },
    {
        "id": "T3-2", "editions": ["2019", "2021"],
        "for_each": {"col": "@cols"},
        "lhs": ["t3.results_total.{col}"],
        "op": "=",
        "rhs": ["t3.@results.{col}"],
        "rhs_text": "（一）至（六）各项之和",
        "scope": "“{col_label}”列",
        "defines_total": True,
    },
    {
        "id": "T3-3", "editions": ["2019", "2021"],
        "for_each": {"row": "@rows"},
        "lhs": ["t3.{row}.total"],
        "op": "=",
        "rhs": ["t3.{row}.@parties"],
        "rhs_text": "自然人至其他六列之和",
        "scope": "“{row_label}”行",
        "defines_total": True,
    },
    {
        "id": "T3-5", "editions": ["2019", "2021"],
        "for_each": {"col": "@cols"},
        "lhs": ["t3.carry_forward.{col}"],
        "op": "<=",
        "rhs": ["t3.new.{col}", "t3.carried_in.{col}"],
        "scope": "“{col_label}”列",
        # Implied by T3-1 and non-negativity, so it never fails alone: when it fails,
        # it names the likely culprit (四) inside the T3-1 finding of the same column.
        "fold_into": "T3-1", "culprit": "t3.carry_forward.{col}",
    },
    {
        "id": "T4-1", "editions": ["2019", "2021"],
        "lhs": ["t4.review.total"], "op": "=", "rhs": ["t4.review.@parts"],
        "scope": "行政复议", "defines_total": True,
    },
    {
        "id": "T4-2", "editions": ["2019", "2021"],
        "lhs": ["t4.suit_direct.total"], "op": "=", "rhs": ["t4.suit_direct.@parts"],
        "scope": "行政诉讼（未经复议直接起诉）", "defines_total": True,
    },
    {
        "id": "T4-3", "editions": ["2019", "2021"],
        "lhs": ["t4.suit_after_review.total"], "op": "=",
        "rhs": ["t4.suit_after_review.@parts"],
        "scope": "行政诉讼（复议后起诉）", "defines_total": True,
    },
    {
        "id": "T2-2", "editions": ["2021"],
        "for_each": {"row": ["rules", "normative"]},
        "lhs": ["t2.{row}.in_force"], "op": ">=",
        "rhs": ["t2.{row}.issued", "-t2.{row}.repealed"],
        "scope": "“{row_label}”",
    },
    {
        "id": "T2-6", "editions": ["2019"],
        "for_each": {"row": ["rules", "normative"]},
        "lhs": ["t2.{row}.total"], "op": ">=", "rhs": ["t2.{row}.published"],
        "scope": "“{row_label}”",
    },
]

# Cross-year rules: this year's cells against last year's report.  ``previous_editions``:
# the editions last year's report may have (absent: any; this is the mapping between
# editions, e.g. a 2020 report (2019 edition) before a 2021 one).  ``fill``: what
# ``xxgk fill --previous`` does with the rule: "value" sets the left cell to the
# right-hand side computed from last year's report, "note" writes ``fill_note``.
CROSS_YEAR_RULES = [
    {
        "id": "T3-6", "editions": ["2019", "2021"], "fill": "value",
        "for_each": {"col": "@cols"},
        "lhs": ["t3.carried_in.{col}"], "op": "=",
        "rhs_previous": ["t3.carry_forward.{col}"],
        "scope": "“{col_label}”列",
    },
    {
        "id": "T2-1", "editions": ["2021"], "previous_editions": ["2021"], "fill": "note",
        "fill_note": "{year_text}报告的“{row_label}·现行有效件数”为 {value}（供参考）。"
                     "本年现行有效件数一般约等于上年数加本年制发件数减本年废止件数。",
        "for_each": {"row": ["rules", "normative"]},
        "lhs": ["t2.{row}.in_force"], "op": "=",
        "rhs": ["t2.{row}.issued", "-t2.{row}.repealed"],
        "rhs_previous": ["t2.{row}.in_force"],
        "scope": "“{row_label}”",
    },
    {
        "id": "T2-5", "editions": ["2019"], "previous_editions": ["2019"], "fill": "value",
        "for_each": {"row": ["licensing", "other_services", "penalty", "coercion", "fees"]},
        "lhs": ["t2.{row}.prev_items"], "op": "=",
        "rhs_previous": ["t2.{row}.prev_items", "t2.{row}.change"],
        "scope": "“{row_label}”",
    },
]

# Rules that are not linear equations; implemented by named checks in
# toolkit.engine.rules, described here so docs and messages come from one place.
OTHER_RULES = [
    {"id": "T3-4",
     "check": "cell_type", "tables": ["t3"]},
    {"id": "T4-4",
     "check": "cell_type", "tables": ["t4"]},
    {"id": "T2-4",
     "check": "cell_type", "tables": ["t2"]},
    {"id": "T2-3", "editions": ["2021"],
     "check": "max_value", "cells": ["t2.fees.amount"], "max": 100000},
    {"id": "T2-7", "editions": ["2019"],
     "check": "unit_conversion", "cells": ["t2.procurement.amount"]},
    {"id": "T2-8",
     "check": "zero_for_unit_types", "unit_types": ["乡镇", "街道"], "rows": ["rules"]},
    # The narrative checked against the tables (toolkit.engine.narrative; the
    # phrase -> quantity mapping is data in toolkit.spec.claims).  One pass
    # computes every claim; each rule reports the claims of its table.
    {"id": "T3-7", "check": "narrative_t3"},
    {"id": "T4-5", "check": "narrative_t4"},
    {"id": "T2-9", "check": "narrative_t2"},
    {"id": "N-1", "check": "narrative_sums"},
    {"id": "N-2", "check": "narrative_change"},
    {"id": "S-2",
     "check": "structure"},
    # FORMAT.md S-2 covers both the exact labels (above) and the edition
    # matching the report year; same id, two checks.
    {"id": "S-2",
     "check": "edition_year"},
    {"id": "S-5", "editions": ["2021"],
     "check": "mentions", "section": "other", "words": ["信息处理费"]},
    {"id": "S-6",
     "check": "same_as_previous", "sections": ["overview", "problems"]},
    {"id": "S-7",
     "check": "blank_cells"},
    {"id": "S-8",
     "check": "required"},
    {"id": "R-1",
     "check": "numeric_text"},
    {"id": "R-2",
     "check": "not_a_number"},
]

# Label variants seen in published reports (FORMAT.md §5.4): accepted when
# importing a document, with a note; never written.  variant -> official label.
LABEL_VARIANTS = {
    "行政事业型收费": "行政事业性收费",
    "5.属于三类内容事务信息": "5.属于三类内部事务信息",
    "（二）部分公开（区分处理的，只计这一情况，不计其他情形）":
        "（二）部分公开（区分处理的，只计这一情形，不计其他情形）",
    "（六）其他": "（六）其他处理",
    "1.申请人无正当理由逾期不补正，行政机关不再处理其政府信息公开申请":
        "1.申请人无正当理由逾期不补正、行政机关不再处理其政府信息公开申请",
    "2.申请人逾期未按收费通知要求缴纳费用，行政机关不再处理其政府信息公开申请":
        "2.申请人逾期未按收费通知要求缴纳费用、行政机关不再处理其政府信息公开申请",
    "现行有效件数（历史累计）": "现行有效件数",
}
# Row labels of one edition found in the other edition's table (same row).
EDITION_ROW_VARIANTS = {"2021": {"规范性文件": "行政规范性文件"}, "2019": {"行政规范性文件": "规范性文件"}}
