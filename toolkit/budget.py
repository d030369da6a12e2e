"""Per-file budgets: a time limit and a memory cap around the work on one input file.

``merge`` has always stopped a single file after ``--timeout`` seconds; the
same budget (plus a memory cap) now guards every command that reads an
input: check, check --annotate, import, fill (its --previous / --register /
--template / --data files), export and --previous folders.

* time: ``SIGALRM`` (POSIX, main thread only; elsewhere the budget is not
  timed, the structural limits of the reader still apply);
* memory: the soft ``RLIMIT_AS`` is lowered to the current address space
  plus ``memory_mb`` for the duration (POSIX), so a blow-up raises
  :class:`MemoryError` inside the work instead of exhausting the machine.

Budgets do not nest: an inner budget inside an outer one is a no-op.
Exceeding a budget raises :class:`BudgetExceeded` (an :class:`XxgkError`
with a Chinese message naming the file).
"""

from __future__ import annotations

import contextlib
import os
import signal
import threading

from .errors import XxgkError

DEFAULT_TIMEOUT = 60.0  # seconds per file
DEFAULT_MEMORY_MB = 1024  # extra address space per file

_active = threading.local()


class BudgetExceeded(XxgkError):
    """A file used more time or memory than its budget."""

    def __init__(self, message: str, kind: str):
        self.kind = kind  # "timeout" | "memory" | "depth"
        super().__init__(message)


def timeout_message(seconds: float) -> str:
    s = f"{seconds:g}"
    return f"读取超时（超过 {s} 秒），文件可能过大或已损坏，已跳过"


MEMORY_MESSAGE = "文件过大，读取时内存不足，已跳过"
DEPTH_MESSAGE = "文件结构异常（嵌套过深），无法读取"


class _Alarm(BaseException):
    """Raised by the alarm handler; BaseException so ``except Exception`` in the work cannot swallow it."""


def _on_alarm(signum, frame):
    raise _Alarm()


def _vm_bytes() -> int | None:
    try:
        with open("/proc/self/statm") as fh:
            return int(fh.read().split()[0]) * os.sysconf("SC_PAGE_SIZE")
    except (OSError, ValueError, AttributeError, IndexError):
        return None


@contextlib.contextmanager
def file_budget(label: str = "", timeout: float | None = DEFAULT_TIMEOUT,
                memory_mb: int | None = DEFAULT_MEMORY_MB):
    """Run the body under a time and memory budget; raise :class:`BudgetExceeded` when over.

    ``label`` (a file name) prefixes the message.  ``timeout``/``memory_mb``
    of ``None`` or 0 switch that part off.
    """
    if getattr(_active, "on", False):
        yield
        return
    _active.on = True
    prefix = f"{label}：" if label else ""
    use_alarm = bool(timeout) and hasattr(signal, "setitimer") \
        and threading.current_thread() is threading.main_thread()
    old_handler = None
    old_limit = None
    try:
        if memory_mb:
            old_limit = _lower_memory(memory_mb)
        if use_alarm:
            old_handler = signal.signal(signal.SIGALRM, _on_alarm)
            signal.setitimer(signal.ITIMER_REAL, timeout)
        try:
            yield
        finally:
            if use_alarm:
                signal.setitimer(signal.ITIMER_REAL, 0)
                signal.signal(signal.SIGALRM, old_handler)
            if old_limit is not None:
                _restore_memory(old_limit)
    except _Alarm:
        raise BudgetExceeded(prefix + timeout_message(timeout), "timeout") from None
    except MemoryError:
        raise BudgetExceeded(prefix + MEMORY_MESSAGE, "memory") from None
    except RecursionError:
        raise BudgetExceeded(prefix + DEPTH_MESSAGE, "depth") from None
    finally:
        _active.on = False


def _lower_memory(memory_mb: int):
    try:
        import resource
    except ImportError:
        return None
    vm = _vm_bytes()
    if vm is None:
        return None
    try:
        soft, hard = resource.getrlimit(resource.RLIMIT_AS)
        want = vm + memory_mb * 1024 * 1024
        if hard != resource.RLIM_INFINITY:
            want = min(want, hard)
        if soft != resource.RLIM_INFINITY and soft <= want:
            return None  # already tighter (e.g. set by a caller)
        resource.setrlimit(resource.RLIMIT_AS, (want, hard))
        return soft, hard
    except (ValueError, OSError):
        return None


def _restore_memory(limit) -> None:
    import resource
    try:
        resource.setrlimit(resource.RLIMIT_AS, limit)
    except (ValueError, OSError):
        pass
