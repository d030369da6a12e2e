"""Run fuzz cases: every command on mutated inputs, each case classified.

The driver (:func:`run`) starts a worker subprocess (``python -m
tests.fuzz.runner --worker``) under ``RLIMIT_AS`` (1 GB by default); the
worker runs the cases one after another *in process* (``xxgk`` main, as the
command line would) so thousands of cases fit in minutes, and reports each
case on its stdout.  The driver watches the worker: no answer within the
per-case timeout (30 s) = **hang** (the worker is killed and a new one
continues with the next case); the worker dying or a ``MemoryError`` =
**memory**.  Otherwise the case is

* **clean** — the command ran (exit 0, or 1 = findings for check/merge);
* **clear** — a clear Chinese error (exit 1 or 2, a message, no traceback);
* **internal** — our own catch-all fired (程序内部错误: a bug, counted like a traceback);
* **traceback** — an exception escaped, or an exit status outside 0–2.

Every input of a case is hashed (sha256) before and after: **modified**
counts inputs that changed.  Outputs go to a scratch folder per case.
"""

from __future__ import annotations

import contextlib
import hashlib
import io
import json
import os
import random
import select
import shutil
import signal
import subprocess
import sys
import time
import traceback
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
COMMANDS = ("check", "annotate", "merge", "import", "fill", "export")
CLASSES = ("clean", "clear", "internal", "traceback", "hang", "memory")
FAILING = ("internal", "traceback", "hang", "memory")


@dataclass
class Case:
    n: int
    command: str
    seed: str
    ops: list
    path: str  # the mutated input
    args: list = field(default_factory=list)
    inputs: list = field(default_factory=list)  # files hashed before and after


def _sha(path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def make_cases(work: Path, n: int, start: int = 0, seed: int = 0) -> list[Case]:
    """Cases ``start`` … ``start + n - 1`` (deterministic), their inputs written under ``work``."""
    from .mutate import build_seeds, mutate
    seeds = build_seeds(work / "seeds")
    raw = {k: Path(p).read_bytes() for k, p in seeds.items()}
    xlsx_seeds = ["report-2021", "report-2019", "demo"]
    cases = []
    for i in range(start, start + n):
        rng = random.Random(f"xxgk-fuzz-{seed}-{i}")
        command = COMMANDS[i % len(COMMANDS)]
        if command == "import":
            name = rng.choice(xlsx_seeds + ["docx", "docx", "txt", "txt"])
        else:
            name = rng.choice(xlsx_seeds)
        kind = "txt" if name == "txt" else "zip"
        data, ops = mutate(raw[name], kind, rng)
        d = work / f"case{i:05d}"
        if d.exists():
            shutil.rmtree(d)
        (d / "in").mkdir(parents=True)
        (d / "out").mkdir()
        suffix = {"docx": ".docx", "txt": ".txt"}.get(name, ".xlsx")
        src = d / "in" / f"input{suffix}"
        src.write_bytes(data)
        out = d / "out"
        inputs = [src]
        if command == "check":
            args = ["check", src]
        elif command == "annotate":
            args = ["check", src, "--annotate", out / "annotated.xlsx"]
        elif command == "merge":
            good = d / "in" / "good.xlsx"
            shutil.copyfile(seeds["report-2019" if name == "report-2019" else "report-2021"], good)
            inputs.append(good)
            args = ["merge", d / "in", "-o", out / "summary.xlsx", "--export-csv", out / "csv",
                    "--workers", "1", "--timeout", "20"]
        elif command == "import":
            args = ["import", src, "-o", out / "imported.xlsx"]
        elif command == "fill":
            args = ["fill", "--previous", src, "-o", out / "filled.xlsx"]
        else:
            args = ["export", src, "-o", out / "report.docx", "--allow-errors"]
        cases.append(Case(n=i, command=command, seed=name, ops=ops, path=str(src),
                          args=[str(a) for a in args], inputs=[str(p) for p in inputs]))
    return cases


# -- worker (in the subprocess) ----------------------------------------------------------------


def _run_one(args: list) -> dict:
    from toolkit.cli import main
    if args == ["__sleep__"]:  # self-test hooks (tests/test_fuzz.py): the runner must see these
        time.sleep(3600)
    if args == ["__hog__"]:
        args = []
        try:
            bytearray(4 << 30)
        except MemoryError:
            return {"code": -1, "stdout": "", "stderr": "", "tb": "MemoryError"}
    out, err = io.StringIO(), io.StringIO()
    code, tb = 0, ""
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        try:
            main.main(args=args, prog_name="xxgk")
        except SystemExit as exc:
            code = exc.code if isinstance(exc.code, int) else (0 if exc.code is None else 1)
        except MemoryError:
            code, tb = -1, "MemoryError"
        except BaseException:  # noqa: BLE001 — that is what we are looking for
            code, tb = -1, traceback.format_exc()
    return {"code": code, "stdout": out.getvalue()[-2000:], "stderr": err.getvalue()[-2000:], "tb": tb}


def worker() -> None:
    """Read cases (JSON lines) on stdin; print ``start N`` and one JSON result per case."""
    os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
    for line in sys.stdin:
        case = json.loads(line)
        before = {p: _sha(p) for p in case["inputs"]}
        print(f"start {case['n']}", flush=True)
        t0 = time.perf_counter()
        res = _run_one(case["args"])
        res["seconds"] = round(time.perf_counter() - t0, 3)
        res["modified"] = [p for p, h in before.items() if not os.path.exists(p) or _sha(p) != h]
        res["n"] = case["n"]
        res["vm_mb"] = _vm_mb()
        sys.__stdout__.write(json.dumps(res, ensure_ascii=False) + "\n")
        sys.__stdout__.flush()
        if res["vm_mb"] and res["vm_mb"] > RECYCLE_MB:
            return  # leave with a fresh process for the next case: each CLI run starts clean


RECYCLE_MB = 600  # a worker grown past this (fragmentation, caches) is replaced


def _vm_mb() -> int:
    try:
        with open("/proc/self/statm") as fh:
            return int(fh.read().split()[0]) * os.sysconf("SC_PAGE_SIZE") >> 20
    except (OSError, ValueError, AttributeError):
        return 0


# -- driver ----------------------------------------------------------------------------------------


def classify(case: Case, res: dict) -> str:
    text = res.get("stdout", "") + res.get("stderr", "")
    if res.get("tb"):
        return "memory" if "MemoryError" in res["tb"] else "traceback"
    if "内存不足" in text:
        return "memory"
    if "程序内部错误" in text:
        return "internal"
    code = res.get("code")
    if code == 0 or (code == 1 and case.command in ("check", "annotate", "merge")
                     and "错误：" not in res.get("stderr", "")):
        return "clean"
    if code in (1, 2) and text.strip():
        return "clear"
    return "traceback"


def _start_worker(memory_mb: int):
    def limits():
        os.setsid()
        if memory_mb:
            import resource
            resource.setrlimit(resource.RLIMIT_AS, (memory_mb << 20, memory_mb << 20))
    env = {**os.environ, "PYTHONPATH": str(ROOT), "OPENBLAS_NUM_THREADS": "1", "OMP_NUM_THREADS": "1",
           "PYTHONHASHSEED": "0"}
    env.pop("XXGK_DEBUG", None)
    return subprocess.Popen([sys.executable, "-m", "tests.fuzz.runner", "--worker"], cwd=str(ROOT),
                            stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL,
                            text=True, preexec_fn=limits, env=env)


def _kill(proc) -> None:
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(proc.pid, signal.SIGKILL)
    with contextlib.suppress(Exception):
        proc.wait(timeout=10)


class _Lines:
    """Lines from a pipe with a deadline (select on the raw fd, our own buffer: a text
    wrapper's buffer can hold a second line that select would never report)."""

    def __init__(self, proc):
        self.fd = proc.stdout.fileno()
        self.buf = b""

    def readline(self, deadline: float) -> str | None:
        """The next line; "" at end of file; None when the deadline passed."""
        while b"\n" not in self.buf:
            left = deadline - time.monotonic()
            if left <= 0:
                return None
            ready, _, _ = select.select([self.fd], [], [], left)
            if not ready:
                continue
            chunk = os.read(self.fd, 1 << 16)
            if not chunk:
                return ""
            self.buf += chunk
        line, self.buf = self.buf.split(b"\n", 1)
        return line.decode("utf-8", "replace") + "\n"


def run(cases: list, timeout: float = 30.0, memory_mb: int = 1024, progress=None) -> list[dict]:
    """Run ``cases``; returns one record per case (case fields + class + details)."""
    results = []
    state = {"proc": None}
    for case in cases:
        record = _run_case(case, state, timeout, memory_mb)
        if record["class"] in ("hang", "memory") and not record.get("fresh"):
            # The worker had run other cases before: run this one again alone in a fresh
            # worker (as the command line would), so only the case itself is judged.
            record = _run_case(case, state, timeout, memory_mb, fresh=True)
        results.append(record)
        if progress:
            progress(len(results), len(cases), record)
    proc = state["proc"]
    if proc is not None:
        proc.stdin.close()
        with contextlib.suppress(Exception):
            proc.wait(timeout=30)
        if proc.poll() is None:
            _kill(proc)
    return results


def _run_case(case: Case, state: dict, timeout: float, memory_mb: int, fresh: bool = False) -> dict:
    """Run one case in the worker of ``state`` (started when needed); returns its record."""
    if fresh and state["proc"] is not None:
        _kill(state["proc"])
        state["proc"] = None
    first_deadline = 0.0
    if state["proc"] is None or state["proc"].poll() is not None:
        state["proc"] = _start_worker(memory_mb)
        state["lines"] = _Lines(state["proc"])
        first_deadline = 60.0  # the first case pays for the imports
    proc, lines = state["proc"], state["lines"]
    before = {p: _sha(p) for p in case.inputs}
    record = {"n": case.n, "command": case.command, "seed": case.seed, "ops": case.ops,
              "args": case.args, "fresh": fresh or first_deadline > 0}
    try:
        proc.stdin.write(json.dumps(case.__dict__, ensure_ascii=False) + "\n")
        proc.stdin.flush()
        started = lines.readline(time.monotonic() + timeout + first_deadline)
        line = lines.readline(time.monotonic() + timeout) if started else started
    except BrokenPipeError:
        line = ""
    if line is None:  # no answer in time
        record["class"] = "hang"
    elif line == "":  # the worker died: killed at the memory limit (or worse)
        record["class"] = "memory"
    else:
        res = json.loads(line)
        record["class"] = classify(case, res)
        record.update({k: res.get(k) for k in ("code", "seconds", "stdout", "stderr", "tb", "vm_mb")})
        if (res.get("vm_mb") or 0) > RECYCLE_MB:  # the worker leaves by itself: let it go
            with contextlib.suppress(Exception):
                proc.stdin.close()
                proc.wait(timeout=30)
    if record["class"] in ("hang", "memory") or proc.poll() is not None:
        _kill(proc)
        state["proc"] = None
    record["modified"] = [p for p, h in before.items() if not os.path.exists(p) or _sha(p) != h]
    return record


def table(results: list) -> str:
    """The result table (Markdown): one row per command, one column per class."""
    by = {c: Counter() for c in COMMANDS}
    modified = Counter()
    for r in results:
        by[r["command"]][r["class"]] += 1
        modified[r["command"]] += bool(r["modified"])
    head = "| command | cases | " + " | ".join(CLASSES) + " | inputs modified |"
    lines = [head, "|" + "---|" * (len(CLASSES) + 3)]
    total = Counter()
    for c in COMMANDS:
        n = sum(by[c].values())
        total.update(by[c])
        lines.append(f"| {c} | {n} | " + " | ".join(str(by[c][k]) for k in CLASSES)
                     + f" | {modified[c]} |")
    lines.append(f"| **all** | {sum(total.values())} | " + " | ".join(str(total[k]) for k in CLASSES)
                 + f" | {sum(modified.values())} |")
    return "\n".join(lines)


if __name__ == "__main__":
    if "--worker" in sys.argv:
        worker()
