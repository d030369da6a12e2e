"""What the template's two writers (openpyxl: ``template``; XlsxWriter: ``layout``,
``macro_template``, the merge summary) share, importing neither writer library: the
meta sheet's keys, the data validations, the print area. The summary writer imports
this, not ``template``: openpyxl with numpy is ~25 MB that ``xxgk merge`` need not hold.
"""

from __future__ import annotations

from .. import spec as E
from ..spec.model import Edition, SheetLayout
from .cellref import col_letters

META_KEYS = ("edition", "template_version", "fingerprint", "kind")

# (type) -> DataValidation keyword arguments and Chinese messages.
VALIDATIONS = {
    "count": dict(type="whole", operator="greaterThanOrEqual", formula1="0",
                  promptTitle="填写数量", prompt="请填写不小于 0 的整数；没有请填 0。",
                  errorTitle="输入有误", error="这里只能填写不小于 0 的整数（阿拉伯数字），没有请填 0。"),
    "signed": dict(type="whole", operator="between", formula1="-1000000000", formula2="1000000000",
                   promptTitle="填写增减数", prompt="请填写整数，减少时填负数（如 -3）。",
                   errorTitle="输入有误", error="这里只能填写整数，减少时填负数（如 -3）。"),
    "amount": dict(type="decimal", operator="greaterThanOrEqual", formula1="0",
                   promptTitle="填写金额", prompt="请以万元为单位填写数字，可含小数；没有请填 0。",
                   errorTitle="输入有误", error="这里只能填写不小于 0 的数字（单位：万元），不要填写“元”“万元”等文字。"),
    "year": dict(type="whole", operator="between", formula1=str(E.FIRST_YEAR), formula2="2100",
                 promptTitle="报告年度", prompt="请填写报告所属年度（四位数字），如 2021。",
                 errorTitle="输入有误", error=f"报告年度应为 {E.FIRST_YEAR} 至 2100 之间的四位数字。"),
    "choice": dict(type="list", formula1='"' + ",".join(E.UNIT_TYPES) + '"',
                   promptTitle="单位类型", prompt="请从下拉列表中选择单位类型。",
                   errorTitle="输入有误", error="请从下拉列表中选择：" + "、".join(E.UNIT_TYPES) + "。"),
    "text": dict(type="textLength", operator="lessThanOrEqual", formula1="32000",
                 promptTitle="填写内容", prompt="必填项。",
                 errorTitle="输入有误", error="内容过长（不超过 32000 字）。"),
    # One paragraph of a 正文 section (kind "text"; toolkit.spec.paragraphs).
    "paragraph": dict(type="textLength", operator="lessThanOrEqual", formula1=str(E.TEXT_PARAGRAPH_MAX),
                      promptTitle="填写正文", prompt=E.TEXT_PARAGRAPH_HINT,
                      errorTitle="段落过长", error=E.TEXT_PARAGRAPH_HINT),
}


def print_area(lay: SheetLayout) -> str:
    """The print area of ``lay``: its own, or A1 to the last drawn row of ``max_col``."""
    if lay.print_area:
        return lay.print_area
    max_row = max(int("".join(ch for ch in a if ch.isdigit())) for a in lay.cells)
    return f"A1:{col_letters(lay.max_col)}{max_row}"


def validation_targets(lay: SheetLayout, edition: Edition):
    """``(address, type)`` of every cell of ``lay`` a user fills (all but totals)."""
    for addr, lc in lay.cells.items():
        c = edition.by_id[lc.cell_id] if lc.cell_id else None
        if c is not None and c.kind != "total":
            yield addr, "paragraph" if c.kind == "text" else c.type
