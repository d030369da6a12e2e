"""``xxgk check`` of many files: the checks of :func:`toolkit.engine.check.check`, run
in the process pool ``merge`` uses (same per-file timeout, same progress callback).

Here, not in ``engine.check``: the pool lives in ``merge.run``, whose summary side
imports ``marks``, which imports ``engine.check`` (no import cycle).
"""

from __future__ import annotations

from pathlib import Path

from ..engine.check import CheckResult, check_report, previous_problem
from ..engine.report import Report, read_report
from ..errors import XxgkError
from .run import DEFAULT_TIMEOUT, guarded, run_checks


def check_task(entry, previous: Report | None, timeout: float) -> CheckResult:
    """One file of ``check_files`` (runs in a pool worker); never raises."""
    path = getattr(entry, "path", entry)

    def body():
        rep = read_report(path)
        r = check_report(path, rep, previous or None)
        if previous:
            r.previous_problem = previous_problem(rep, previous)
        return r

    return guarded(path, timeout, body, _unreadable)


def _unreadable(entry, reason: str) -> CheckResult:
    return CheckResult(file=str(getattr(entry, "path", entry)), error=reason)


check_task.unreadable = _unreadable


def check_files(paths: list, previous: str | Path | Report | None = None, strict: bool = False,
                workers: int | None = None, timeout: float | None = None,
                progress=None, refuse_other_previous: bool = False) -> list[CheckResult]:
    """Check many workbooks in the process pool ``merge`` uses (same per-file
    timeout, same progress callback); results in the order of ``paths``.
    Raises :class:`UnreadableWorkbook` only when ``previous`` cannot be read,
    and :class:`XxgkError` as :func:`check` does with ``refuse_other_previous``."""
    prev = read_report(previous) if isinstance(previous, (str, Path)) else previous
    results = run_checks(paths, prev, workers=workers,
                         timeout=DEFAULT_TIMEOUT if timeout is None else timeout,
                         progress=progress, task=check_task)
    for r in results:
        r.strict = strict
        if refuse_other_previous and r.previous_problem:
            raise XxgkError(r.previous_problem)
    return results
