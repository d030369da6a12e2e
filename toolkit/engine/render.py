"""Render check results for the terminal (plain text, Chinese)."""

from __future__ import annotations

from ..outputs import terminal_text
from .findings import SEVERITY_LABELS, TABLE_LABELS

# Characters that exist in GBK too: Windows consoles and redirected output use code page 936.
_MARKS = {"error": "×", "verify": "？", "hint": "·"}


def render_result(result, show_hints: bool = True) -> str:
    """Findings grouped by table and severity, then the one-line verdict."""
    lines = []
    if result.readable:
        groups: dict = {}
        for f in result.findings:
            if f.severity == "hint" and not show_hints:
                continue
            groups.setdefault(f.table, {}).setdefault(f.severity, []).append(f)
        for table in TABLE_LABELS:
            if table not in groups:
                continue
            lines.append(f"  {TABLE_LABELS[table]}")
            for sev in ("error", "verify", "hint"):
                for f in groups[table].get(sev, []):
                    extra = ""
                    if sev == "verify":
                        extra = f"（已说明：{f.explanation}）" if f.explained else "（需填写情况说明）"
                    lines.append(f"    {_MARKS[sev]} [{SEVERITY_LABELS[sev]} {f.rule}] {f.message}{extra}")
    lines.append(result.summary_line())
    if result.readable and result.counts["unexplained_verify"]:
        lines.append("  核实项确属实的，请在工作簿“校验结果”表的“情况说明”栏写明理由（至少 6 个字）："
                     "用 Excel 中的“校验”按钮，或 xxgk check 文件 --annotate 副本.xlsx 生成该表。")
    # Unit names, file names and quoted values come from the input: a newline in
    # them must not forge an output line, so each line is rendered as one line.
    return "\n".join(terminal_text(line) for line in lines)
