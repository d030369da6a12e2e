"""``check``: read a workbook, apply every rule, return the result as data."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from .. import __version__
from ..errors import UnreadableWorkbook, XxgkError, internal_error_message
from .findings import JSON_SCHEMA_VERSION, count, finding, findings_frame_of, frame_row
from .report import Report, read_report
from .narrative import narrative_of
from .rules import evaluate

from .verdict import EXIT_CODES, VERDICTS, verdict  # noqa: F401  (VERDICTS re-exported)


@dataclass
class CheckResult:
    file: str
    report: Report | None = None
    findings: list = field(default_factory=list)
    error: str = ""  # why the file could not be read
    strict: bool = False
    claims: list = field(default_factory=list)  # narrative.Claim: what the 正文 says about the tables
    previous_problem: str = ""  # why the given previous report is not this one's last year ("" if it is)

    @property
    def readable(self) -> bool:
        return self.report is not None

    @property
    def counts(self) -> dict:
        return count(self.findings)

    @property
    def verdict(self) -> str:
        """pass | verify | fail | unreadable."""
        return verdict(self.findings, self.readable, self.strict)

    @property
    def verdict_label(self) -> str:
        return VERDICTS[self.verdict]

    @property
    def exit_code(self) -> int:
        return EXIT_CODES[self.verdict]

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
          strict: bool = False, refuse_other_previous: bool = False,
          timeout: float | None = None, memory_mb: int | None = None) -> CheckResult:
    """Check one workbook.  Never raises for a bad input file: an unreadable
    file gives a result with ``verdict == "unreadable"`` and the reason.

    ``previous`` (last year's workbook or its Report) enables cross-year rules;
    if it cannot be read, :class:`UnreadableWorkbook` is raised.  With
    ``refuse_other_previous`` (the CLI's ``--previous``), a previous report of
    another unit or of a year other than the one before raises :class:`XxgkError`
    naming both.  Each file is read under a time and memory budget
    (``toolkit.budget``; defaults there).
    """
    from ..budget import DEFAULT_MEMORY_MB, DEFAULT_TIMEOUT, BudgetExceeded, file_budget
    timeout = DEFAULT_TIMEOUT if timeout is None else timeout
    memory_mb = DEFAULT_MEMORY_MB if memory_mb is None else memory_mb
    if isinstance(previous, (str, Path)):
        try:
            with file_budget(timeout=timeout, memory_mb=memory_mb):
                prev = read_report(previous)
        except BudgetExceeded as exc:
            raise UnreadableWorkbook(previous, str(exc)) from None
    else:
        prev = previous
    try:
        with file_budget(timeout=timeout, memory_mb=memory_mb):
            rep = read_report(path)
            problem = previous_problem(rep, prev) if prev is not None and refuse_other_previous else ""
            if not problem:
                result = check_report(path, rep, prev, strict)
    except UnreadableWorkbook as exc:
        return CheckResult(file=str(path), error=exc.reason, strict=strict)
    except BudgetExceeded as exc:
        return CheckResult(file=str(path), error=str(exc), strict=strict)
    except Exception as exc:  # noqa: BLE001 — a bug of ours must not stop a batch of files
        return CheckResult(file=str(path), error=internal_error_message(exc), strict=strict)
    if problem:
        raise XxgkError(problem)
    return result


def check_report(path, rep: Report, prev: Report | None = None, strict: bool = False) -> CheckResult:
    """The result of ``check`` for a report already read."""
    findings = evaluate(rep, prev)
    claims = narrative_of(rep, prev)[0] if rep.kind == "template" else []
    return CheckResult(file=str(path), report=rep, findings=findings, strict=strict, claims=claims)


def previous_problem(rep: Report, prev: Report) -> str:
    """Why ``prev`` cannot be this report's last year (another unit, not the year before), or ""."""
    from ..names import name_key
    here, there = Path(str(rep.path)).name, Path(str(prev.path)).name
    if rep.unit and prev.unit and prev.kind != "summary" and name_key(rep.unit) != name_key(prev.unit):
        return (f"--previous 给出的“{there}”是“{prev.unit}”的报告，而“{here}”是“{rep.unit}”的报告；"
                "请给出同一单位上一年度的报告")
    if rep.year is not None and prev.year is not None and prev.year != rep.year - 1:
        return (f"--previous 给出的“{there}”是 {prev.year} 年度的报告，而“{here}”是 {rep.year} 年度的；"
                f"请给出 {rep.year - 1} 年度的报告")
    return ""


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
