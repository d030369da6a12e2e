"""What the narrative's words mean in the tables: phrase → quantity, as data.

``toolkit.engine.narrative`` finds the figures of the report prose and the
words around them; this module says which words name which table quantity.
Nothing here acts.  Precision first: a phrase is listed only when a clerk
who writes it can mean nothing but that quantity; everything else
(网络问政, 咨询, 信箱, 网站发布条数 …) names nothing in the tables and is
never matched, however close the figure stands to a table word.

Terms
-----
* ``SUBJECT_PHRASES``: (phrase, subject), matched longest first in the words
  that introduce a figure.  A subject is a key of ``QUANTITIES`` or one of
  the structural subjects ``applications`` (needs a verb), ``review`` /
  ``suit`` (table 四 topics, which outcomes attach to) and ``other_bare``.
* ``VERB_PHRASES``: (phrase, verb) — which column or variant a figure means.
* ``DISTRACTORS``: a figure introduced by one of these words names nothing
  in the tables (it is extracted, marked, and never matched).
* ``QUANTITIES``: subject → rule id, Chinese label, and per edition the
  accepted sums of cells, keyed by verb (``"*"`` = no or any other verb).
  A figure agrees when it equals any accepted sum (受理 may include the
  requests carried over from last year).
* ``QUALITATIVE``: sentences without a figure that still say something the
  tables can contradict (“均获维持”, “未发生行政复议”).
"""

from __future__ import annotations

# Units of a counted figure (all interchangeable: clerks write 条 for 件).
COUNT_UNITS = ["件", "条", "个", "项", "起", "宗", "份", "部"]
MONEY_UNITS = {"万元": 1.0, "元": 0.0001}  # factor to 万元, the tables' unit
PERCENT_UNITS = ["%", "％"]
# Other units are extracted (so enumerations parse) but never name a quantity.
OTHER_UNITS = ["人次", "篇", "期", "次", "家", "名", "人"]

# Words after a figure that show it is not a count of anything reported
# (``15个工作日``, ``一件事一次办``, ``一条龙``).
NOT_A_FIGURE_AFTER = ["工作日", "小时", "月", "事", "龙", "窗口", "站式", "百分点", "部分", "方面",
                      "分", "署", "门"]
# A Chinese numeral (“两件”, “二十三件”) counts only when the next character
# ends the phrase or is one of these (“一部署”, “六个部分” are words, not figures).
CHINESE_FIGURE_FOLLOWERS = "，,。；;：:、）)！？!?\n均已全共其和及与"

# Phrases naming every kind of applicant at once; masked before qualifiers
# are read (``法人`` alone marks a figure of one kind of applicant).
GENERIC_PHRASES = ["公民、法人或其他组织", "公民、法人和其他组织", "公民、法人或者其他组织",
                   "自然人、法人或其他组织", "自然人、法人和其他组织", "公民、法人及其他组织"]

# Qualifiers: phrase -> canonical qualifier.
QUALIFIER_PHRASES = [
    ("其中", "其中"),
    ("共计", "共"), ("合计", "共"), ("总计", "共"), ("累计", "共"), ("总数", "共"), ("共", "共"),
    ("同比增加", "同比增加"), ("同比增长", "同比增加"), ("同比上升", "同比增加"), ("同比多", "同比增加"),
    ("同比减少", "同比减少"), ("同比下降", "同比减少"), ("同比少", "同比减少"),
    ("较上年增加", "同比增加"), ("比上年增加", "同比增加"), ("较上年增长", "同比增加"),
    ("比上年增长", "同比增加"), ("较去年增加", "同比增加"), ("比去年增加", "同比增加"),
    ("较上年减少", "同比减少"), ("比上年减少", "同比减少"), ("较上年下降", "同比减少"),
    ("比上年下降", "同比减少"), ("较去年减少", "同比减少"), ("比去年减少", "同比减少"),
    ("上一年度", "上年"), ("上年度", "上年"), ("去年", "上年"),
    ("网上", "网上"), ("网络", "网上"), ("在线", "网上"), ("电子邮件", "网上"), ("邮箱", "网上"),
    ("信函", "信函"), ("邮寄", "信函"), ("挂号信", "信函"), ("当面", "当面"), ("现场", "当面"),
    ("自然人", "申请人类别"), ("法人", "申请人类别"), ("企业", "申请人类别"),
    ("约", "约数"), ("近", "约数"), ("超过", "约数"), ("以上", "约数"), ("左右", "约数"),
    ("各", "各"),
]
# Qualifiers that make a figure something other than this year's whole quantity.
NOT_WHOLE = {"网上", "信函", "当面", "申请人类别", "约数", "上年", "同比增加", "同比减少"}

DISTRACTORS = [
    "网络问政", "问政", "咨询", "信箱", "留言", "热线", "12345", "来信", "信件", "来电", "来访",
    "投诉", "举报", "建议", "提案", "意见征集", "征集", "解读", "培训", "会议", "发布会", "人次",
    "诉求", "工单", "协助调查", "告知书", "听证", "调查", "访谈",
    # “规章制度” is not 规章; 栏目/目录/指南 count web pages, not applications
    "规章制度", "栏目", "专栏", "目录", "指南",
]

SUBJECT_PHRASES = [
    # Table 三: results and carry-over.
    ("予以公开及部分公开", "public_partial"), ("予以公开和部分公开", "public_partial"),
    ("予以公开或部分公开", "public_partial"), ("公开及部分公开", "public_partial"),
    ("公开和部分公开", "public_partial"), ("全部或部分公开", "public_partial"),
    ("予以公开", "public"), ("全部公开", "public"), ("同意公开", "public"),
    ("部分公开", "partial"), ("不予公开", "withheld"), ("无法提供", "unable"),
    ("信息不存在", "unable"), ("不予处理", "not_processed"), ("其他处理", "other_processing"),
    ("结转下一年度", "carry_forward"), ("结转下年度", "carry_forward"), ("结转至下年", "carry_forward"),
    ("结转到下年", "carry_forward"), ("转入下年度", "carry_forward"), ("结转下年", "carry_forward"),
    ("上年结转", "carried_in"), ("上年度结转", "carried_in"), ("上一年度结转", "carried_in"),
    ("从上年结转", "carried_in"), ("结转", "carry_forward"),
    ("办结", "concluded"), ("答复", "concluded"), ("办复", "concluded"),
    ("政府信息公开申请", "applications"), ("依申请公开", "applications"), ("申请", "applications"),
    # Table 四.
    ("行政复议", "review"), ("行政诉讼", "suit"),
    ("结果维持", "upheld"), ("维持", "upheld"), ("结果纠正", "corrected"), ("纠正", "corrected"),
    ("撤销", "corrected"), ("其他结果", "other_result"), ("尚未审结", "pending"), ("未审结", "pending"),
    ("正在审理", "pending"), ("审理中", "pending"),
    # Table 二.
    ("规章", "rules"), ("行政规范性文件", "normative"), ("规范性文件", "normative"),
    ("行政许可", "licensing"), ("行政处罚", "penalty"), ("行政强制", "coercion"),
    ("行政事业性收费", "fees"), ("信息处理费", "info_fee"),
    # A bare 其他 inside an enumeration of results (“…，其他0件”).
    ("其他", "other_bare"),
]

VERB_PHRASES = [
    ("本年新收", "new"), ("新收", "new"), ("新接收", "new"),
    ("收到", "receive"), ("接收", "receive"), ("受理", "receive"), ("接到", "receive"),
    ("办理", "handle"), ("处理", "handle"),
    ("制发", "issue"), ("印发", "issue"), ("出台", "issue"), ("制定", "issue"), ("新制作", "make"),
    ("制作", "make"), ("废止", "repeal"), ("现行有效", "in_force"), ("有效", "in_force"),
    ("新公开", "publish"), ("公开", "publish"), ("发布", "publish"),
    ("作出", "decide"), ("处理决定", "decide"),
]

# Subjects of table 三 count only in a sentence about applications (a
# “不予公开112件” in a sentence about 主动公开 is not a table-三 figure).
NEEDS_APPLICATION_CONTEXT = {
    "public_partial", "public", "partial", "withheld", "unable", "not_processed",
    "other_processing", "carry_forward", "carried_in", "concluded", "other_bare",
}
APPLICATION_CONTEXT_WORDS = ["申请"]
T4_TOPICS = {"review": "行政复议", "suit": "行政诉讼"}
T4_TOPICS_IN_TEXT = {"行政复议": "review", "行政诉讼": "suit"}
# A figure of “案件” with no other subject counts cases of the topic spoken of last.
T4_CASE_WORDS = ["案件"]
T2_SUBJECTS = {"rules", "normative", "licensing", "penalty", "coercion", "fees", "info_fee"}
# A figure with one of these verbs and no subject counts the table-二 row of the figure before.
T2_INHERIT_VERBS = {"issue", "repeal", "in_force", "make"}
T4_OUTCOMES = {"upheld": "upheld", "corrected": "corrected", "other_result": "other",
               "pending": "pending"}

# The breakdown of a stated total (“办结16件，其中…”): only figures of these
# subjects count as its parts (carry-over is not a result; 诉讼 is not part of 复议).
_RESULTS = {"public", "partial", "public_partial", "withheld", "unable", "not_processed",
            "other_processing"}
PART_SUBJECTS = {
    "concluded": _RESULTS,
    "applications": _RESULTS | {"carry_forward"},
    "review": {f"review.{o}" for o in ("upheld", "corrected", "other", "pending")},
    "suit": {f"suit.{o}" for o in ("upheld", "corrected", "other", "pending")},
}

# Cumulative cells (现行有效件数, 对外公开总数量) may equal a sentence's total by
# chance: they are never taken for “the total typed into the part's row”.
CUMULATIVE_CELLS = {f"t2.{row}.{col}" for row in ("rules", "normative") for col in ("in_force", "total")}

_WITHHELD = [f"t3.withheld_{i}.total" for i in range(1, 9)]
_UNABLE = [f"t3.unable_{i}.total" for i in range(1, 4)]
_NOT_PROCESSED = [f"t3.not_processed_{i}.total" for i in range(1, 6)]
_SUITS = ["t4.suit_direct.{leaf}", "t4.suit_after_review.{leaf}"]


def _both(sums):
    return {"2019": sums, "2021": sums}


def _suit(leaf):
    return [s.format(leaf=leaf) for s in _SUITS]


# subject -> {"rule", "label", "unit": "count" | "money", "sums": {edition: {verb: [[cells]]}}}
QUANTITIES = {
    "applications": {
        "rule": "T3-7", "label": "政府信息公开申请数",
        "sums": _both({
            "new": [["t3.new.total"]],
            "handle": [["t3.new.total"], ["t3.new.total", "t3.carried_in.total"],
                       ["t3.results_total.total"]],
            "*": [["t3.new.total"], ["t3.new.total", "t3.carried_in.total"]],
        }),
    },
    "concluded": {"rule": "T3-7", "label": "办结（答复）的申请数",
                  "sums": _both({"*": [["t3.results_total.total"]]})},
    "public": {"rule": "T3-7", "label": "（一）予以公开", "sums": _both({"*": [["t3.public.total"]]})},
    "partial": {"rule": "T3-7", "label": "（二）部分公开", "sums": _both({"*": [["t3.partial.total"]]})},
    "public_partial": {"rule": "T3-7", "label": "（一）予以公开加（二）部分公开",
                       "sums": _both({"*": [["t3.public.total", "t3.partial.total"]]})},
    "withheld": {"rule": "T3-7", "label": "（三）不予公开", "sums": _both({"*": [_WITHHELD]})},
    "unable": {"rule": "T3-7", "label": "（四）无法提供", "sums": _both({"*": [_UNABLE]})},
    "not_processed": {"rule": "T3-7", "label": "（五）不予处理",
                      "sums": _both({"*": [_NOT_PROCESSED]})},
    "other_processing": {"rule": "T3-7", "label": "（六）其他处理", "sums": {
        "2019": {"*": [["t3.other.total"]]},
        "2021": {"*": [["t3.other_1.total", "t3.other_2.total", "t3.other_3.total"]]}}},
    "carry_forward": {"rule": "T3-7", "label": "四、结转下年度继续办理",
                      "sums": _both({"*": [["t3.carry_forward.total"]]})},
    "carried_in": {"rule": "T3-7", "label": "二、上年结转",
                   "sums": _both({"*": [["t3.carried_in.total"]]})},
    "review": {"rule": "T4-5", "label": "行政复议总计", "sums": _both({"*": [["t4.review.total"]]})},
    "suit": {"rule": "T4-5", "label": "行政诉讼总计", "sums": _both({"*": [_suit("total")]})},
    "review+suit": {"rule": "T4-5", "label": "行政复议和行政诉讼总计",
                    "sums": _both({"*": [["t4.review.total"] + _suit("total")]})},
    **{f"review.{o}": {"rule": "T4-5", "label": f"行政复议·{lab}",
                       "sums": _both({"*": [[f"t4.review.{o}"]]})}
       for o, lab in (("upheld", "结果维持"), ("corrected", "结果纠正"), ("other", "其他结果"),
                      ("pending", "尚未审结"))},
    **{f"suit.{o}": {"rule": "T4-5", "label": f"行政诉讼·{lab}",
                     "sums": _both({"*": [_suit(o)]})}
       for o, lab in (("upheld", "结果维持"), ("corrected", "结果纠正"), ("other", "其他结果"),
                      ("pending", "尚未审结"))},
    # Table 二.  Without a verb a figure may mean any column of the row.
    **{row: {"rule": "T2-9", "label": lab, "sums": {
        "2021": {"issue": [[f"t2.{row}.issued"]], "repeal": [[f"t2.{row}.repealed"]],
                 "in_force": [[f"t2.{row}.in_force"]],
                 "*": [[f"t2.{row}.issued"], [f"t2.{row}.in_force"]]},
        "2019": {"make": [[f"t2.{row}.made"]], "issue": [[f"t2.{row}.made"]],
                 "publish": [[f"t2.{row}.published"], [f"t2.{row}.total"]],
                 "*": [[f"t2.{row}.made"], [f"t2.{row}.published"], [f"t2.{row}.total"]]}}}
       for row, lab in (("rules", "规章"), ("normative", "规范性文件"))},
    **{row: {"rule": "T2-9", "label": f"{lab}·处理决定数量", "count_units": ["件", "起", "宗", "个"],
             "sums": _both({"*": [[f"t2.{row}.decisions"]]})}
       for row, lab in (("licensing", "行政许可"), ("penalty", "行政处罚"), ("coercion", "行政强制"))},
    "fees": {"rule": "T2-9", "label": "行政事业性收费·本年收费金额", "unit": "money",
             "sums": {"2021": {"*": [["t2.fees.amount"]]}}},
}

# Claims without a figure.  ``words``: the phrase; ``before``: how many
# characters before it a topic may stand; ``cells``: per topic, the cells
# that must be 0 for the sentence to be true.
_NONZERO_OUTCOMES = {"review": ["t4.review.corrected", "t4.review.other", "t4.review.pending"],
                     "suit": _suit("corrected") + _suit("other") + _suit("pending")}
QUALITATIVE = [
    {"rule": "T4-5", "kind": "all_upheld",
     "words": ["均获维持", "均被维持", "均予维持", "均予以维持", "全部维持", "全部获得维持", "均维持",
               "均获得维持", "均为维持"],
     "topics": {"行政复议": "review", "复议": "review", "行政诉讼": "suit", "诉讼": "suit"},
     "cells": _NONZERO_OUTCOMES, "says": "均获维持"},
    {"rule": "T4-5", "kind": "none",
     "words": ["未发生", "没有发生", "未出现", "未产生", "未有", "没有", "无"],
     "topics": {"行政复议": "review", "行政诉讼": "suit"},
     "cells": {"review": ["t4.review.total"], "suit": _suit("total")}, "says": "未发生"},
    {"rule": "T3-7", "kind": "none",
     "words": ["未收到", "没有收到", "未接到", "未受理", "无"],
     "topics": {"政府信息公开申请": "applications", "依申请公开申请": "applications"},
     "cells": {"applications": ["t3.new.total"]}, "says": "未收到"},
    {"rule": "T3-7", "kind": "none",
     "words": ["无", "没有", "不存在"],
     "topics": {"结转下年度": "carry_forward", "下年度结转": "carry_forward"},
     "cells": {"carry_forward": ["t3.carry_forward.total"]}, "says": "无"},
]
# The words of a “none” claim must stand right before the topic (“无行政复议”),
# except these, which may stand up to QUALITATIVE_GAP characters before it
# (“未发生因政府信息公开引起的行政复议”).
NONE_WORDS_AT_DISTANCE = ["未发生", "没有发生", "未出现", "未产生", "未收到", "没有收到", "未接到"]
QUALITATIVE_GAP = 20
# After the topic, these make a “none” statement about something narrower
# (“未发生行政复议被纠错的情况”): no claim is read.
NONE_SPOILERS = ["被", "纠正", "纠错", "撤销", "败诉", "违法", "结果"]
# A clause with these words states an exception; no qualitative claim is read from it.
EXCEPTION_WORDS = ["除", "以外", "之外", "此外", "外，"]
