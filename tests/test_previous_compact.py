"""``merge --previous`` with last year's summary: the compact store of last year's units.

Last year's 明细 is held as one flat array (``toolkit.merge.lastyear.LastYear``), not
as a dict of Report objects. These tests compare it with a reference read of the
same 明细 by openpyxl (an independent reader) into the dict of Reports the merge used
before, unit by unit, and a whole ``merge --previous`` (findings and every cell of the
summary) with the one the reference dict gives.
"""

from __future__ import annotations

import gc
import pickle
import random
import tracemalloc
from pathlib import Path

import openpyxl
import pytest

from conftest import make_report
from lo import convert, needs_libreoffice
from toolkit.demo.sample import sample_info
from toolkit.engine.report import Report
from toolkit.merge import run as merge_run
from toolkit.merge.columns import norm_name
from toolkit.merge.lastyear import LastYear
from toolkit.merge.run import MergeResult, UnitResult, apply_merge_rules, data_columns, load_previous, merge, \
    sum_units
from toolkit.merge.summary import DETAIL, DETAIL_FIRST_ROW, write_summary
from toolkit.spec import get_edition


def reference_last_year(path: Path) -> dict:
    """``{norm name: Report}`` from 明细 read by openpyxl, with the rules the merge has
    always applied: row 1 holds the keys; numbers of data cells only; a row without a
    unit or without numbers is skipped; a later row of a unit replaces an earlier one
    unless it was not counted (计入汇总 否). Numbers typed as the toolkit's reader types
    them: whole numbers below 2**53 are ints, anything else a float."""
    wb = openpyxl.load_workbook(path, read_only=True, data_only=True)
    meta = {r[0]: r[1] for r in wb["xxgk"].iter_rows(values_only=True)}
    ed = get_edition(meta["edition"])
    rows = list(wb[DETAIL].iter_rows(values_only=True))
    wb.close()
    ids = rows[0]
    out: dict = {}
    for row in rows[DETAIL_FIRST_ROW:]:
        values, unit, included = {}, "", ""
        for key, v in zip(ids, row):
            if v is None or key is None:
                continue
            if key in ed.by_id:
                if isinstance(v, (int, float)) and not isinstance(v, bool):
                    values[key] = v if isinstance(v, float) or abs(v) < 2 ** 53 else float(v)
            elif key == "unit":
                unit = str(v).strip()
            elif key == "included":
                included = str(v)
        if not unit or not values:
            continue
        k = norm_name(unit)
        if k in out and not included.startswith("是"):
            continue
        out[k] = Report(path=f"{path.name}（{DETAIL}：{unit}）", edition=ed.key, kind="template",
                        info={"unit_name": unit}, values=values)
    return out


def _last_year_summary(path: Path, n: int, year: int = 2023) -> list:
    """A summary written by write_summary: ints, fractional amounts, a huge int, a unit twice
    (the second row not counted), a row without a unit name."""
    cols = data_columns("2021")
    rng = random.Random(5)
    units = []
    for i in range(n):
        vals = [rng.choice([0, 1, 2, 7, 40, 123456]) for _ in cols]
        vals[i % len(cols)] = 2.5 + i  # a fraction somewhere
        if i == 3:
            vals[0] = 2 ** 60  # beyond a double's exact integers
        units.append(UnitResult(file=f"{i}.xlsx", unit=f"第{i:03d}号镇", year=year, edition="2021",
                                kind="template", values=tuple(vals), included=True))
    dup = UnitResult(file="dup.xlsx", unit="第001号镇", year=year, edition="2021", kind="template",
                     values=tuple(9 for _ in cols), included=False, excluded_reason="重复")
    units.append(dup)
    units.append(UnitResult(file="nameless.xlsx", unit="", year=year, edition="2021", kind="template",
                            values=tuple(1 for _ in cols), included=True))
    result = MergeResult(folder=str(path.parent), created="2026-01-01 00:00:00", name="测试区（汇总）")
    result.units = units
    apply_merge_rules(result, year)
    sum_units(result)
    write_summary(result, path)
    return units


def _as_tuple(rep: Report) -> tuple:
    return (rep.path, rep.edition, rep.kind, rep.info, rep.unit, rep.year, rep.texts, rep.invalid,
            sorted((k, type(v).__name__, v) for k, v in rep.values.items()))


def test_compact_last_year_equals_the_reference_read(tmp_path):
    summary = tmp_path / "上年汇总.xlsx"
    _last_year_summary(summary, 40)
    last = load_previous(summary)
    assert isinstance(last, LastYear)
    ref = reference_last_year(summary)
    for r in ref.values():
        r.info["year"] = 2023
    assert list(last) == list(ref) and len(last) == 41  # the nameless file is named by its file
    for k in ref:
        assert _as_tuple(last[k]) == _as_tuple(ref[k]), k
    assert last["第003号镇"].values[data_columns("2021")[0]] == float(2 ** 60)
    assert last["第001号镇"].values[data_columns("2021")[0]] != 9  # the uncounted duplicate lost
    assert last.get("没有这个单位") is None and "第001号镇" in last
    assert last.years() == {2023}
    # a worker started by spawn gets it pickled: the same mapping
    again = pickle.loads(pickle.dumps(last))
    assert [(_as_tuple(again[k])) for k in again] == [_as_tuple(ref[k]) for k in ref]


def test_last_year_is_held_compactly(tmp_path):
    """300 units × 210 cells: ~9 bytes a cell (a dict of Reports took ~6 times that)."""
    summary = tmp_path / "上年汇总.xlsx"
    _last_year_summary(summary, 300)
    load_previous(summary)  # imports, caches
    gc.collect()
    tracemalloc.start()
    try:
        base = tracemalloc.get_traced_memory()[0]
        last = load_previous(summary)
        gc.collect()
        held = tracemalloc.get_traced_memory()[0] - base
    finally:
        tracemalloc.stop()
    cells = 300 * len(get_edition("2021").by_id)
    assert len(last) == 301
    print(f"{held} bytes for {cells} cells")
    assert held < cells * 14, f"{held} bytes for {cells} cells"


@pytest.fixture(scope="module")
def two_years(tmp_path_factory):
    """Last year's folder (merged into a summary) and this year's, 26 units each."""
    root = tmp_path_factory.mktemp("years")
    names = [f"第{i:02d}号镇人民政府" for i in range(26)]
    folders = {}
    for year, seed in ((2023, 100), (2024, 200)):
        folder = root / str(year)
        folder.mkdir()
        for i, name in enumerate(names):
            make_report(folder / f"{name}.xlsx", seed=seed + i, unit=name,
                        info=sample_info(name, "乡镇", year))
        folders[year] = folder
    summary = root / "2023汇总.xlsx"
    merge(folders[2023], summary, workers=1)
    return folders[2024], summary


def _findings(result) -> list:
    return [(u.unit, [(f.rule, f.severity, f.message, [(c.sheet, c.address, c.value) for c in f.cells])
                      for f in u.findings]) for u in result.units]


def _cells(path: Path) -> dict:
    wb = openpyxl.load_workbook(path)
    out = {ws.title: [[c.value for c in row] for row in ws.iter_rows()] for ws in wb.worksheets
           if ws.title != "说明"}
    comments = {ws.title: sorted((c.coordinate, c.comment.text) for row in ws.iter_rows() for c in row
                                 if c.comment) for ws in wb.worksheets}
    return {"cells": out, "notes": comments}


@pytest.mark.parametrize("workers", [1, 2])
def test_merge_previous_same_as_with_a_dict_of_reports(two_years, tmp_path, monkeypatch, workers):
    """The whole merge --previous (forked workers included) with the compact store gives
    the findings and summary cells it gives with last year as a dict of Reports."""
    folder, summary = two_years
    compact = merge(folder, tmp_path / "compact.xlsx", previous=summary, workers=workers)
    ref = reference_last_year(summary)
    for r in ref.values():
        r.info["year"] = 2023
    monkeypatch.setattr(merge_run, "load_previous", lambda *a, **k: ref)
    plain = merge(folder, tmp_path / "plain.xlsx", previous=summary, workers=workers)
    cross = [f for u in compact.units for f in u.findings if f.rule in ("T3-6", "M-6")]
    assert cross, "last year was not compared with"
    assert _findings(compact) == _findings(plain)
    assert _cells(tmp_path / "compact.xlsx") == _cells(tmp_path / "plain.xlsx")


def test_issue_list_rows_are_not_held_in_memory(tmp_path, monkeypatch):
    """问题清单 (one row a finding: 30,000 and more with --previous at 10,000 units) is
    written as sheet XML to a temporary file, not held as XlsxWriter cells until the
    workbook is closed: 3,000 rows of unreadable files (no note in 明细) hold ~2 KB a row
    that way, ~0.4 KB now (formats, the spec's caches)."""
    import xlsxwriter
    n = 3000
    result = MergeResult(folder=str(tmp_path), created="2026-01-01 00:00:00", name="测试区（汇总）")
    result.units = [UnitResult(file=str(tmp_path / f"第{i:04d}号镇的报告.xlsx"),
                               error=f"文件已损坏（第{i}号），无法读取，请重新导出后报送" * 2)
                    for i in range(n)]
    apply_merge_rules(result, 2024)
    sum_units(result)
    write_summary(result, tmp_path / "warm.xlsx")
    held = []
    real_close = xlsxwriter.Workbook.close

    def close(self):
        held.append(tracemalloc.get_traced_memory()[0])  # everything written, nothing saved yet
        return real_close(self)

    monkeypatch.setattr(xlsxwriter.Workbook, "close", close)
    gc.collect()
    tracemalloc.start()
    try:
        write_summary(result, tmp_path / "汇总.xlsx")
    finally:
        tracemalloc.stop()
    rows = list(openpyxl.load_workbook(tmp_path / "汇总.xlsx", read_only=True)["问题清单"]
                .iter_rows(min_row=2, values_only=True))
    assert len(rows) == n and rows[7][1].endswith("第0007号镇的报告.xlsx") and "第7号" in rows[7][6]
    assert held[0] < n * 1000, f"{held[0]} bytes held for {n} rows"


@pytest.mark.libreoffice
@needs_libreoffice
def test_issue_list_written_as_xml_survives_libreoffice(two_years, tmp_path):
    """LibreOffice opens the summary whose 问题清单 rows and links were spliced in as XML and
    saves it again: the same rows, links, and row heights as written."""
    folder, summary = two_years
    out = tmp_path / "汇总.xlsx"
    merge(folder, out, previous=summary, workers=1)
    again = convert(out, "xlsx:Calc MS Excel 2007 XML", tmp_path / "lo")

    def issues(path):
        ws = openpyxl.load_workbook(path)["问题清单"]
        return [([c.value for c in row], row[3].hyperlink.location if row[3].hyperlink else None,
                 round(ws.row_dimensions[row[0].row].height or 0))
                for row in ws.iter_rows(min_row=2)]
    ours, theirs = issues(out), issues(again)
    assert len(ours) > 26 and any(link for _, link, _ in ours) and any(h > 20 for _, _, h in ours)
    assert [(v, link) for v, link, _ in theirs] == [(v, link) for v, link, _ in ours]
    assert [h > 20 for _, _, h in theirs] == [h > 20 for _, _, h in ours]


def test_reading_last_year_imports_no_openpyxl(tmp_path):
    """Last year's summary is read before the workers are forked: whatever it imports, every
    worker holds too (openpyxl with numpy: ~25 MB each). It imports neither."""
    import json
    import subprocess
    import sys
    summary = tmp_path / "上年汇总.xlsx"
    _last_year_summary(summary, 5)
    root = Path(__file__).resolve().parents[1]
    code = ("import sys, json\nfrom toolkit.merge.run import load_previous\n"
            f"assert len(load_previous({str(summary)!r})) == 6\n"
            "print(json.dumps(sorted(m for m in sys.modules if m.split('.')[0] in "
            "('openpyxl', 'numpy', 'xlsxwriter', 'pandas'))))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=root,
                         env={"PYTHONPATH": str(root), "PATH": "/usr/bin:/bin"}, timeout=120)
    assert out.returncode == 0, out.stderr
    assert json.loads(out.stdout.strip().splitlines()[-1]) == []


def test_reading_last_year_gives_the_freed_heap_back(tmp_path):
    """The reader's freed buffers (~13 MB for 3,000 units) go back to the system before the
    workers are forked: trimming the heap again afterwards finds next to nothing."""
    import ctypes
    import subprocess
    import sys
    if getattr(ctypes.CDLL(None), "malloc_trim", None) is None or not Path("/proc/self/status").exists():
        pytest.skip("glibc malloc_trim and /proc only")
    summary = tmp_path / "上年汇总.xlsx"
    _last_year_summary(summary, 3000)
    root = Path(__file__).resolve().parents[1]
    code = ("import ctypes\nfrom toolkit.merge.run import load_previous\n"
            "def rss():\n"
            "    return next(int(l.split()[1]) for l in open('/proc/self/status') if l.startswith('VmRSS'))\n"
            f"last = load_previous({str(summary)!r})\n"
            "before = rss()\nctypes.CDLL(None).malloc_trim(0)\nprint(len(last), before - rss())")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=root,
                         env={"PYTHONPATH": str(root), "PATH": "/usr/bin:/bin"}, timeout=120)
    assert out.returncode == 0, out.stderr
    units, freed_kb = map(int, out.stdout.split())
    assert units == 3001 and freed_kb < 3000, f"{freed_kb} KB were still to give back"


def test_last_year_numbers_are_resident_only_where_read(tmp_path):
    """On POSIX the numbers live in a read-only mapping: a process's resident memory grows
    only by the pages it reads (a forked worker: the units it checks; the main process: none),
    instead of every process counting all of them."""
    import subprocess
    import sys
    if not Path("/proc/self/status").exists():
        pytest.skip("Linux /proc only")
    summary = tmp_path / "上年汇总.xlsx"
    _last_year_summary(summary, 3000)
    root = Path(__file__).resolve().parents[1]
    code = ("from toolkit.merge.run import load_previous\n"
            "def rss():\n"
            "    return next(int(l.split()[1]) for l in open('/proc/self/status') if l.startswith('VmRSS'))\n"
            f"last = load_previous({str(summary)!r})\n"
            "before = rss()\nfor k in last:\n    last.values_of(k)\n"
            "print(last.nbytes(), (rss() - before) * 1024)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=root,
                         env={"PYTHONPATH": str(root), "PATH": "/usr/bin:/bin"}, timeout=120)
    assert out.returncode == 0, out.stderr
    nbytes, grew = map(int, out.stdout.split())
    assert nbytes == 3002 * len(get_edition("2021").by_id) * 9  # a slot a row (the duplicate too)
    assert grew > nbytes // 2, f"reading every unit made {grew} bytes resident of {nbytes}"


def test_reading_last_year_leaves_the_reader_caches_as_they_were(tmp_path):
    """The reader memoises text cells for the template's labels; 明细's unit and file names
    never recur, and kept they were ~28 MB at 10,000 units, in every forked worker too."""
    from toolkit.merge import lastyear
    from toolkit.xlsx import reader
    summary = tmp_path / "上年汇总.xlsx"
    _last_year_summary(summary, 300)
    caches = {n: getattr(reader, n) for n in lastyear._READER_CACHES if isinstance(getattr(reader, n, None), dict)}
    assert caches, "the reader has no memo caches any more: drop _reader_caches_kept"
    before = {n: dict(c) for n, c in caches.items()}
    assert len(lastyear.read_detail(summary, "2021")) == 301
    assert {n: dict(c) for n, c in caches.items()} == before


def test_summary_writer_imports_no_openpyxl():
    """The summary writer gets the meta keys and validations from toolkit.xlsx.common, not from
    the openpyxl template writer: openpyxl with numpy is ~25 MB ``xxgk merge`` need not hold."""
    import json
    import subprocess
    import sys
    root = Path(__file__).resolve().parents[1]
    code = ("import sys, json\nimport toolkit.merge.summary\n"
            "print(json.dumps(sorted(m for m in sys.modules if m.split('.')[0] in ('openpyxl', 'numpy'))))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=root,
                         env={"PYTHONPATH": str(root), "PATH": "/usr/bin:/bin"}, timeout=120)
    assert out.returncode == 0, out.stderr
    assert json.loads(out.stdout.strip().splitlines()[-1]) == []
