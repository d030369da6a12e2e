"""A breaking example per checker rule: spec data, so a new edition or rule brings its own.

Each entry: rule id -> (edition, overrides of this year's inputs, unit_type,
previous-year overrides or None), or a list of such.  Values start from a
consistent sample (``toolkit.demo.sample``); ``"+n"`` adds to the current
value (of a total: to its sum).  ``toolkit.docs_gen`` prints the message each
example produces in docs/rules.md and tests/test_catalogue.py asserts that each
example fires exactly its rule.
"""

BREAKING_EXAMPLES = {
    "T3-1": ("2021", {"t3.new.natural": "+1"}, "乡镇", None),
    "T3-2": ("2021", {"t3.results_total.natural": "+2"}, "乡镇", None),
    "T3-3": ("2021", {"t3.new.total": "+1"}, "乡镇", None),
    "T3-4": ("2021", {"t3.public.natural": -2}, "乡镇", None),
    "T3-5": ("2021", {"t3.carry_forward.natural": 500}, "乡镇", None),
    "T3-6": ("2021", {}, "乡镇", {"t3.carry_forward.natural": "+3"}),
    "T4-1": ("2021", {"t4.review.total": "+1"}, "乡镇", None),
    "T4-2": ("2021", {"t4.suit_direct.total": "+1"}, "乡镇", None),
    "T4-3": ("2021", {"t4.suit_after_review.total": "+1"}, "乡镇", None),
    "T4-4": ("2021", {"t4.review.upheld": 1.5}, "乡镇", None),
    "T2-1": ("2021", {"t2.normative.in_force": "+5"}, "县级政府部门", {}),
    "T2-2": ("2021", {"t2.normative.issued": 50, "t2.normative.repealed": 0,
                      "t2.normative.in_force": 10}, "县级政府部门", None),
    "T2-3": ("2021", {"t2.fees.amount": 3256000}, "乡镇", None),
    "T2-4": ("2021", {"t2.licensing.decisions": -1}, "乡镇", None),
    "T2-5": ("2019", {"t2.licensing.prev_items": "+4"}, "乡镇", {}),
    "T2-6": ("2019", {"t2.normative.published": 30, "t2.normative.total": 12}, "县级政府部门", None),
    "T2-7": ("2019", {"t2.procurement.amount": "251000元"}, "乡镇", None),
    "T2-8": ("2021", {"t2.rules.issued": 1, "t2.rules.in_force": 6}, "乡镇", None),
    "T3-7": ("2021", {"text.overview": "全年共收到政府信息公开申请 999 件，均按时答复。"}, "乡镇", None),
    "T4-5": ("2021", {"t4.review.upheld": 2,
                      "text.overview": "本年度未发生因政府信息公开引起的行政复议。"}, "乡镇", None),
    "T2-9": ("2021", {"t2.normative.issued": 3, "text.overview": "本年度制发行政规范性文件 9 件。"},
             "县级政府部门", None),
    "N-1": ("2021", {"text.overview": "全年主动公开政府信息120条，其中工作动态50条、通知公告40条、"
                                      "政策文件20条。"}, "乡镇", None),
    "N-2": ("2021", {"text.overview": "全年收到政府信息公开申请数量同比增加5件。"}, "乡镇", {}),
    "S-2": [("2021", {"t3.results_total.natural": 7}, "乡镇", None),
            ("2021", {"info.year": 2020}, "乡镇", None)],
    "S-5": ("2021", {"text.other": "无其他需要报告的事项。"}, "乡镇", None),
    "S-6": ("2021", {}, "乡镇", {}),
    "S-7": ("2021", {"t4.review.upheld": None}, "乡镇", None),
    "S-8": ("2021", {"info.phone": None}, "乡镇", None),
    "R-1": ("2021", {"t3.public.natural": "５件"}, "乡镇", None),
    "R-2": ("2021", {"t3.public.natural": "无"}, "乡镇", None),
}
