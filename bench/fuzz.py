"""The fuzzer's large run (issue #11): >= 2,000 structurally mutated inputs through every command.

Each case runs in a worker subprocess under RLIMIT_AS (1 GB) with a 30 s
timeout per case (tests/fuzz/runner.py); inputs are hashed (sha256) before
and after.  Prints the result table (Markdown, for docs/security.md) and
writes every failing case to a JSON file to reproduce it.

    python bench/fuzz.py                      # 2,000 cases, seed 0
    python bench/fuzz.py -n 300 --start 2000  # more cases, other numbers
    python bench/fuzz.py --only import        # one command

Exit status 1 when any case is a traceback, internal error, hang or memory
blow-up, or modified an input.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tests.fuzz.runner import COMMANDS, FAILING, make_cases, run, table  # noqa: E402
from toolkit import __version__  # noqa: E402


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("-n", type=int, default=2000, help="number of cases (default 2000)")
    ap.add_argument("--start", type=int, default=0, help="first case number")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--timeout", type=float, default=30.0, help="seconds per case")
    ap.add_argument("--memory-mb", type=int, default=1024, help="RLIMIT_AS of the worker")
    ap.add_argument("--only", choices=COMMANDS, default=None)
    ap.add_argument("--dir", type=Path, default=None, help="work folder (default: a temporary one)")
    ap.add_argument("--failures", type=Path, default=Path("fuzz-failures.json"))
    ap.add_argument("--keep", action="store_true", help="keep the work folder")
    args = ap.parse_args(argv)
    work = args.dir or Path(tempfile.mkdtemp(prefix="xxgk-fuzz-"))
    t0 = time.perf_counter()
    cases = make_cases(work, args.n, start=args.start, seed=args.seed)
    if args.only:
        cases = [c for c in cases if c.command == args.only]
    print(f"xxgk {__version__}, Python {platform.python_version()}, {os.cpu_count()} CPU(s); "
          f"{len(cases)} cases made in {time.perf_counter() - t0:.0f} s", flush=True)

    def progress(done, total, r):
        bad = r["class"] in FAILING or r["modified"]
        if bad or done % 100 == 0:
            print(f"  {done}/{total} case {r['n']} {r['command']} {r['class']}"
                  + (f" {r['ops']} {(r.get('tb') or r.get('stderr') or '')[-300:]!r}" if bad else ""),
                  flush=True)

    t1 = time.perf_counter()
    results = run(cases, timeout=args.timeout, memory_mb=args.memory_mb, progress=progress)
    elapsed = time.perf_counter() - t1
    slow = max((r.get("seconds") or 0 for r in results), default=0)
    print()
    print(table(results))
    print(f"\n{len(results)} cases in {elapsed:.0f} s; slowest case {slow:.1f} s; "
          f"timeout {args.timeout:g} s, RLIMIT_AS {args.memory_mb} MB")
    failures = [r for r in results if r["class"] in FAILING or r["modified"]]
    if failures:
        args.failures.write_text(json.dumps(failures, ensure_ascii=False, indent=1), encoding="utf-8")
        print(f"{len(failures)} failing cases written to {args.failures} (inputs kept in {work})")
    elif not args.keep and args.dir is None:
        shutil.rmtree(work, ignore_errors=True)
    return 1 if failures else 0


if __name__ == "__main__":
    raise SystemExit(main())
