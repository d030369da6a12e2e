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


# -- issue #13: the demo's marks point at the cause ----------------------------------------

import re  # noqa: E402

import pytest  # noqa: E402

from toolkit.demo.run import build_demo  # noqa: E402
from toolkit.engine.check import check  # noqa: E402
from toolkit.spec import get_edition  # noqa: E402
from toolkit.xlsx.styles import CANDIDATE_FILLS, LIGHT_FILLS, SEVERITY_FILLS  # noqa: E402

ED = get_edition("2021")
T3 = ED.by_id["t3.new.natural"].sheet


@pytest.fixture(scope="module")
def demo(tmp_path_factory):
    return build_demo(tmp_path_factory.mktemp("demo13") / "demo", workers=1)


def _report(demo, short):
    return next(p for p in demo.reports.glob("*.xlsx") if p.name.startswith(short))


def _fill(cell):
    f = cell.fill
    return f.fgColor.rgb[-6:].upper() if f is not None and f.fill_type else None


def test_shiqiao_annotated_copy_marks_d28_as_the_culprit_with_7(demo, tmp_path):
    from toolkit.marks.annotate import annotate_file
    src = _report(demo, "石桥镇")
    result = check(src)
    errors = [f for f in result.findings if f.severity == "error"]
    assert len(errors) == 1  # one cause: the typed-over total
    f = errors[0]
    assert f.culprit == "t3.results_total.natural" and f.suggested == 7
    assert "D28 应为 7（按（一）至（六）各项之和）" in f.message
    out = annotate_file(src, tmp_path / "石桥镇-校验.xlsx", result)
    ws = openpyxl.load_workbook(out)[T3]
    notes = {c.coordinate: c.comment.text for row in ws.iter_rows() for c in row if c.comment}
    assert list(notes) == ["D28"] and "D28 应为 7" in notes["D28"]
    assert _fill(ws["D28"]) == SEVERITY_FILLS["error"]
    # at most the cells of the broken rules, lightly
    broken = {ED.by_id[t.cell].address for r in ED.rules if r.id in f.rules
              and ED.by_id["t3.results_total.natural"].id in r.cells() for t in r.lhs + r.rhs}
    light = {c.coordinate for row in ws.iter_rows() for c in row if _fill(c) == LIGHT_FILLS["error"]}
    assert light and light <= broken - {"D28"}
    marked = {c.coordinate for row in ws.iter_rows() for c in row
              if _fill(c) in (SEVERITY_FILLS["error"], CANDIDATE_FILLS["error"], LIGHT_FILLS["error"])}
    assert marked == light | {"D28"}


def test_liuwan_reports_each_cause_once(demo):
    result = check(_report(demo, "柳湾乡"))
    errors = [f for f in result.findings if f.severity == "error"]
    assert sorted(f.rule for f in errors) == ["R-2", "T3-1"]  # 一+二≠七+四 once, 无 once
    t31 = next(f for f in errors if f.rule == "T3-1")
    # the 总计 column's T3-1 is a consequence of the same cell: part of the one finding
    assert t31.message.count("T3-1 “总计”列") == 1 and "t3.public.natural" in {
        c["cell"] for c in t31.candidates}
    assert result.counts["error"] == 2


def test_summary_marks_only_the_columns_the_error_units_break(demo):
    wb = openpyxl.load_workbook(demo.summary)
    units = {u.unit: u for u in demo.merge.included}
    erring = {name: u for name, u in units.items()
              if any(f.severity == "error" for f in u.findings)}
    assert set(erring) == {"石桥镇人民政府", "柳湾乡人民政府"}
    # the columns (table 三) and groups (table 四) the error units' findings break
    allowed = set()
    for u in erring.values():
        for f in u.findings:
            if f.severity != "error":
                continue
            for ref in f.cells:
                c = ED.by_id.get(ref.cell_id)
                if c is None or c.table not in ("t3", "t4"):
                    continue
                same = [x for x in ED.data_cells(c.table)
                        if (x.col == c.col if c.table == "t3" else x.row == c.row)]
                allowed.update((x.sheet, x.address) for x in same)
    marked, noted = set(), set()
    for c in ED.data_cells():
        cell = wb[c.sheet][c.address]
        if _fill(cell) == SEVERITY_FILLS["error"]:
            marked.add((c.sheet, c.address))
        if cell.comment is not None:
            noted.add((c.sheet, c.address))
            assert "柳湾乡人民政府" in cell.comment.text and "石桥镇" not in cell.comment.text
    assert marked == noted and marked <= allowed, sorted(marked - allowed)
    # 石桥镇's typed-over total reaches nothing; 柳湾乡's doubt: its 自然人 column (D6 or D7 and
    # the totals they feed) and its 行政复议·结果维持 (“无”)
    t3 = {a for s, a in marked if s == T3}
    assert t3 == {"D6", "J6", "D7", "J7", "D28", "J28"}
    assert "含 柳湾乡人民政府 的“自然人”列，可能差 1" in wb[T3]["D28"].comment.text
    assert {a for s, a in marked if s != T3} == {"A5", "E5"}
    assert len(marked) == 8 < len(ED.data_cells("t3"))


def test_every_issue_list_link_lands_on_the_cell_it_names(demo):
    wb = openpyxl.load_workbook(demo.summary)
    detail = wb["明细"]
    ids = {col: detail.cell(1, col).value for col in range(1, detail.max_column + 1)}
    by_ref = {c.ref: c.id for c in ED.cells}
    n = 0
    linked = set()
    for row in wb["问题清单"].iter_rows(min_row=2):
        link = row[3].hyperlink
        if link is None:
            assert not row[0].value or row[1].value == "（未报送）", [c.value for c in row]
            continue
        m = re.fullmatch(r"'明细'!([A-Z]+)(\d+)", link.location)
        target = detail[f"{m.group(1)}{m.group(2)}"]
        assert detail.cell(target.row, 1).value == row[0].value  # the unit's row
        assert detail.cell(target.row, 3).value == row[1].value  # the file's row
        named = by_ref[row[3].value]
        want = {"info.unit_name": "unit", "info.unit_type": "unit_type"}.get(named, named)
        assert ids[target.column] == want, (row[3].value, link.location)
        assert target.comment is not None and row[4].value in target.comment.text
        n += 1
        linked.add((row[0].value, row[4].value))
    assert n >= 3
    assert {("石桥镇人民政府", "S-2"), ("柳湾乡人民政府", "T3-1"), ("柳湾乡人民政府", "R-2")} <= linked
