"""``merge``: check every workbook of a folder and sum them into one summary.

The district's main job.  Each workbook is checked with the same engine as
``xxgk check`` (``report.read_report`` + ``rules.evaluate``) in a pool of
worker processes; one bad or slow file never stops the merge.  The merge
then applies the rules that only make sense across files (duplicates, wrong
edition or year, roster, year-over-year swings), sums the units that can be
summed and hands everything to :mod:`toolkit.merge.summary`.

Rules of the merge (M-*, declared in ``toolkit.spec.catalogue``; docs/merge.md):

* a workbook's unit is the 单位名称 on its cover sheet, never its file name;
* two or more workbooks of the same unit are all flagged (错误) and **none
  of them is summed**: the tool cannot know which one is right, and summing
  one of them silently would hide the problem;
* workbooks of another edition or report year than ``--year`` (or, without
  it, the majority) are flagged (错误) and not summed;
* everything else that could be read is summed, errors or not: the
  summary's cells carry notes naming the units whose errors touch them.
"""

from __future__ import annotations

import math
import os
import signal
import threading
import time
from collections import Counter
from concurrent.futures import FIRST_COMPLETED, ProcessPoolExecutor, wait
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from .. import __version__
from ..budget import DEFAULT_MEMORY_MB, BudgetExceeded, file_budget
from ..errors import UnreadableWorkbook, XxgkError, internal_error_message
from ..engine.findings import (SEVERITIES, CellRef, Finding, finding, findings_frame_of, frame_row,
                               sort_findings)
from ..engine.report import Report, _fmt, read_report
from ..engine.rules import evaluate
from ..spec import DEFAULT_EDITION, edition_for_year, get_edition
from .columns import DATA_TABLES, _column_index, data_columns, leaves, norm_name  # noqa: F401
from ..names import name_key, tidy_name
from .inbox import Entry, discover_inbox, load_report, next_step
from .roster import Roster, read_roster  # noqa: F401 — read_roster is part of this module's API

SUMMARY_SHEETS = {"detail": "明细", "issues": "问题清单", "charts": "图表", "about": "说明"}
DEFAULT_TIMEOUT = 60.0
JSON_SCHEMA_VERSION = 1

# Year-over-year swing rule (M-6): these cells, factor and minimum difference.
SWING_CELLS = ("t3.new.total", "t4.review.total", "t4.suit_direct.total",
               "t4.suit_after_review.total")
SWING_FACTOR = 3
SWING_MIN_DIFF = 10
SWING_RULE = "M-6"

_NAME_SUFFIXES = ("人民政府", "街道办事处", "办事处", "政府")
PREFER_CHOICES = ("newest",)
_FILE_NOISE = ("政府信息公开工作年度报告", "政府信息公开", "年度报告", "工作年报", "年报", "报告",
               "数据填报表", "填报表", "修改版", "最终版", "终稿", "定稿", "汇总")


def involved_cells(f: Finding) -> set:
    """This year's cell ids a finding is about (operands and the inputs behind them)."""
    out = {c.cell_id for c in f.cells if c.cell_id and not str(c.path).startswith("上年/")}
    out.update(f.related)
    return out


# ---------------------------------------------------------------------------
# Per-file results
# ---------------------------------------------------------------------------


@dataclass
class UnitResult:
    """One workbook of the folder, checked.  Compact: fit for 10,000 of them."""

    file: str
    error: str = ""  # why it could not be read ("" when readable)
    unit: str = ""
    unit_type: str = ""
    county: str = ""
    year: int | None = None
    edition: str = ""
    kind: str = ""
    values: tuple = ()  # aligned with data_columns(edition); totals recomputed
    invalid: frozenset = frozenset()
    overwritten: frozenset = frozenset()
    findings: list = field(default_factory=list)  # Finding, sorted
    bad_year: bool = False  # a report year was typed but is no plausible year (99999, 1e10)
    included: bool = False  # summed into 汇总
    excluded_reason: str = ""  # why not (duplicate, edition, year)
    label: str = ""  # as shown: path relative to the folder, or 压缩包/成员
    source: str = "xlsx"  # xlsx | sheet (.xls/.ods… read by calamine) | import (由报告导入)
    notes: tuple = ()  # how a non-.xlsx file was read (import notes)
    next_step: str = ""  # what to do about a file that was not counted
    mtime: float = 0.0
    members: tuple = ()  # a summary's units (name keys of its 明细 rows)
    roster_name: str = ""  # the roster's name this unit was matched to
    unit_from_file: bool = False  # the cover's unit name was blank: taken from the file name
    filled: str = ""  # the cover's 填报日期 as typed

    @property
    def readable(self) -> bool:
        return not self.error

    @property
    def display(self) -> str:
        """The file as the user knows it (relative path, or 压缩包/成员)."""
        return self.label or Path(self.file).name

    @property
    def key(self) -> str:
        """Identity of the unit: the roster's name when matched, else the normalised name."""
        return name_key(self.roster_name or self.unit)

    @property
    def status(self) -> str:
        """counted | counted_with_notes | not_counted (every file has exactly one)."""
        if not self.included:
            return "not_counted"
        c = self.counts
        if c["error"] or c["verify"] or self.source != "xlsx":
            return "counted_with_notes"
        return "counted"

    @property
    def status_label(self) -> str:
        return {"counted": "计入", "counted_with_notes": "计入（有问题或说明）",
                "not_counted": "未计入"}[self.status]

    @property
    def filled_date(self) -> tuple:
        """The cover's 填报日期 as (year, month, day), or () when absent or unreadable."""
        return _filled_date(self.filled)

    @property
    def name(self) -> str:
        """The unit's name for display (file name when the cover has none)."""
        return self.unit or f"（未填单位名称：{Path(self.file).name}）"

    def value(self, cell_id: str):
        i = _column_index(self.edition).get(cell_id)
        return None if i is None or not self.values else self.values[i]

    def value_dict(self) -> dict:
        return dict(zip(data_columns(self.edition), self.values)) if self.values else {}

    @property
    def counts(self) -> dict:
        c = Counter(f.severity for f in self.findings)
        return {s: c.get(s, 0) for s in SEVERITIES}

    @property
    def verdict(self) -> str:
        """The same verdict as ``check`` (explained 核实 findings pass)."""
        from ..engine.verdict import verdict
        return verdict(self.findings, self.readable)

    @property
    def verdict_label(self) -> str:
        from ..engine.verdict import VERDICTS
        return VERDICTS[self.verdict]


def unit_from_report(path: str, rep: Report, findings: list) -> UnitResult:
    cols = data_columns(rep.edition)
    return UnitResult(
        file=str(path), unit=tidy_name(rep.unit), unit_type=rep.unit_type,
        county=str(rep.info.get("county") or "").strip(), year=rep.year, edition=rep.edition,
        kind=rep.kind, values=tuple(rep.values.get(c, 0) for c in cols),
        invalid=frozenset(rep.invalid), overwritten=frozenset(rep.overwritten),
        findings=findings, filled=str(rep.info.get("date") or ""),
        bad_year=rep.year is None and rep.info.get("year") not in (None, ""))


def _filled_date(text: str) -> tuple:
    import re
    m = re.search(r"(\d{4})\D{1,3}(\d{1,2})\D{1,3}(\d{1,2})", text or "")
    return tuple(int(x) for x in m.groups()) if m else ()


def _as_entry(item) -> Entry:
    if isinstance(item, Entry):
        return item
    return Entry(str(item), Path(item).name)


# -- worker side ------------------------------------------------------------------

_PREVIOUS: dict = {}  # norm unit name -> Report of last year (set per worker)
_TIMEOUT: float = DEFAULT_TIMEOUT
_TASK = None  # what a worker does with one path (None: check_unit)


_INHERITED = "inherited"  # initargs marker: last year's reports came with fork()
_FOR_FORK = None  # what forked workers inherit (set by the parent around its pool)


def _init_worker(previous, timeout: float, task=None, parent: int | None = None) -> None:
    global _PREVIOUS, _TIMEOUT, _TASK
    if isinstance(previous, str) and previous == _INHERITED:
        previous = _FOR_FORK
    _PREVIOUS, _TIMEOUT, _TASK = previous, timeout, task
    try:  # workers must not die on the parent's Ctrl-C; the parent stops them
        signal.signal(signal.SIGINT, signal.SIG_IGN)
    except (ValueError, AttributeError):
        pass
    if parent is not None:
        _watch_parent(parent)


def _watch_parent(parent: int) -> None:
    """Exit this worker when the merge that started it dies (even by ``kill -9``).

    Linux: the kernel sends SIGKILL on the parent's death (``PR_SET_PDEATHSIG``).
    Everywhere else too: a daemon thread polls the parent pid once a second.
    """
    try:
        import ctypes
        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(1, signal.SIGKILL, 0, 0, 0)  # PR_SET_PDEATHSIG
    except Exception:  # noqa: BLE001 — not Linux
        pass
    if os.getppid() != parent:  # died before prctl took effect
        os._exit(3)

    def watch():
        while True:
            time.sleep(1.0)
            if os.getppid() != parent:
                os._exit(3)

    threading.Thread(target=watch, name="xxgk-parent-watch", daemon=True).start()


def timeout_message(timeout: float) -> str:
    return f"读取超时（超过 {_fmt(timeout)} 秒），文件可能过大或已损坏，已跳过"


def guarded(path: str, timeout: float, body, unreadable, memory_mb: int | None = DEFAULT_MEMORY_MB):
    """``body()`` under the per-file budget (``toolkit.budget``: time and memory); a problem
    becomes ``unreadable(path, reason)``.  Never raises: one bad file never stops a batch."""
    try:
        with file_budget(timeout=timeout, memory_mb=memory_mb):
            return body()
    except UnreadableWorkbook as exc:
        return unreadable(str(path), exc.reason)
    except XxgkError as exc:  # BudgetExceeded included: 读取超时… / 文件过大…
        return unreadable(str(path), str(exc))
    except Exception as exc:  # noqa: BLE001 — one bad file never stops a batch
        return unreadable(str(path), internal_error_message(exc))


def check_unit(path, previous: dict | None = None, timeout: float | None = None,
               memory_mb: int | None = DEFAULT_MEMORY_MB) -> UnitResult:
    """Read and check one file (a path or an :class:`Entry`).  Never raises: problems become ``error``."""
    entry = _as_entry(path)
    previous = _PREVIOUS if previous is None else previous
    timeout = _TIMEOUT if timeout is None else timeout
    u = guarded(entry.path, timeout, lambda: _check_entry(entry, previous),
                lambda p, reason: UnitResult(file=p, error=reason), memory_mb)
    return _placed(u, entry)


def _unreadable_unit(item, reason: str) -> UnitResult:
    entry = _as_entry(item)
    return _placed(UnitResult(file=entry.path, error=reason), entry)


check_unit.unreadable = _unreadable_unit


def _placed(u: UnitResult, entry: Entry) -> UnitResult:
    """Where the file was found (label, archive member) and what to do when it was not read."""
    u.label, u.mtime = entry.label, entry.mtime
    if entry.member:
        u.file = f"{entry.path}/{entry.member}"
    if not u.readable:
        u.next_step = next_step(entry, u.error)
    return u


def _check_entry(entry: Entry, previous: dict | None) -> UnitResult:
    path = entry.path
    loaded = load_report(entry)
    rep = loaded.report
    prev = previous.get(norm_name(rep.unit)) if previous and rep.unit else None
    findings = evaluate(rep, prev)
    if prev is not None:
        findings = findings + swing_findings(rep, prev)
    if loaded.source == "import":
        # A published report has no 填报人/联系电话/填报日期 (and often no 所属区县):
        # their absence is what the form is, not an error of the unit.
        dropped = [f for f in findings if f.rule == "S-8" and _only_cells(f, _NOT_IN_REPORTS)]
        findings = [f for f in findings if f not in dropped]
        if dropped:
            loaded.notes.append("报告中没有" + "、".join(
                rep.spec.by_id[i].label for i in sorted(_NOT_IN_REPORTS)
                if any(c.cell_id == i for f in dropped for c in f.cells)) + "，未核对")
    if loaded.source != "xlsx":
        findings.append(_form_finding(rep, loaded))
    u = unit_from_report(path, rep, sort_findings(findings))
    u.source, u.notes = loaded.source, tuple(loaded.notes)
    if rep.kind == "summary" and not entry.member:
        u.members = _summary_members(path, rep.edition)
    return u


_NOT_IN_REPORTS = frozenset({"info.county", "info.preparer", "info.phone", "info.date"})


def _only_cells(f: Finding, ids: frozenset) -> bool:
    return bool(f.cells) and all(c.cell_id in ids for c in f.cells)


def _form_finding(rep: Report, loaded) -> Finding:
    rule = "M-13" if loaded.source == "sheet" else "M-14"
    c = rep.spec.by_id["info.unit_name"]
    return finding(rule, table="file", cells=[CellRef(c.sheet, c.address, c.id, c.path, rep.unit)],
                   notes="；".join(loaded.notes))


def _summary_members(path: str, edition: str) -> tuple:
    """Name keys of the units in a summary's 明细 (empty when it cannot be read)."""
    from .lastyear import read_detail
    try:
        return tuple(sorted(read_detail(path, edition)))
    except Exception:  # noqa: BLE001 — a damaged 明细 only loses the stale-output check
        return ()


def _check_chunk(paths: list) -> list:
    task = _TASK or check_unit
    return [task(p, _PREVIOUS, _TIMEOUT) for p in paths]


def swing_findings(rep: Report, prev: Report) -> list:
    """M-6 hints: a key number changed by a factor ≥ 3 and by ≥ 10 since last year."""
    out = []
    for cid in SWING_CELLS:
        if cid not in rep.spec.by_id or cid not in prev.spec.by_id:
            continue
        if leaves(rep.edition, cid) & rep.invalid:
            continue
        now, before = rep.values.get(cid, 0), prev.values.get(cid, 0)
        hi, lo = max(now, before), min(now, before)
        if hi - lo < SWING_MIN_DIFF or hi < SWING_FACTOR * lo:
            continue
        c = rep.spec.by_id[cid]
        what = "增加" if now > before else "减少"
        f = finding(SWING_RULE, table="cross", cells=[rep.cellref(cid)], ref=c.ref, label=c.label,
                    now=_fmt(now), before=_fmt(before), what=what, previous=prev.path)
        f.lhs, f.rhs, f.diff = now, before, now - before
        out.append(f)
    return out


# ---------------------------------------------------------------------------
# Running the checks
# ---------------------------------------------------------------------------


def discover(folder: str | Path, recursive: bool = False, exclude=()) -> list[Path]:
    """Every .xlsx/.xlsm in ``folder``, skipping Excel lock files and hidden files."""
    folder = Path(folder)
    if not folder.exists():
        raise XxgkError(f"文件夹不存在：{folder}")
    if not folder.is_dir():
        raise XxgkError(f"不是文件夹：{folder}（请给出存放各单位报告的文件夹）")
    excluded = {Path(p).resolve() for p in exclude}
    found = []
    walker = folder.rglob("*") if recursive else folder.iterdir()
    for p in walker:
        rel = p.relative_to(folder)
        if any(part.startswith((".", "~$")) for part in rel.parts):
            continue
        if p.suffix.lower() not in (".xlsx", ".xlsm") or not p.is_file():
            continue
        if p.resolve() in excluded:
            continue
        found.append(p)
    return sorted(found, key=lambda p: str(p.relative_to(folder)))


def _chunks(items: list, size: int) -> list:
    return [items[i:i + size] for i in range(0, len(items), size)]


def run_checks(paths: list, previous=None, workers: int | None = None,
               timeout: float = DEFAULT_TIMEOUT, progress=None, task=None) -> list:
    """Check every path or :class:`Entry` (in a process pool when worthwhile); results in input order.

    ``task(entry, previous, timeout)`` checks one file (default :func:`check_unit`;
    ``xxgk check`` of a folder uses ``toolkit.merge.checks.check_task``); it must
    be a module-level function with an ``unreadable(entry, reason)`` attribute,
    and its result's ``file`` is the entry's path (``archive/member`` for a member).
    """
    paths = [_as_entry(p) for p in paths]
    task = task or check_unit
    previous = previous if previous is not None else {}
    n = len(paths)
    workers = workers or min(os.cpu_count() or 1, 8)
    results: dict = {}

    def done(items):
        for r in items:
            results[_result_key(r)] = r
        if progress:
            progress(len(results), n)

    if workers <= 1 or n < 24:
        for p in paths:
            done([task(p, previous, timeout)])
    else:
        size = max(4, min(128, n // (workers * 6) or 1))
        pool_task = None if task is check_unit else task
        stalled = _run_pool(_chunks(paths, size), previous, timeout, workers, done, pool_task)
        # A chunk that hung in a way the worker's own timer could not stop:
        # retry its files one by one, so only the guilty file is given up.
        for p in stalled:
            if _entry_key(p) in results:
                continue
            left = _run_pool([[p]], previous, timeout, 1, done, pool_task)
            for q in left:
                done([task.unreadable(q, timeout_message(timeout))])
    return [results[_entry_key(p)] for p in paths]


def _entry_key(e: Entry) -> str:
    return f"{e.path}/{e.member}" if e.member else e.path


def _result_key(u) -> str:
    return u.file


def _run_pool(chunks: list, previous, timeout: float, workers: int, done, task=None) -> list:
    """Run chunks in a pool; returns the paths of chunks that never finished."""
    global _FOR_FORK
    stall = (timeout or DEFAULT_TIMEOUT) * 2 + 30
    # Last year's reports (10,000 units: tens of MB pickled) are not sent to each
    # worker when workers are forked: they inherit them, shared copy-on-write.
    import multiprocessing
    if previous and multiprocessing.get_start_method(allow_none=False) == "fork":
        _FOR_FORK, previous = previous, _INHERITED
    ex = ProcessPoolExecutor(max_workers=min(workers, len(chunks)), initializer=_init_worker,
                             initargs=(previous, timeout, task, os.getpid()))
    pending = {ex.submit(_check_chunk, c): c for c in chunks}
    leftover: list = []
    try:
        while pending:
            finished, _ = wait(pending, timeout=stall, return_when=FIRST_COMPLETED)
            if not finished:  # nothing finished for too long: give up on the rest
                for c in pending.values():
                    leftover.extend(c)
                _kill(ex)
                return leftover
            for fut in finished:
                chunk = pending.pop(fut)
                try:
                    done(fut.result())
                except Exception:  # noqa: BLE001 — a worker died (crash, OOM kill)
                    leftover.extend(chunk)
    finally:
        ex.shutdown(wait=not leftover, cancel_futures=True)
        _FOR_FORK = None
    return leftover


def _kill(ex: ProcessPoolExecutor) -> None:
    """Stop the pool's worker processes (only the ones this pool started)."""
    for proc in list((getattr(ex, "_processes", None) or {}).values()):
        try:
            proc.kill()
        except Exception:  # noqa: BLE001
            pass


# ---------------------------------------------------------------------------
# Last year
# ---------------------------------------------------------------------------


def load_previous(path: str | Path, recursive: bool = False, timeout: float = DEFAULT_TIMEOUT):
    """Last year's reports by unit: ``{norm unit name: Report}``.

    ``path`` is last year's summary workbook (per-unit values come from its
    明细 sheet, held compactly by a read-only mapping that builds each unit's
    Report when it is looked up: :class:`toolkit.merge.lastyear.LastYear`),
    a single report workbook, or a folder of reports (a dict).
    """
    path = Path(path)
    out: dict = {}
    if path.is_dir():
        for p in discover(path, recursive):
            try:
                with file_budget(timeout=timeout, memory_mb=DEFAULT_MEMORY_MB):
                    rep = read_report(p)
            except (UnreadableWorkbook, BudgetExceeded):
                continue
            except Exception:  # noqa: BLE001 — one bad file of last year never stops the merge
                continue
            if rep.unit:
                out.setdefault(norm_name(rep.unit), rep)
        return out
    try:
        with file_budget(timeout=timeout, memory_mb=DEFAULT_MEMORY_MB):
            rep = read_report(path)  # raises UnreadableWorkbook with a Chinese reason
            if rep.kind == "summary":
                from .lastyear import read_detail, release_free_memory  # not .summary: no openpyxl
                last = read_detail(path, rep.edition, share=True)  # compact: see toolkit.merge.lastyear
                last.set_year(rep.year)
                release_free_memory()  # before the workers are forked
                return last
    except BudgetExceeded as exc:
        raise UnreadableWorkbook(path, str(exc)) from None
    if rep.unit:
        out[norm_name(rep.unit)] = rep
    return out


def check_previous_year(prev: dict, year: int, source) -> None:
    """``--previous`` must be of the year before ``year``: refuse anything else, naming both."""
    years = sorted(prev.years() if hasattr(prev, "years") else
                   {r.year for r in prev.values() if r.year is not None})
    wrong = [y for y in years if y != year - 1]
    if wrong:
        raise XxgkError(f"--previous 给出的“{Path(str(source)).name}”是 {wrong[0]} 年度的报告，"
                        f"本次是 {year} 年度，应使用上一年度（{year - 1} 年度）的报告")


# ---------------------------------------------------------------------------
# Roster
# ---------------------------------------------------------------------------


# read_roster: see toolkit/merge/roster.py (imported above).


# ---------------------------------------------------------------------------
# The merge
# ---------------------------------------------------------------------------


@dataclass
class MergeResult:
    """Everything a merge found and summed; rendered by the summary writer."""

    folder: str
    output: str = ""
    units: list = field(default_factory=list)  # UnitResult, file order (unreadable too)
    edition: str = DEFAULT_EDITION
    year: int | None = None
    name: str = ""  # 单位名称 of the summary
    county: str = ""
    totals: dict = field(default_factory=dict)  # cell id -> summed value (inputs and totals)
    # cell id -> [marks.summary.Doubt]: included units whose likely wrong inputs feed the cell
    contributors: dict = field(default_factory=dict)
    roster: list = field(default_factory=list)
    missing: list = field(default_factory=list)  # roster names without a workbook
    unexpected: list = field(default_factory=list)  # UnitResult not on the roster
    previous: str = ""
    created: str = ""
    elapsed: float = 0.0
    ignored: list = field(default_factory=list)  # (label, reason): lock/hidden/system files, own output
    prefer: str = ""  # "newest": differing resubmissions count the newer one

    @property
    def readable(self) -> list:
        return [u for u in self.units if u.readable]

    @property
    def unreadable(self) -> list:
        return [u for u in self.units if not u.readable]

    @property
    def included(self) -> list:
        return [u for u in self.units if u.included]

    @property
    def excluded(self) -> list:
        return [u for u in self.units if u.readable and not u.included]

    def all_findings(self) -> list:
        """(UnitResult | None, Finding) for every unit finding and every merge finding."""
        out = [(u, f) for u in self.units for f in u.findings]
        out += [(u, _file_finding(u)) for u in self.unreadable]
        out += [(None, _missing_finding(name)) for name in self.missing]
        return out

    @property
    def counts(self) -> dict:
        c = Counter(f.severity for _, f in self.all_findings())
        return {s: c.get(s, 0) for s in SEVERITIES}

    @property
    def exit_code(self) -> int:
        if self.unreadable:
            return 2
        return 1 if self.counts["error"] else 0

    def summary_line(self) -> str:
        c = self.counts
        noted = sum(1 for u in self.units if u.status == "counted_with_notes")
        line = (f"共 {len(self.units)} 个文件：计入汇总 {len(self.included)} 个（其中 {noted} 个有问题或说明），"
                f"未计入 {len(self.units) - len(self.included)} 个（无法读取 {len(self.unreadable)} 个）")
        if self.roster:
            line += f"；名单 {len(self.roster)} 个单位，未报送 {len(self.missing)} 个"
        return line + f"。问题：错误 {c['error']} 项，核实 {c['verify']} 项，提示 {c['hint']} 项"

    def file_lines(self) -> list:
        """One line per file that was not counted or was counted with notes, then the ignored files."""
        out = []
        for u in self.units:
            if u.status == "not_counted":
                why = u.error if not u.readable else u.excluded_reason
                step = u.next_step or _STEPS.get(u.excluded_reason.split("（")[0], "")
                out.append(f"  未计入：{u.display}：{why}" + (f"。{step}" if step else ""))
        for u in self.units:
            if u.status == "counted_with_notes":
                out.append(f"  计入（{_notes_of(u)}）：{u.display}")
        if self.ignored:
            out.append(f"  另有 {len(self.ignored)} 个临时文件、隐藏文件等未读取（已列入汇总表“说明”）："
                       + "、".join(label for label, _ in self.ignored[:5])
                       + ("等" if len(self.ignored) > 5 else ""))
        return out

    # -- pandas -----------------------------------------------------------------

    def values_frame(self):
        """Tidy long frame: unit, file, cell_id, path, table, value (+ included)."""
        import pandas as pd
        rows = []
        for u in self.readable:
            ed = get_edition(u.edition)
            for cid, v in zip(data_columns(u.edition), u.values):
                c = ed.by_id[cid]
                rows.append((u.unit, u.display, cid, c.path, c.table, v, u.included))
        return pd.DataFrame(rows, columns=["unit", "file", "cell_id", "path", "table", "value",
                                           "included"])

    def findings_frame(self):
        """One row per finding (unit findings, merge findings, unreadable files, missing units);
        the same frame as :func:`toolkit.engine.check.findings_frame`."""
        rows = [frame_row(f, u.display if u else None,
                          u.unit if u else f.cells[0].value if f.cells else None,
                          u.edition or None if u else None)
                for u, f in self.all_findings()]
        return findings_frame_of(rows)

    def totals_frame(self):
        import pandas as pd
        ed = get_edition(self.edition)
        return pd.DataFrame(
            [(cid, ed.by_id[cid].path, ed.by_id[cid].table, ed.by_id[cid].kind, v)
             for cid, v in self.totals.items()],
            columns=["cell_id", "path", "table", "kind", "value"])

    def export_csv(self, folder: str | Path, force: bool = False) -> list[Path]:
        """values.csv, findings.csv, totals.csv in UTF-8 with BOM (opens in Excel).

        Existing files are replaced only with ``force`` (all three are checked
        before any is written).  Text cells starting with ``= + - @ TAB CR``
        get a leading ``'`` so a spreadsheet never runs them as formulas.
        """
        from ..atomic import atomic_output
        from ..outputs import check_output, csv_safe
        folder = Path(folder)
        if folder.exists() and not folder.is_dir():
            raise XxgkError(f"--export-csv 需要一个文件夹，但“{folder}”是一个文件")
        inputs = [u.file for u in self.units] + ([self.previous] if self.previous else [])
        frames = (("values", self.values_frame()), ("findings", self.findings_frame()),
                  ("totals", self.totals_frame()))
        for name, _ in frames:
            check_output(folder / f"{name}.csv", inputs, force)
        folder.mkdir(parents=True, exist_ok=True)
        written = []
        for name, frame in frames:
            target = folder / f"{name}.csv"
            import pandas as pd
            for col in frame.columns:
                if not pd.api.types.is_numeric_dtype(frame[col]):
                    frame[col] = frame[col].map(csv_safe).astype(object)
            with atomic_output(target, force=force, inputs=inputs) as tmp:
                frame.to_csv(tmp, index=False, encoding="utf-8-sig")
            written.append(target)
        return written

    def to_dict(self) -> dict:
        accounting = [{"file": u.display, "status": u.status, "unit": u.unit or None,
                       "roster_name": u.roster_name or None, "source": u.source,
                       "reason": (u.error or u.excluded_reason) or None,
                       "next_step": (u.next_step or _STEPS.get(u.excluded_reason.split("（")[0], "")) or None,
                       "notes": list(u.notes)}
                      for u in self.units]
        return {
            "accounting": accounting,
            "ignored": [{"file": f, "reason": r} for f, r in self.ignored],
            "schema": JSON_SCHEMA_VERSION, "tool": f"xxgk {__version__}",
            "folder": self.folder, "output": self.output or None,
            "edition": self.edition, "year": self.year, "name": self.name,
            "files": len(self.units), "read": len(self.readable),
            "unreadable": [{"file": u.file, "error": u.error} for u in self.unreadable],
            "included": len(self.included),
            "excluded": [{"file": u.file, "unit": u.unit, "reason": u.excluded_reason}
                         for u in self.excluded],
            "roster": len(self.roster), "missing": list(self.missing),
            "unexpected": [u.unit for u in self.unexpected],
            "counts": self.counts, "exit_code": self.exit_code,
            "units": [{"file": u.file, "unit": u.unit or None, "verdict": u.verdict,
                       "included": u.included, "excluded_reason": u.excluded_reason or None,
                       "counts": u.counts if u.readable else None, "error": u.error or None}
                      for u in self.units],
            "elapsed_seconds": round(self.elapsed, 3),
        }


_STEPS = {"重复报送": "请只保留正确的一份后重新汇总（或加 --prefer newest 计入较新的一份）",
          "旧汇总表": "请把这个汇总表移出文件夹，再重新汇总",
          "较早报送的版本": "如需计入这一份，请删除较新的文件后重新汇总",
          "内容相同的重复文件": "可删除重复的文件"}


def _notes_of(u: UnitResult) -> str:
    parts = []
    if u.source == "sheet":
        parts.append(f"{Path(u.display).suffix.lstrip('.')} 格式，公式和保护无法核对")
    elif u.source == "import":
        parts.append("由报告导入")
    c = u.counts
    if c["error"]:
        parts.append(f"错误 {c['error']} 项")
    if c["verify"]:
        parts.append(f"核实 {c['verify']} 项")
    return "，".join(parts)


def _file_finding(u: UnitResult) -> Finding:
    return finding("FILE", "merge", table="file", cells=[CellRef(u.display, "")],
                   reason=u.error + (f"。{u.next_step}" if u.next_step else ""))


def _missing_finding(name: str) -> Finding:
    return finding("M-4", table="file", cells=[CellRef("", "", "info.unit_name", value=name)], unit=name)


def _unit_finding(u: UnitResult, rule: str, variant: str = "", cell_id: str = "info.unit_name",
                  **fields) -> None:
    ed = get_edition(u.edition)
    c = ed.by_id[cell_id]
    u.findings.append(finding(rule, variant, table="file",
                              cells=[CellRef(c.sheet, c.address, c.id, c.path, u.unit)], **fields))
    u.findings = sort_findings(u.findings)


def _file_core(stem: str) -> str:
    s = norm_name(stem)
    for noise in _FILE_NOISE:
        s = s.replace(noise, "")
    return "".join(ch for ch in s if not ch.isdigit() and ch not in "()（）-_.年度版第")


def _unit_core(unit: str) -> str:
    s = norm_name(unit)
    for suffix in _NAME_SUFFIXES:
        if s.endswith(suffix) and len(s) > len(suffix) + 1:
            return s[: -len(suffix)]
    return s


def _name_mismatch(u: UnitResult) -> bool:
    core, fcore = _unit_core(u.unit), _file_core(Path(u.display).stem)
    if not core or not fcore:
        return False
    return core not in fcore and fcore not in norm_name(u.unit)


def apply_merge_rules(result: MergeResult, target_year: int | None = None) -> None:
    """Decide edition/year, unit names, stale summaries, resubmissions, roster; which units are summed."""
    readable = result.readable
    years = Counter(u.year for u in readable if u.year is not None)
    if target_year is None and years:
        target_year = max(years.items(), key=lambda kv: (kv[1], kv[0]))[0]
    if target_year is not None:
        edition = edition_for_year(target_year)
    else:
        editions = Counter(u.edition for u in readable)
        edition = max(editions.items(), key=lambda kv: (kv[1], kv[0]))[0] if editions else DEFAULT_EDITION
    result.year, result.edition = target_year, edition
    for u in readable:
        u.included = True
        if u.edition != edition:
            u.included, u.excluded_reason = False, f"表格版本不符（{u.edition}版）"
            _unit_finding(u, "M-2", "edition", "info.year" if u.year else "info.unit_name",
                          edition=u.edition, want=edition,
                          target=f"{target_year}年度" if target_year else "")
        elif target_year is not None and u.bad_year:
            # A forged or mistyped year must not take part in the vote above nor
            # displace the unit's real report as a duplicate below.
            u.included, u.excluded_reason = False, "报告年度无效"
            _unit_finding(u, "M-2", "bad_year", "info.year", target_year=target_year)
        elif target_year is not None and u.year is not None and u.year != target_year:
            u.included, u.excluded_reason = False, f"报告年度不符（{u.year}年）"
            _unit_finding(u, "M-2", "year", "info.year", year=u.year, target_year=target_year)
    _blank_names(readable)
    roster = Roster(result.roster) if result.roster else None
    if roster:
        _match_roster(result, roster)
    _stale_summaries(readable)
    _resubmissions(readable, result.prefer)
    kinds = {u.kind for u in readable if u.included}
    if {"summary", "template"} <= kinds:
        for u in readable:
            if u.included and u.kind == "summary":
                _unit_finding(u, "M-7", file=u.display, name=u.name)
    for u in readable:
        if u.unit and not u.unit_from_file and _name_mismatch(u):
            _unit_finding(u, "M-3", file=u.display, unit=u.unit)
    if roster:
        present = {name_key(u.roster_name) for u in readable if u.roster_name}
        result.missing = [name for name in roster.names if name_key(name) not in present]


def _blank_names(readable: list) -> None:
    """A blank 单位名称 falls back to the file name (with a 核实): the file is never lost."""
    for u in readable:
        if u.unit:
            continue
        stem = Path(u.display).stem
        core = tidy_name(_file_core(stem))
        guess = core if len(core) >= 2 else tidy_name(stem)  # “r005” stays “r005”, not “r”
        u.unit, u.unit_from_file = guess, True
        _unit_finding(u, "M-12", file=Path(u.display).name, unit=guess)


def _match_roster(result: MergeResult, roster: Roster) -> None:
    for u in result.readable:
        m = roster.match(u.unit)
        if m.how == "exact":
            u.roster_name = m.name
        elif m.how == "near":
            u.roster_name = m.name
            _unit_finding(u, "M-11", "near", unit=u.unit, name=m.name)
        elif m.how == "ambiguous":
            result.unexpected.append(u)
            _unit_finding(u, "M-11", "ambiguous", unit=u.unit,
                          names="、".join(f"“{n}”" for n in m.candidates))
        else:
            result.unexpected.append(u)
            _unit_finding(u, "M-5", unit=u.unit)


def _stale_summaries(readable: list) -> None:
    """A summary whose units also sent their own reports here is an old output: left out."""
    summaries = [u for u in readable if u.included and u.kind == "summary"]
    if not summaries:
        return
    for s in summaries:
        if not s.members:
            continue
        others = {u.key for u in readable if u is not s and u.included and u.kind != "summary"}
        others |= {name_key(u.unit) for u in readable if u is not s and u.included and u.kind == "summary"}
        overlap = sorted(set(s.members) & others)
        if not overlap:
            continue
        s.included, s.excluded_reason = False, "旧汇总表（其中的单位另有报告）"
        names = "、".join(overlap[:3]) + ("等" if len(overlap) > 3 else "")
        _unit_finding(s, "M-8", file=s.display, name=s.name, count=len(overlap), names=names)


def _newness(u: UnitResult) -> tuple:
    return (u.filled_date or (0, 0, 0), u.mtime)


def _resubmissions(readable: list, prefer: str = "") -> None:
    """Several files of one unit: identical ones count once; differing ones need --prefer newest."""
    groups: dict = {}
    for u in readable:
        if u.included and u.unit:
            groups.setdefault(u.key, []).append(u)
    for group in groups.values():
        if len(group) < 2:
            continue
        group.sort(key=lambda u: (_newness(u), len(u.display), u.display))  # “甲.xlsx” before “甲(1).xlsx”
        kept: list = []
        for u in group:  # identical values (same edition): the first one received counts
            twin = next((k for k in kept if k.edition == u.edition and k.values == u.values), None)
            if twin is None:
                kept.append(u)
                continue
            u.included, u.excluded_reason = False, f"内容相同的重复文件（与 {twin.display} 相同）"
            _unit_finding(u, "M-9", unit=u.unit, file=u.display, twin=twin.display)
        if len(kept) < 2:
            continue
        kept.sort(key=_newness, reverse=True)
        files = "、".join(x.display for x in kept)
        newest, second = kept[0], kept[1]
        if prefer == "newest" and _newness(newest) > _newness(second):
            by = ("填报日期" if newest.filled_date and newest.filled_date != second.filled_date
                  else "文件修改时间")
            for u in kept[1:]:
                u.included, u.excluded_reason = False, f"较早报送的版本（已计入 {newest.display}）"
                _unit_finding(u, "M-10", unit=u.unit, count=len(kept), files=files, by=by,
                              newest=newest.display)
            continue
        for u in kept:
            u.included, u.excluded_reason = False, "重复报送（数据不同）"
            _unit_finding(u, "M-1", unit=u.unit, count=len(kept), files=files)


def sum_units(result: MergeResult) -> None:
    """汇总 values: inputs summed over the included units, totals recomputed."""
    ed = get_edition(result.edition)
    cols = data_columns(result.edition)
    sums = [0] * len(cols)
    for u in result.included:
        for i, v in enumerate(u.values):
            if v and math.isfinite(v):  # read_report bounds every value; never trust it blindly
                sums[i] += v
    inputs = {}
    for cid, v in zip(cols, sums):
        if ed.by_id[cid].kind == "input":
            inputs[cid] = round(v, 6) if isinstance(v, float) else v
    totals: dict = {}

    def total(cid):
        if cid not in totals:
            t = sum(total(i) if i in ed.formulas else inputs.get(i, 0) for i in ed.formulas[cid])
            totals[cid] = round(t, 6) if isinstance(t, float) else t
        return totals[cid]

    for cid in ed.formulas:
        total(cid)
    result.totals = {cid: (inputs[cid] if cid in inputs else totals[cid]) for cid in cols}
    # Which summary cells an error of an included unit reaches (toolkit.marks.summary).
    from ..marks.summary import summary_doubts
    touched = summary_doubts(result.included, ed, cols)
    result.contributors = touched


def _is_summary(path: Path) -> bool:
    """True when ``path`` is a summary workbook written by ``xxgk merge``."""
    try:
        with file_budget(timeout=DEFAULT_TIMEOUT, memory_mb=DEFAULT_MEMORY_MB):
            return read_report(path).kind == "summary"
    except Exception:  # noqa: BLE001 — unreadable: not ours to overwrite
        return False


def merge(folder: str | Path, output: str | Path | None = None, *, units: str | Path | None = None,
          previous: str | Path | None = None, year: int | None = None, recursive: bool = True,
          name: str | None = None, workers: int | None = None, timeout: float = DEFAULT_TIMEOUT,
          progress=None, force: bool = False, prefer: str | None = None) -> MergeResult:
    """Check and merge every file in ``folder`` (and its subfolders unless ``recursive`` is
    False); write the summary to ``output``.

    Every file found ends up counted or listed with the reason (``result.units``);
    only lock, hidden and system files are left out, listed in ``result.ignored``.

    Input files are never modified.  ``output`` is written atomically (and
    skipped when None: the result still holds everything for pandas).
    Raises :class:`XxgkError` only for problems with the arguments (missing
    folder, unreadable roster or last year's file, output exists).
    """
    t0 = time.perf_counter()
    folder = Path(folder)
    if prefer not in (None, "", *PREFER_CHOICES):
        raise XxgkError(f"--prefer 只能是：{'、'.join(PREFER_CHOICES)}")
    from ..outputs import OutputIsInputError, check_output, same_file
    if output is not None:
        output = Path(output)
        check_output(output, [units, previous], force)  # before the long run
    exclude = [(units, "单位名单文件"), (previous, "上一年度的汇总表")]
    inbox = discover_inbox(folder, recursive, exclude=[(p, w) for p, w in exclude if p])
    if output is not None and output.exists():
        # An earlier summary written to the same path (by path or file identity) is
        # left out of the sum and replaced (with --force); a report of a unit never is.
        hits = [e for e in inbox.entries if not e.member and same_file(output, e.path)]
        if hits and not _is_summary(output):
            raise OutputIsInputError(
                f"输出文件“{output}”是文件夹中待汇总的一份报告，不能被汇总表覆盖；请另选输出文件名")
        inbox.entries = [e for e in inbox.entries if e not in hits]
        inbox.ignored += [(e.label, "本次汇总的输出文件") for e in hits]
    paths = inbox.entries
    if not paths:
        raise XxgkError(f"文件夹 {folder} 中没有找到任何报告文件（.xlsx、.xls、.ods、.docx、.zip 等）")
    roster = read_roster(units) if units else []
    prev_reports: dict = {}
    if previous:
        try:
            prev_reports = load_previous(previous, recursive, timeout=timeout)
        except UnreadableWorkbook as exc:
            raise XxgkError(f"上一年度的报告无法读取：{exc}") from None
    result = MergeResult(folder=str(folder), roster=roster, previous=str(previous or ""),
                         created=datetime.now().strftime("%Y-%m-%d %H:%M:%S"),
                         ignored=list(inbox.ignored), prefer=prefer or "")
    result.units = run_checks(paths, prev_reports, workers=workers, timeout=timeout,
                              progress=progress)
    apply_merge_rules(result, year)
    if prev_reports and result.year:
        check_previous_year(prev_reports, result.year, previous)
    prev_reports = None  # last year's units are not needed for the summary: free them first
    sum_units(result)
    counties = Counter(u.county for u in result.included if u.county)
    result.county = counties.most_common(1)[0][0] if counties else ""
    result.name = name or f"{result.county or folder.resolve().name}（汇总）"
    if output is not None:
        from .summary import write_summary
        result.output = str(output)
        write_summary(result, output)
    result.elapsed = time.perf_counter() - t0
    return result
