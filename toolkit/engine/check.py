"""``check``: read a workbook, apply every rule, return the result as data."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from .. import __version__
from ..errors import UnreadableWorkbook
from .findings import JSON_SCHEMA_VERSION, count, finding, findings_frame_of, frame_row
from .report import Report, read_report
from .rules import evaluate, narrative_of

VERDICTS = {
    "pass": "通过",
    "verify": "待核实",
    "fail": "未通过",
    "unreadable": "无法读取",
}


@dataclass
class CheckResult:
    file: str
    report: Report | None = None
    findings: list = field(default_factory=list)
    error: str = ""  # why the file could not be read
    strict: bool = False
    claims: list = field(default_factory=list)  # narrative.Claim: what the 正文 says about the tables

    @property
    def readable(self) -> bool:
        return self.report is not None

    @property
    def counts(self) -> dict:
        return count(self.findings)

    @property
    def verdict(self) -> str:
        """pass | verify | fail | unreadable."""
        if not self.readable:
            return "unreadable"
        c = self.counts
        if c["error"] or (self.strict and c["unexplained_verify"]):
            return "fail"
        if c["unexplained_verify"]:
            return "verify"
        return "pass"

    @property
    def verdict_label(self) -> str:
        return VERDICTS[self.verdict]

    @property
    def exit_code(self) -> int:
        return {"pass": 0, "verify": 0, "fail": 1, "unreadable": 2}[self.verdict]

    @property
    def unit(self) -> str:
        return self.report.unit if self.report else ""

    def summary_line(self) -> str:
        name = Path(self.file).name
        if not self.readable:
            return f"【{self.verdict_label}】{name}：{self.error}"
        c = self.counts
        unit = self.unit or "（未填单位名称）"
        parts = f"错误 {c['error']} 项，核实 {c['verify']} 项"
        if c["verify"]:
            parts += f"（未说明 {c['unexplained_verify']} 项）"
        parts += f"，提示 {c['hint']} 项"
        return f"【{self.verdict_label}】{name}（{unit}，{self.report.edition}版）：{parts}"

    def to_dict(self) -> dict:
        rep = self.report
        return {
            "schema": JSON_SCHEMA_VERSION,
            "tool": f"xxgk {__version__}",
            "file": str(self.file),
            "unit": rep.unit if rep else None,
            "unit_type": rep.unit_type if rep else None,
            "year": rep.year if rep else None,
            "edition": rep.edition if rep else None,
            "verdict": self.verdict,
            "verdict_label": self.verdict_label,
            "error": self.error or None,
            "counts": self.counts if rep else None,
            "findings": [f.to_dict() for f in self.findings],
            "claims": [c.to_dict() for c in self.claims],
        }


def check(path: str | Path, previous: str | Path | Report | None = None,
          strict: bool = False) -> CheckResult:
    """Check one workbook.  Never raises for a bad input file: an unreadable
    file gives a result with ``verdict == "unreadable"`` and the reason.

    ``previous`` (last year's workbook or its Report) enables cross-year rules;
    if it cannot be read, :class:`UnreadableWorkbook` is raised.
    """
    prev = read_report(previous) if isinstance(previous, (str, Path)) else previous
    try:
        rep = read_report(path)
    except UnreadableWorkbook as exc:
        return CheckResult(file=str(path), error=exc.reason, strict=strict)
    return _result(path, rep, prev, strict)


def _result(path, rep: Report, prev: Report | None, strict: bool = False) -> CheckResult:
    findings = evaluate(rep, prev)
    claims = narrative_of(rep, prev)[0] if rep.kind == "template" else []
    return CheckResult(file=str(path), report=rep, findings=findings, strict=strict, claims=claims)


def check_task(path: str, previous: Report | None, timeout: float) -> CheckResult:
    """One file of ``check_files`` (runs in a pool worker); never raises."""
    from ..merge.run import guarded

    def body():
        return _result(path, read_report(path), previous or None)

    return guarded(path, timeout, body, _unreadable)


def _unreadable(path: str, reason: str) -> CheckResult:
    return CheckResult(file=str(path), error=reason)


check_task.unreadable = _unreadable


def check_files(paths: list, previous: str | Path | Report | None = None, strict: bool = False,
                workers: int | None = None, timeout: float | None = None,
                progress=None) -> list[CheckResult]:
    """Check many workbooks in the process pool ``merge`` uses (same per-file
    timeout, same progress callback); results in the order of ``paths``.
    Raises :class:`UnreadableWorkbook` only when ``previous`` cannot be read."""
    from ..merge.run import DEFAULT_TIMEOUT, run_checks
    prev = read_report(previous) if isinstance(previous, (str, Path)) else previous
    results = run_checks(paths, prev, workers=workers,
                         timeout=DEFAULT_TIMEOUT if timeout is None else timeout,
                         progress=progress, task=check_task)
    for r in results:
        r.strict = strict
    return results


def findings_frame(results):
    """A pandas DataFrame of findings, one row per finding (``findings.FRAME_COLUMNS``)."""
    if isinstance(results, CheckResult):
        results = [results]
    rows = []
    for r in results:
        edition = r.report.edition if r.report else None
        rows += [frame_row(f, r.file, r.unit, edition) for f in r.findings]
        if not r.readable:
            rows.append(frame_row(finding("FILE", table="file", reason=r.error), r.file))
    return findings_frame_of(rows)
