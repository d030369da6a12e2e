"""The one verdict: 通过 / 待核实 / 未通过 / 无法读取, from findings.

``check``, ``merge`` (明细, JSON), the Excel button and ``export`` all decide
with :func:`verdict`, so a workbook never passes in one place and waits for
verification in another.
"""

from __future__ import annotations

VERDICTS = {
    "pass": "通过",
    "verify": "待核实",
    "fail": "未通过",
    "unreadable": "无法读取",
}
EXIT_CODES = {"pass": 0, "verify": 0, "fail": 1, "unreadable": 2}


def verdict(findings, readable: bool = True, strict: bool = False) -> str:
    """``pass`` | ``verify`` | ``fail`` | ``unreadable``.

    Any 错误 fails; a 核实 finding without the clerk's explanation (see
    ``Finding.explained``) leaves the workbook waiting for verification — or
    fails it with ``strict``; explained 核实 findings and 提示 pass.
    """
    if not readable:
        return "unreadable"
    errors = unexplained = 0
    for f in findings:
        if f.severity == "error":
            errors += 1
        elif f.severity == "verify" and not f.explained:
            unexplained += 1
    if errors or (strict and unexplained):
        return "fail"
    return "verify" if unexplained else "pass"


def verdict_label(v: str) -> str:
    return VERDICTS[v]


def may_export(findings) -> bool:
    """``export`` publishes only what does not fail (核实 items do not block it)."""
    return verdict(findings) != "fail"
