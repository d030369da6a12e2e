"""Benchmark ``merge`` end to end against a naive openpyxl + pandas baseline.

1. generates N workbooks (``make_workbooks.py``; not timed as part of the merge);
2. times ``toolkit.merge.run.merge`` on them: discover, read and check every file in a
   process pool, merge rules, sums, and the summary workbook with notes and charts;
3. times the naive baseline on a random subset of ``--baseline-sample`` files —
   ``openpyxl.load_workbook`` of each file, its data cells into a dict, one
   ``pandas.DataFrame`` and a group-by sum (no checks, no notes, no summary
   workbook) — and extrapolates it linearly to N files;
4. reports peak memory (max RSS of this process and of the largest worker).

Usage::

    python bench/bench_merge.py --n 1000
    python bench/bench_merge.py --n 10000 --baseline-sample 300
"""

from __future__ import annotations

import argparse
import os
import platform
import random
import resource
import shutil
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from make_workbooks import generate  # noqa: E402

from toolkit import __version__  # noqa: E402
from toolkit.merge.run import merge  # noqa: E402
from toolkit.spec import DEFAULT_EDITION, get_edition  # noqa: E402


def naive_baseline(files: list, edition: str = DEFAULT_EDITION) -> float:
    """Seconds to load ``files`` with openpyxl and concat their data cells in pandas."""
    import openpyxl
    import pandas as pd
    cells = [c for c in get_edition(edition).cells if c.kind in ("input", "total")]
    t0 = time.perf_counter()
    rows = []
    for f in files:
        wb = openpyxl.load_workbook(f, data_only=True)
        rows.append(pd.DataFrame({"file": [f.name], **{c.id: [wb[c.sheet][c.address].value]
                                                        for c in cells}}))
    frame = pd.concat(rows, ignore_index=True)
    frame.drop(columns="file").apply(pd.to_numeric, errors="coerce").sum()
    return time.perf_counter() - t0


def max_rss_mb(who) -> float:
    rss = resource.getrusage(who).ru_maxrss
    return rss / 1024 / 1024 if platform.system() == "Darwin" else rss / 1024


def main(argv=None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--n", type=int, default=1000)
    ap.add_argument("--dir", type=Path, default=None, help="where to generate (default: a temp dir)")
    ap.add_argument("--keep", action="store_true", help="keep the generated files")
    ap.add_argument("--baseline-sample", type=int, default=200)
    ap.add_argument("--workers", type=int, default=None)
    args = ap.parse_args(argv)
    base = args.dir or Path(tempfile.mkdtemp(prefix="xxgk-bench-"))
    folder = base / f"n{args.n}"
    if folder.exists():
        shutil.rmtree(folder)
    gen = generate(folder, args.n)
    print(f"xxgk {__version__}, Python {platform.python_version()}, {os.cpu_count()} CPU(s)")
    print(f"generated {args.n} workbooks in {gen:.1f} s")

    out = base / f"summary-{args.n}.xlsx"
    t0 = time.perf_counter()
    result = merge(folder, out, workers=args.workers, force=True)
    merge_s = time.perf_counter() - t0
    c = result.counts
    print(f"merge: {merge_s:.1f} s for {args.n} files ({merge_s / args.n * 1000:.2f} ms/file); "
          f"{len(result.included)} summed; findings: {c['error']} errors, {c['verify']} verify, "
          f"{c['hint']} hints; summary {out.stat().st_size / 1e6:.1f} MB")
    print(f"peak memory: main process {max_rss_mb(resource.RUSAGE_SELF):.0f} MB, "
          f"largest worker {max_rss_mb(resource.RUSAGE_CHILDREN):.0f} MB")

    files = sorted(folder.glob("*.xlsx"))
    sample = random.Random(0).sample(files, min(args.baseline_sample, len(files)))
    base_s = naive_baseline(sample)
    per_file = base_s / len(sample)
    est = per_file * args.n
    print(f"naive baseline (openpyxl load_workbook + pandas concat): {base_s:.1f} s for "
          f"{len(sample)} files = {per_file * 1000:.1f} ms/file -> {est:.0f} s for {args.n} files "
          f"(extrapolated)")
    print(f"speed-up: {est / merge_s:.1f}x")
    if not args.keep and args.dir is None:
        shutil.rmtree(base, ignore_errors=True)


if __name__ == "__main__":
    main()
