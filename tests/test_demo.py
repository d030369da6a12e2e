"""``xxgk demo`` on a fresh directory: writes the district, merges it, says where to look."""

from __future__ import annotations

import time

import openpyxl
from click.testing import CliRunner

from toolkit.cli import main
from toolkit.demo.run import DEPARTMENTS, DUPLICATED, MISSING_UNIT, TOWNSHIPS


def test_demo_runs_and_points_to_the_summary(tmp_path):
    target = tmp_path / "demo"
    t0 = time.time()
    res = CliRunner().invoke(main, ["demo", str(target)])
    elapsed = time.time() - t0
    assert res.exit_code == 0, res.output
    assert elapsed < 20
    summaries = list(target.glob("*汇总表.xlsx"))
    assert len(summaries) == 1
    assert str(summaries[0]) in res.output and "问题清单" in res.output and "明细" in res.output
    reports = list((target / "各单位报告").glob("*.xlsx"))
    assert len(reports) == len(TOWNSHIPS) + len(DEPARTMENTS) + 1  # one unit sent twice
    wb = openpyxl.load_workbook(summaries[0])
    issues = [[c.value for c in row] for row in wb["问题清单"].iter_rows(min_row=2)]
    found = {(row[0], row[4]) for row in issues}
    assert ("石桥镇人民政府", "S-2") in found  # a total typed over
    assert ("柳湾乡人民政府", "T3-1") in found  # 一+二 ≠ 七+四
    assert ("柳湾乡人民政府", "R-2") in found  # 无 in a number cell
    # the unit that sent the same workbook twice is counted once (M-9 on the extra copy)
    assert sum(1 for row in issues if row[0] == DUPLICATED and row[4] == "M-9") == 1
    assert (MISSING_UNIT, "M-4") in found
    # running it again overwrites its own files
    again = CliRunner().invoke(main, ["demo", str(target)])
    assert again.exit_code == 0, again.output
    assert len(list((target / "各单位报告").glob("*.xlsx"))) == len(reports)
