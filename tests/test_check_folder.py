"""``xxgk check FOLDER``: the merge pool, its progress bar, and --only-failures."""

from __future__ import annotations

import json
import shutil

import pytest
from click.testing import CliRunner

from conftest import make_report
from toolkit.cli import main
from toolkit.engine.check import check
from toolkit.merge.checks import check_files


@pytest.fixture(scope="module")
def folder(tmp_path_factory):
    """31 files (enough for the pool): 28 good, two with errors, one unreadable."""
    d = tmp_path_factory.mktemp("check-folder") / "报告"
    d.mkdir()
    first, _ = make_report(d / "单位00.xlsx", seed=0, unit="单位00")
    for i in range(1, 28):
        shutil.copy(first, d / f"单位{i:02d}.xlsx")  # same unit: check does not mind
    make_report(d / "出错甲.xlsx", seed=1, unit="出错甲", overrides={"t3.new.total": 999})
    make_report(d / "出错乙.xlsx", seed=2, unit="出错乙", overrides={"t3.public.natural": "很多"})
    (d / "坏文件.xlsx").write_bytes(b"not a workbook")
    return d


def run(*args):
    return CliRunner().invoke(main, ["check", *map(str, args)])


def test_folder_check_in_pool_equals_one_by_one(folder):
    paths = sorted(folder.iterdir())
    pooled = check_files(paths, workers=2)
    assert [r.file for r in pooled] == [str(p) for p in paths]
    one_by_one = [check(p) for p in paths]
    assert [r.to_dict() for r in pooled] == [r.to_dict() for r in one_by_one]
    assert sorted(r.verdict for r in pooled if r.verdict != "pass") == ["fail", "fail", "unreadable"]


def test_folder_check_progress_and_exit_status(folder):
    res = run(folder, "--progress", "--workers", "2")
    assert res.exit_code == 2
    assert "检查中" in res.output and "31/31" in res.output
    assert "共 31 个文件：通过 28，待核实 0，未通过 2，无法读取 1" in res.output


def test_only_failures_lists_only_failed_and_unreadable_files(folder):
    res = run(folder, "--only-failures", "--no-progress")
    assert res.exit_code == 2
    verdict_lines = [line for line in res.output.splitlines() if line.startswith("【")]
    assert len(verdict_lines) == 3, res.output
    assert all(line.startswith(("【未通过】", "【无法读取】")) for line in verdict_lines)
    assert "单位00" not in res.output
    assert "共 31 个文件：通过 28" in res.output


def test_folder_check_json_is_complete(folder):
    res = run(folder, "--json", "--no-progress")
    data = json.loads(res.output)
    assert len(data) == 31


def test_merge_pool_sees_last_years_reports(tmp_path):
    """Workers get last year's reports (inherited through fork, or pickled): the
    year-over-year findings of a pooled merge equal those of a one-process merge."""
    from toolkit.demo.sample import sample_info
    from toolkit.merge.run import merge
    this, last = tmp_path / "今年", tmp_path / "去年"
    this.mkdir()
    last.mkdir()
    for i in range(26):
        unit = f"第{i:02d}号镇人民政府"
        make_report(this / f"{unit}.xlsx", seed=i, unit=unit, info=sample_info(unit, "乡镇", 2022))
        if i % 6 == 0:  # 2021: the year before
            make_report(last / f"{unit}.xlsx", seed=100 + i, unit=unit)
    pooled = merge(this, None, previous=last, workers=2)
    alone = merge(this, None, previous=last, workers=1)
    key = [(u.unit, sorted(f.message for f in u.findings)) for u in pooled.units]
    assert key == [(u.unit, sorted(f.message for f in u.findings)) for u in alone.units]
    assert any(f.rule == "M-6" or "上年" in f.message for u in pooled.units for f in u.findings)
