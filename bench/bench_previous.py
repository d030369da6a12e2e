"""Benchmark ``merge --previous`` with last year's summary of N units (default 10,000).

1. builds last year's summary the way ``merge`` writes it (``write_summary`` of a
   MergeResult of N synthetic units: sample values, as in the demo; not timed);
2. times ``load_previous`` on it (the 明细 of every unit, streamed by the guarded reader);
3. times ``merge`` of a small folder of this year's reports with ``previous=`` that
   summary and checks that every unit found its last-year row (cross-year rule T3-6 ran).

Usage::

    python bench/bench_previous.py              # 10,000 units
    python bench/bench_previous.py --n 2000
"""

from __future__ import annotations

import argparse
import random
import shutil
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from toolkit.demo.sample import sample_info, sample_texts, sample_values, totals_of  # noqa: E402
from toolkit.merge.run import MergeResult, UnitResult, data_columns, load_previous, merge, sum_units  # noqa: E402
from toolkit.merge.summary import write_summary  # noqa: E402
from toolkit.xlsx.template import write_filled_workbook  # noqa: E402


def unit_name(i: int) -> str:
    return f"第{i:05d}号单位"


def last_year_summary(path: Path, n: int, year: int) -> None:
    rng = random.Random(n)
    cols = data_columns("2021")
    units = []
    for i in range(n):
        v = sample_values("2021", rng)
        v.update(totals_of("2021", v))
        units.append(UnitResult(file=f"{unit_name(i)}.xlsx", unit=unit_name(i), unit_type="乡镇",
                                year=year, edition="2021", kind="template",
                                values=tuple(v.get(c, 0) for c in cols), included=True))
    result = MergeResult(folder="bench", units=units, edition="2021", year=year, name="基准市（汇总）",
                         created="bench")
    sum_units(result)
    write_summary(result, path)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--n", type=int, default=10_000)
    ap.add_argument("--reports", type=int, default=20)
    args = ap.parse_args()
    work = Path(tempfile.mkdtemp(prefix="xxgk-bench-prev-"))
    try:
        summary = work / "上年汇总.xlsx"
        t0 = time.perf_counter()
        last_year_summary(summary, args.n, 2023)
        print(f"last year's summary of {args.n} units written in {time.perf_counter() - t0:.1f} s "
              f"({summary.stat().st_size / 1e6:.1f} MB, not part of the measurement)")
        t0 = time.perf_counter()
        prev = load_previous(summary)
        print(f"load_previous: {len(prev)} units in {time.perf_counter() - t0:.2f} s")
        assert len(prev) == args.n, len(prev)
        folder = work / "本年"
        folder.mkdir()
        rng = random.Random(1)
        for i in range(args.reports):
            v = sample_values("2021", rng)
            write_filled_workbook(folder / f"{i}.xlsx", "2021", v,
                                  sample_info(unit_name(i * (args.n // args.reports)), "乡镇", 2024),
                                  sample_texts(unit_name(i), 2024, v, rng))
        t0 = time.perf_counter()
        result = merge(folder, work / "本年汇总.xlsx", previous=summary, workers=1)
        elapsed = time.perf_counter() - t0
        cross = sum(1 for u in result.units if any(f.rule == "T3-6" for f in u.findings))
        print(f"merge of {args.reports} reports with --previous ({args.n} units): {elapsed:.2f} s; "
              f"{cross} of {args.reports} units checked against last year and found different carry-overs "
              "(T3-6)")
        assert cross > 0, "no unit was compared with last year"
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
