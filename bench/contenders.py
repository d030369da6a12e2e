"""The contenders of ``bench_merge.py``, each run as its own child process.

``python bench/contenders.py NAME FOLDER [--previous SUMMARY] [--out FILE]`` reads
every ``.xlsx`` of FOLDER and prints one JSON line: files, a checksum of the
values read (all contenders that read values must agree), and the phases it
timed itself.  The parent measures CPU time, wall time and peak memory of the
whole child process tree (``os.wait4``).

Contenders:

* ``merge``: ``toolkit.merge.run.merge`` — what ``xxgk merge FOLDER -o OUT`` runs:
  discover, read and check every workbook in the process pool, merge rules,
  sums and the summary workbook with notes, links and charts.
* ``openpyxl``: a competent openpyxl script: ``load_workbook(read_only=True,
  data_only=True)``, ``iter_rows(values_only=True)`` over the sheets holding
  data cells, the data cells picked by position and summed (no checks).
* ``pandas``: ``pandas.read_excel(engine="calamine", header=None)`` of the same
  sheets, cells picked with ``iat`` and summed.
* ``calamine``: python-calamine directly (``CalamineWorkbook``,
  ``to_python()`` of the same sheets), cells picked and summed.
* ``unzip``: the floor — inflating every member of every package, nothing parsed.
* ``python``: nothing at all (interpreter start-up, for the ``check`` pairs).
"""

from __future__ import annotations

import json
import resource
import sys
import time
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))


def _targets(edition: str | None = None):
    """{sheet: [(row index, col index, cell id)]} of the input cells (0-based)."""
    from toolkit.merge.run import data_columns
    from toolkit.spec import DEFAULT_EDITION, get_edition
    edition = edition or DEFAULT_EDITION
    from toolkit.xlsx.cellref import split_ref
    ed = get_edition(edition)
    out: dict = {}
    for cid in data_columns(edition):
        c = ed.by_id[cid]
        if c.kind != "input":
            continue
        col, row = split_ref(c.address)
        out.setdefault(c.sheet, []).append((row - 1, col - 1, cid))
    return out


def _files(folder: str) -> list:
    return sorted(p for p in Path(folder).iterdir() if p.suffix == ".xlsx" and not p.name.startswith("."))


def _num(v) -> float:
    return v if isinstance(v, (int, float)) and not isinstance(v, bool) else 0


def run_openpyxl(files, targets) -> float:
    import openpyxl
    total = 0.0
    for f in files:
        wb = openpyxl.load_workbook(f, read_only=True, data_only=True)
        for sheet, cells in targets.items():
            rows = list(wb[sheet].iter_rows(values_only=True))
            for r, c, _ in cells:
                if r < len(rows) and c < len(rows[r]):
                    total += _num(rows[r][c])
        wb.close()
    return total


def run_pandas(files, targets) -> float:
    import pandas as pd
    total = 0.0
    sheets = list(targets)
    for f in files:
        frames = pd.read_excel(f, sheet_name=sheets, header=None, engine="calamine")
        for sheet, cells in targets.items():
            df = frames[sheet]
            for r, c, _ in cells:
                if r < df.shape[0] and c < df.shape[1]:
                    v = df.iat[r, c]
                    total += _num(v.item() if hasattr(v, "item") else v) if v == v else 0
    return total


def run_calamine(files, targets) -> float:
    from python_calamine import CalamineWorkbook
    total = 0.0
    for f in files:
        wb = CalamineWorkbook.from_path(str(f))
        for sheet, cells in targets.items():
            rows = wb.get_sheet_by_name(sheet).to_python()
            for r, c, _ in cells:
                if r < len(rows) and c < len(rows[r]):
                    total += _num(rows[r][c])
    return total


def run_unzip(files, targets) -> float:
    n = 0
    for f in files:
        with zipfile.ZipFile(f) as zf:
            for info in zf.infolist():
                n += len(zf.read(info))
    return float(n)


def main(argv=None) -> None:
    args = list(sys.argv[1:] if argv is None else argv)
    name, folder = args[0], args[1]
    opts = dict(zip(args[2::2], args[3::2]))
    t0 = time.perf_counter()
    out: dict = {"contender": name}
    if name == "python":
        print(json.dumps(out))
        return
    limit = int(opts.get("--limit", 0))
    if name == "merge":
        from toolkit.merge import run as merge_run
        from toolkit.spec import get_edition
        phases = {}
        real_checks = merge_run.run_checks

        def timed(key, fn):
            def inner(*a, **k):
                t, c = time.perf_counter(), time.process_time()
                try:
                    return fn(*a, **k)
                finally:
                    phases[key] = {"wall": time.perf_counter() - t, "main_cpu": time.process_time() - c}
            return inner

        timed_checks = timed("read_and_check", real_checks)

        def checks_then_time_the_writer(*a, **k):
            # toolkit.merge.summary (XlsxWriter, openpyxl, numpy) is imported only once the
            # workers are done, as `xxgk merge` does: imported before, every forked worker
            # would hold it too and the peak memory measured would not be the command's
            out = timed_checks(*a, **k)
            from toolkit.merge import summary as summary_mod
            summary_mod.write_summary = timed("write_summary", summary_mod.write_summary)
            return out

        merge_run.run_checks = checks_then_time_the_writer
        merge_run.load_previous = timed("load_previous", merge_run.load_previous)
        prev = opts.get("--previous")
        result = merge_run.merge(folder, opts.get("--out"), previous=prev, force=True)  # its scratch folder
        out["files"] = len(result.units)
        ed = get_edition(result.edition)
        out["checksum"] = round(sum(v for k, v in result.totals.items() if ed.by_id[k].kind == "input"), 4)
        out["errors"] = result.counts["error"]
        out["phases"] = phases
    else:
        files = _files(folder)
        if limit:
            files = files[:limit]
        targets = _targets()
        fn = {"openpyxl": run_openpyxl, "pandas": run_pandas, "calamine": run_calamine,
              "unzip": run_unzip}[name]
        total = fn(files, targets)
        out["files"] = len(files)
        out["checksum"] = round(total, 4) if name != "unzip" else None
    out["self_wall"] = time.perf_counter() - t0
    out["main_maxrss_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    out["worker_maxrss_mb"] = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    out["main_cpu"] = sum(resource.getrusage(resource.RUSAGE_SELF)[:2])
    out["workers_cpu"] = sum(resource.getrusage(resource.RUSAGE_CHILDREN)[:2])
    print(json.dumps(out, ensure_ascii=False))


if __name__ == "__main__":
    main()
