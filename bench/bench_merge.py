"""Benchmark ``xxgk merge`` against honest baselines, interleaved, in one process tree.

1. generates the largest N of ``--sizes`` workbooks once (``make_workbooks.py``, ~3 %
   with a typical mistake); each size is a folder of hard links to the first N;
2. runs, round after round and in a rotating order, every contender of
   ``contenders.py`` as a child process on every size: ``merge`` (what ``xxgk merge``
   runs, summary workbook included), a competent ``openpyxl`` script
   (``read_only=True, data_only=True``, ``iter_rows``), ``pandas`` ``read_excel
   (engine="calamine")``, ``calamine`` (python-calamine directly) and ``unzip``
   (inflating every member: the floor); with ``--previous``, also ``merge
   --previous`` with last year's summary of the same N units (``make_workbooks.py
   --last-year-summary``, year before, other values: 10,000 units at the largest size);
3. measures each child process tree with ``os.wait4``: wall time, CPU time (user +
   system, workers included), peak RSS; the start-up cost of a bare interpreter
   (measured the same way) is subtracted before dividing by N;
4. runs ``xxgk check ONE.xlsx`` and ``python -c pass`` in ``--check-pairs``
   alternating pairs (wall time);
5. prints medians, ratios and the machine with its load; ``--json`` saves them.

Usage::

    python bench/bench_merge.py --sizes 250,1000 --rounds 3
    python bench/bench_merge.py --sizes 250,1000,2500,10000 --rounds 1 --previous --json out.json
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(HERE))

CONTENDERS = ["merge", "openpyxl", "pandas", "calamine", "unzip"]
ENV = {**os.environ, "PYTHONPATH": str(ROOT)}


def run_tree(args: list) -> dict:
    """Run ``contenders.py args`` (or a command line starting with the interpreter) and
    measure its process tree: wall time, CPU time and peak RSS (``os.wait4``)."""
    cmd = args if args[0] == sys.executable else [sys.executable, str(HERE / "contenders.py"), *args]
    with tempfile.TemporaryFile() as errf:
        t0 = time.perf_counter()
        proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=errf, env=ENV, cwd=ROOT)
        out = proc.stdout.read()  # to the end; the child is reaped by wait4, not by Popen
        _, status, ru = os.wait4(proc.pid, 0)
        errf.seek(0)
        err = errf.read()
    proc.returncode = os.waitstatus_to_exitcode(status)
    proc.stdout.close()
    wall = time.perf_counter() - t0
    line = out.decode().strip().splitlines()[-1] if out.strip() else ""
    try:
        info = json.loads(line) if line.startswith("{") else {"output": line}
    except json.JSONDecodeError:
        info = {"output": line}
    if proc.returncode not in (0, 1, 2):
        raise RuntimeError(f"{cmd} exited {proc.returncode}: {err.decode()[-2000:]}")
    info.update(wall=wall, cpu=ru.ru_utime + ru.ru_stime, maxrss_mb=ru.ru_maxrss / 1024)
    return info


def machine() -> dict:
    model = ""
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    try:
        mem = next(int(x.split()[1]) // 1024 for x in Path("/proc/meminfo").read_text().splitlines()
                   if x.startswith("MemTotal"))
    except (OSError, StopIteration):
        mem = None
    __version__ = (ROOT / "toolkit" / "__init__.py").read_text().split('__version__ = "')[1].split('"')[0]
    return {"cpu": model, "cores": os.cpu_count(), "memory_mb": mem, "python": platform.python_version(),
            "xxgk": __version__, "platform": platform.platform()}


def _versions() -> dict:
    """Versions of the libraries, asked in a child process: this process stays small
    (a child inherits its parent's peak RSS, which ``wait4`` would then report)."""
    code = ("import json, importlib.metadata as m\nout = {}\n"
            "for d in ('openpyxl', 'pandas', 'python-calamine', 'XlsxWriter'):\n"
            "    try:\n        out[d] = m.version(d)\n    except m.PackageNotFoundError:\n        out[d] = None\n"
            "print(json.dumps(out))")
    return json.loads(subprocess.run([sys.executable, "-c", code], capture_output=True, text=True).stdout)


def prepare(base: Path, sizes: list) -> dict:
    top = max(sizes)
    src = base / f"all{top}"
    if not src.exists() or len(list(src.glob("*.xlsx"))) != top:
        if src.exists():
            shutil.rmtree(src)
        t = time.perf_counter()
        subprocess.run([sys.executable, str(HERE / "make_workbooks.py"), str(src), "--n", str(top)],
                       env=ENV, check=True, stdout=subprocess.DEVNULL)
        print(f"generated {top} workbooks in {time.perf_counter() - t:.1f} s", flush=True)
    files = sorted(src.glob("*.xlsx"))
    folders = {}
    for n in sizes:
        d = base / f"n{n}"
        if not d.exists() or len(list(d.glob("*.xlsx"))) != n:
            if d.exists():
                shutil.rmtree(d)
            d.mkdir()
            for f in files[:n]:
                os.link(f, d / f.name)
        folders[n] = d
    return folders


def resave(base: Path, src: Path, k: int) -> Path:
    """The first ``k`` workbooks of ``src`` opened and saved again by LibreOffice (kept in ``base``)."""
    out = base / f"resaved{k}"
    if out.exists() and len(list(out.glob("*.xlsx"))) == k:
        return out
    shutil.rmtree(out, ignore_errors=True)
    staging = base / f"resaved{k}-in"
    shutil.rmtree(staging, ignore_errors=True)
    staging.mkdir(parents=True)
    for f in sorted(src.glob("*.xlsx"))[:k]:
        shutil.copy(f, staging / f.name)
    t = time.perf_counter()
    for _ in range(3):  # a long batch sometimes ends early: convert what is missing again
        todo = sorted(str(f) for f in staging.glob("*.xlsx") if not (out / f.name).exists())
        if not todo:
            break
        subprocess.run(["soffice", "--headless", "--norestore", "--convert-to", "xlsx:Calc MS Excel 2007 XML",
                        "--outdir", str(out), *todo],
                       check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, timeout=3600)
    shutil.rmtree(staging, ignore_errors=True)
    done = len(list(out.glob("*.xlsx")))
    if done != k:
        raise SystemExit(f"LibreOffice saved {done} of {k} workbooks: the resaved rows would not compare "
                         "the same files")
    print(f"saved {k} workbooks again with LibreOffice in {time.perf_counter() - t:.1f} s", flush=True)
    return out


RESAVED = " (LibreOffice-saved)"


def _phases(phases, n) -> str:
    return ", ".join(f"{k} {v['wall']:.1f} s wall / {v['main_cpu']:.1f} s main CPU"
                     for k, v in (phases or {}).items())


def markdown(info, table, sizes, pairs, start_cpu, start_wall, resaved: int = 0) -> str:
    m = info["machine"]
    lines = [f"Machine: {m['cpu']}, {m['cores']} cores, {m['memory_mb']} MB, Python {m['python']}, "
             f"xxgk {m['xxgk']}; {', '.join(f'{k} {v}' for k, v in info['versions'].items())}.",
             f"Run {info['started']} – {info['finished']}, rounds per size: {info['rounds']}; load average "
             f"(1/5/15 min) {' / '.join(f'{x:.1f}' for x in info['load_before'])} before and "
             f"{' / '.join(f'{x:.1f}' for x in info['load_after'])} after.",
             f"Interpreter start-up ({start_cpu * 1000:.0f} ms CPU, {start_wall * 1000:.0f} ms wall) is "
             "subtracted before dividing by the number of workbooks.", "",
             "| N | contender | CPU ms/workbook | wall ms/workbook | CPU s | wall s | peak RSS MB |",
             "|---|---|---|---|---|---|---|"]
    for n in sizes:
        for (size, name), row in table.items():
            if size != n:
                continue
            files = f" (first {row['files']:,})" if row["files"] != n else ""
            rss = (f"main {row['main_mb']:.0f}, worker ≤ {row['worker_mb']:.0f}" if "main_mb" in row
                   else f"{row['peak_mb']:.0f}")
            lines.append(f"| {n:,} | {name}{files} | {row['cpu_ms']:.2f} | {row['wall_ms']:.2f} | "
                         f"{row['cpu_s']:.1f} | {row['wall_s']:.1f} | {rss} |")
    lines += ["", "| N | openpyxl ÷ merge | pandas ÷ merge | merge ÷ calamine | merge ÷ unzip | "
                  "merge: main-process share of CPU | merge --previous ÷ merge |", "|---|---|---|---|---|---|---|"]
    for n in sizes:
        mg = table.get((n, "merge"))
        if not mg:
            continue

        def ratio(a, b):
            return f"{a['cpu_ms'] / b['cpu_ms']:.2f}" if a and b else "–"
        lines.append(f"| {n:,} | {ratio(table.get((n, 'openpyxl')), mg)} | {ratio(table.get((n, 'pandas')), mg)} | "
                     f"{ratio(mg, table.get((n, 'calamine')))} | {ratio(mg, table.get((n, 'unzip')))} | "
                     f"{mg['serial_fraction']:.0%} | {ratio(table.get((n, 'merge-previous')), mg)} |")
    mg = table.get((resaved, "merge" + RESAVED))
    if mg:
        lines.append(f"| {resaved:,}{RESAVED} | {ratio(table.get((resaved, 'openpyxl' + RESAVED)), mg)} | – | "
                     f"{ratio(mg, table.get((resaved, 'calamine' + RESAVED)))} | "
                     f"{ratio(mg, table.get((resaved, 'unzip' + RESAVED)))} | {mg['serial_fraction']:.0%} | – |")
    pw = sorted(b / a for a, b in pairs)
    lines += ["", f"`xxgk check ONE.xlsx`: median {med([b for _, b in pairs]) * 1000:.0f} ms wall against "
                  f"`python -c pass` {med([a for a, _ in pairs]) * 1000:.0f} ms, median of {len(pairs)} paired "
                  f"ratios **{med(pw):.2f}×** (range {pw[0]:.2f}–{pw[-1]:.2f})." if pairs else ""]
    return "\n".join(lines) + "\n"


def med(xs):
    return statistics.median(xs) if xs else float("nan")


def main(argv=None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--sizes", default="250,1000", help="comma-separated numbers of workbooks")
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--dir", type=Path, default=None, help="work folder (kept; default a temp dir, removed)")
    ap.add_argument("--previous", action="store_true",
                    help="also run merge --previous with last year's summary of the same units")
    ap.add_argument("--check-pairs", type=int, default=15)
    ap.add_argument("--skip", default="", help="contenders to leave out, comma-separated")
    ap.add_argument("--json", type=Path, default=None, help="write all measurements here")
    ap.add_argument("--slow-limit", type=int, default=0,
                    help="openpyxl and pandas read at most this many files of a folder (0: all)")
    ap.add_argument("--markdown", type=Path, default=None, help="write the result tables as Markdown here")
    ap.add_argument("--resaved", type=int, default=0,
                    help="also measure merge and the baselines on this many workbooks opened and saved again "
                         "by LibreOffice (shared strings, stored formula results: what Excel and WPS write too)")
    args = ap.parse_args(argv)
    sizes = sorted(int(x) for x in args.sizes.split(","))
    contenders = [c for c in CONTENDERS if c not in args.skip.split(",")]
    base = args.dir or Path(tempfile.mkdtemp(prefix="xxgk-bench-"))
    base.mkdir(parents=True, exist_ok=True)
    info = {"machine": machine(), "versions": _versions(), "load_before": os.getloadavg(),
            "started": time.strftime("%Y-%m-%d %H:%M:%S %Z"), "sizes": sizes, "rounds": args.rounds}
    print(json.dumps(info, ensure_ascii=False), flush=True)
    folders = prepare(base, sizes)
    resaved = resave(base, folders[max(sizes)], args.resaved) if args.resaved else None
    # An installed package has its byte code compiled (pip does it); an editable
    # checkout may not (PYTHONDONTWRITEBYTECODE), and compiling toolkit's sources
    # on every start would be counted against `xxgk check`.
    subprocess.run([sys.executable, "-m", "compileall", "-q", str(ROOT / "toolkit")], check=True)
    runs: list = []

    def record(name, n, r, res):
        res.update(contender=name, n=n, round=r)
        runs.append(res)
        print(f"round {r} n={n:>6} {name:<14} wall {res['wall']:8.2f} s  cpu {res['cpu']:8.2f} s  "
              f"rss {res['maxrss_mb']:6.0f} MB", flush=True)

    for r in range(args.rounds):
        startup = run_tree(["python", "-"])
        record("python", 0, r, startup)
        for n in sizes:
            order = contenders[r % len(contenders):] + contenders[:r % len(contenders)]
            summary = base / f"summary-{n}-{r}.xlsx"
            last = base / f"last-year-{n}.xlsx"  # the same round's summary is of this year: refused
            if args.previous and not last.exists():
                subprocess.run([sys.executable, str(HERE / "make_workbooks.py"), str(last), "--n", str(n),
                                "--year", "2023", "--seed", "2", "--last-year-summary"],
                               env=ENV, check=True, stdout=subprocess.DEVNULL)
            for name in order:
                extra = ["--out", str(summary)] if name == "merge" else []
                m = n
                if name in ("openpyxl", "pandas") and args.slow_limit and n > args.slow_limit:
                    extra, m = ["--limit", str(args.slow_limit)], args.slow_limit
                res = run_tree([name, str(folders[n]), *extra])
                res["files_read"] = m
                record(name, n, r, res)
                if name == "merge" and args.previous:
                    record("merge-previous", n, r,
                           run_tree(["merge", str(folders[n]), "--previous", str(last),
                                     "--out", str(base / f"summary-{n}-{r}-prev.xlsx")]))

        if resaved is not None:
            k = args.resaved
            for name in [c for c in contenders if c != "pandas"]:
                extra = ["--out", str(base / f"summary-resaved-{r}.xlsx")] if name == "merge" else []
                m = k
                if name == "openpyxl" and args.slow_limit and k > args.slow_limit:
                    extra, m = ["--limit", str(args.slow_limit)], args.slow_limit
                res = run_tree([name, str(resaved), *extra])
                res["files_read"] = m
                record(name + RESAVED, k, r, res)

    one = sorted(folders[min(sizes)].glob("*.xlsx"))[0]
    pairs = []
    for _ in range(args.check_pairs):
        a = run_tree([sys.executable, "-c", "pass"])
        b = run_tree([sys.executable, "-m", "toolkit", "check", str(one)])
        pairs.append((a["wall"], b["wall"]))
    info["load_after"] = os.getloadavg()
    info["finished"] = time.strftime("%Y-%m-%d %H:%M:%S %Z")

    # -- report --------------------------------------------------------------------
    start_cpu = med([x["cpu"] for x in runs if x["contender"] == "python"])
    start_wall = med([x["wall"] for x in runs if x["contender"] == "python"])
    print()
    print(f"machine: {info['machine']}; load average before {info['load_before']}, "
          f"after {info['load_after']}")
    print(f"interpreter start-up (subtracted): {start_cpu * 1000:.0f} ms CPU, {start_wall * 1000:.0f} ms wall")
    table: dict = {}
    names = [c for c in ["merge", "merge-previous", *contenders[1:]]
             + [c + RESAVED for c in ["merge", *contenders[1:]]]
             if any(x["contender"] == c for x in runs)]
    table_sizes = sorted(set(sizes) | ({args.resaved} if resaved is not None else set()))
    print(f"{'N':>6}  {'contender':<15}{'CPU ms/wb':>10}{'wall ms/wb':>11}{'peak MB':>9}")
    for n in table_sizes:
        for name in names:
            xs = [x for x in runs if x["contender"] == name and x["n"] == n]
            if not xs:
                continue
            k = xs[0].get("files_read", n)
            cpu = (med([x["cpu"] for x in xs]) - start_cpu) / k * 1000
            wall = (med([x["wall"] for x in xs]) - start_wall) / k * 1000
            rss = max(x["maxrss_mb"] for x in xs)
            row = {"cpu_ms": cpu, "wall_ms": wall, "peak_mb": rss, "runs": len(xs), "files": k,
                   "cpu_s": med([x["cpu"] for x in xs]), "wall_s": med([x["wall"] for x in xs])}
            if name.startswith("merge"):
                row["main_cpu_ms"] = med([x["main_cpu"] for x in xs]) / n * 1000
                row["workers_cpu_ms"] = med([x["workers_cpu"] for x in xs]) / n * 1000
                row["main_mb"] = max(x.get("main_maxrss_mb", 0) for x in xs)
                row["worker_mb"] = max(x.get("worker_maxrss_mb", 0) for x in xs)
                main_cpu = med([x["main_cpu"] for x in xs])
                row["serial_fraction"] = main_cpu / med([x["cpu"] for x in xs])
                row["phases"] = xs[0].get("phases")
            table[(n, name)] = row
            print(f"{n:>6}  {name:<15}{cpu:>10.2f}{wall:>11.2f}{rss:>9.0f}"
                  + (f"   (first {k} files)" if k != n else "")
                  + (f"   main {row['main_mb']:.0f} MB + workers ≤ {row['worker_mb']:.0f} MB each; CPU ms/wb "
                     f"main {row['main_cpu_ms']:.2f} + workers {row['workers_cpu_ms']:.2f} "
                     f"(main share {row['serial_fraction']:.0%}); phases {_phases(row['phases'], n)}"
                     if name.startswith("merge") else ""))
        for resaved_set in (False, True):  # the LibreOffice-saved copies are other files
            sums = {x["checksum"] for x in runs if x["n"] == n and x.get("checksum") is not None
                    and x["contender"] != "merge-previous" and x.get("files_read", n) == n
                    and x["contender"].endswith(RESAVED) == resaved_set}
            if sums:
                print(f"{'':>6}  checksums of the values read{RESAVED if resaved_set else ''} agree: "
                      f"{len(sums) == 1} ({sorted(sums)})")
    print()
    print("ratios (CPU per workbook):")
    for n in sizes:
        m = table.get((n, "merge"))
        if not m:
            continue
        parts = []
        for name in ("openpyxl", "pandas", "calamine", "unzip"):
            o = table.get((n, name))
            if o:
                parts.append(f"{name} / merge = {o['cpu_ms'] / m['cpu_ms']:.2f}" if name in ("openpyxl", "pandas")
                             else f"merge / {name} = {m['cpu_ms'] / o['cpu_ms']:.2f}")
        print(f"  N={n}: " + "; ".join(parts))
    if resaved is not None:
        k, m = args.resaved, table.get((args.resaved, "merge" + RESAVED))
        parts = [f"{name} / merge = {o['cpu_ms'] / m['cpu_ms']:.2f}" if name == "openpyxl"
                 else f"merge / {name} = {m['cpu_ms'] / o['cpu_ms']:.2f}"
                 for name in ("openpyxl", "calamine", "unzip")
                 for o in [table.get((k, name + RESAVED))] if o and m]
        print(f"  N={k}, LibreOffice-saved: " + "; ".join(parts))
    pw = [b / a for a, b in pairs]
    print(f"check one workbook: {med([b for _, b in pairs]) * 1000:.0f} ms wall vs python -c pass "
          f"{med([a for a, _ in pairs]) * 1000:.0f} ms; median of {len(pairs)} paired ratios {med(pw):.2f}x")
    if args.markdown:
        args.markdown.write_text(markdown(info, table, table_sizes, pairs, start_cpu, start_wall,
                                          args.resaved if resaved is not None else 0), encoding="utf-8")
    if args.json:
        args.json.write_text(json.dumps({"info": info, "runs": runs, "check_pairs": pairs,
                                         "table": {f"{n}/{k}": v for (n, k), v in table.items()}},
                                        ensure_ascii=False, indent=1))
    if args.dir is None:
        shutil.rmtree(base, ignore_errors=True)


if __name__ == "__main__":
    main()
