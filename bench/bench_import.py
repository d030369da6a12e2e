"""Benchmark ``import``: time per format, and that every reader is linear in its input.

1. imports each layout fixture of tests/fixtures/import (HTML, Markdown, one cell per
   line, tabs, .docx) ``--repeat`` times and reports the mean time per file;
2. imports texts and web pages padded to 1x, 4x and 16x a base size (a long narrative,
   many table-like lines, one huge cell) and reports the time ratio — a linear reader
   takes about 4x and 16x; a quadratic one 16x and 256x.

Usage::

    python bench/bench_import.py
    python bench/bench_import.py --repeat 20 --base 200000
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from toolkit.publish.importer import import_report  # noqa: E402

FIX = ROOT / "tests" / "fixtures" / "import"


def timed(fn, repeat=1):
    start = time.perf_counter()
    for _ in range(repeat):
        fn()
    return (time.perf_counter() - start) / repeat


def padded_text(n: int) -> bytes:
    base = (FIX / "pipe_2021.md").read_text(encoding="utf-8")
    filler = ("公开" * (n // 8) + "\n") + ("| 说明 | 1 | 2 |\n" * (n // 40)) + "\t" + "x" * (n // 4)
    return (base + filler).encode("utf-8")


def padded_html(n: int) -> bytes:
    page = (FIX / "word_export_2021.html").read_text(encoding="utf-8")
    filler = "<p><span>公开</span>&nbsp;<o:p></o:p></p>" * (n // 40) + "<table><tr><td>1</td></tr></table>" * (n // 400)
    return page.replace("</body>", filler + "</body>").encode("utf-8")


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--repeat", type=int, default=5)
    ap.add_argument("--base", type=int, default=100_000, help="base padding in characters")
    args = ap.parse_args()
    print("format                      mean seconds per file")
    for name in ("word_export_2021.html", "pipe_2021.md", "one_per_line_2021.txt", "tabs_2021.txt",
                 "merged_cells_2021.docx"):
        t = timed(lambda: import_report(FIX / name), args.repeat)
        print(f"{name:28s}{t:8.3f}")
    for label, make, suffix in (("text", padded_text, "r.txt"), ("html", padded_html, "r.html")):
        times = []
        for k in (1, 4, 16):
            data = make(args.base * k)
            times.append(timed(lambda: import_report(data, filename=suffix)))
        print(f"{label}: {args.base} chars x1 {times[0]:.3f}s, x4 {times[1]:.3f}s ({times[1] / times[0]:.1f}x), "
              f"x16 {times[2]:.3f}s ({times[2] / times[0]:.1f}x)")


if __name__ == "__main__":
    main()
