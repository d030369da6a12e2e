"""The register of requests (依申请公开登记台账) → table 三, and its template.

The expected counts below were counted by hand from the rows listed in
``tests/fixtures/make_register_fixture.py`` (each row's 收到日期 / 办结日期
placed against 1 January and 31 December), not computed by the toolkit.
"""

from __future__ import annotations

import hashlib
from datetime import date
from pathlib import Path

import openpyxl
import pytest
from click.testing import CliRunner

from lo import needs_libreoffice, recalculated_values
from toolkit.cli import main
from toolkit.fill.core import FillError, fill
from toolkit.fill.register import RegisterError, load_register, parse_date, register_counts
from toolkit.engine.report import read_report
from toolkit.spec import get_edition

FIXTURE = Path(__file__).parent / "fixtures" / "register_2021.xlsx"
PARTIES = ["natural", "commercial", "research", "nonprofit", "legal", "other"]
TODAY = date(2024, 6, 1)

# Hand-counted table 三 of the fixture for the 2021 report.
# row key: (自然人, 商业企业, 科研机构, 社会公益组织, 法律服务机构, 其他, 总计)
EXPECTED_2021 = {
    "new":             (19, 5, 2, 2, 3, 2, 33),
    "carried_in":      (3, 1, 0, 0, 1, 1, 6),
    "public":          (5, 1, 1, 0, 0, 0, 7),
    "partial":         (1, 1, 0, 0, 0, 1, 3),
    "withheld_1":      (0, 0, 1, 0, 0, 0, 1),
    "withheld_2":      (1, 0, 0, 0, 0, 0, 1),
    "withheld_3":      (0, 0, 0, 1, 0, 0, 1),
    "withheld_4":      (2, 0, 0, 0, 0, 0, 2),
    "withheld_5":      (0, 1, 0, 0, 0, 0, 1),
    "withheld_6":      (1, 0, 0, 0, 0, 0, 1),
    "withheld_7":      (0, 0, 0, 0, 1, 0, 1),
    "withheld_8":      (1, 0, 0, 0, 0, 0, 1),
    "unable_1":        (1, 0, 0, 0, 1, 1, 3),
    "unable_2":        (1, 0, 0, 0, 0, 0, 1),
    "unable_3":        (0, 1, 0, 0, 0, 0, 1),
    "not_processed_1": (1, 0, 0, 0, 0, 0, 1),
    "not_processed_2": (1, 0, 0, 0, 0, 0, 1),
    "not_processed_3": (0, 0, 0, 1, 0, 0, 1),
    "not_processed_4": (1, 0, 0, 0, 0, 0, 1),
    "not_processed_5": (0, 0, 0, 0, 1, 0, 1),
    "other_1":         (1, 0, 0, 0, 0, 0, 1),
    "other_2":         (0, 1, 0, 0, 0, 0, 1),
    "other_3":         (1, 0, 0, 0, 0, 0, 1),
    "results_total":   (18, 5, 2, 2, 3, 2, 32),
    "carry_forward":   (4, 1, 0, 0, 1, 1, 7),
}
# The same register for the 2022 report: what was open at the end of 2021.
EXPECTED_2022_NONZERO = {
    "carried_in":    (4, 1, 0, 0, 1, 1, 7),
    "public":        (2, 0, 0, 0, 0, 0, 2),
    "partial":       (0, 1, 0, 0, 0, 0, 1),
    "results_total": (2, 1, 0, 0, 0, 0, 3),
    "carry_forward": (2, 0, 0, 0, 1, 1, 4),
}


def _sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _t3_from_workbook(path: Path, edition: str) -> dict:
    """Table 三 of a filled workbook as row key -> 7 numbers (openpyxl, cached
    values not used: inputs read directly, totals recomputed by the reader)."""
    rep = read_report(path)
    ed = get_edition(edition)
    rows = {c.row for c in ed.data_cells("t3")}
    return {r: tuple(rep.values[f"t3.{r}.{p}"] for p in PARTIES + ["total"]) for r in rows}


def test_fixture_counts_2021_end_to_end(tmp_path):
    before = _sha(FIXTURE)
    out = tmp_path / "2021.xlsx"
    result = fill(out, register=FIXTURE, year=2021, unit="某某镇人民政府", today=TODAY)
    assert result.requests == 42  # every listed row (3 concluded in 2020 are read but not counted)
    got = _t3_from_workbook(out, "2021")
    assert got == EXPECTED_2021
    # the inputs are written as plain numbers at the cells the spec names
    wb = openpyxl.load_workbook(out)
    ws = wb["三、依申请公开"]
    ed = get_edition("2021")
    for row, counts in EXPECTED_2021.items():
        for p, n in zip(PARTIES, counts):
            c = ed.by_id[f"t3.{row}.{p}"]
            if c.kind == "input":
                assert ws[c.address].value == n, c.id
    assert _sha(FIXTURE) == before  # the register is never modified


@needs_libreoffice
@pytest.mark.libreoffice
def test_fixture_totals_recalculated_by_libreoffice(tmp_path):
    """An independent engine recalculates the template's formulas over the filled
    inputs: every 总计 and （七）总计 equals the hand-counted table; a unit name
    starting with "=" stays text."""
    out = tmp_path / "2021.xlsx"
    fill(out, register=FIXTURE, year=2021, unit="=1+1", today=TODAY)
    wb = recalculated_values(out, tmp_path)
    ws = wb["三、依申请公开"]
    # the （七）总计 row located by its printed label (column B), 自然人 in column D
    total_row = next(r for r in range(5, 40) if ws.cell(r, 2).value == "（七）总计")
    assert ws.cell(total_row, 4).value == 18 and ws.cell(total_row, 10).value == 32
    for row, counts in EXPECTED_2021.items():
        c = get_edition("2021").by_id[f"t3.{row}.total"]
        assert ws[c.address].value == counts[6], row
    assert wb["封面"]["B12"].value == "=1+1"


def test_fixture_counts_2022():
    counts = register_counts(FIXTURE, 2022, today=TODAY)
    ed = get_edition("2021")
    for c in ed.inputs():
        if c.table != "t3":
            continue
        expected = EXPECTED_2022_NONZERO.get(c.row, (0,) * 7)[PARTIES.index(c.col)]
        assert counts[c.id] == expected, c.id


def test_fixture_satisfies_printed_rule():
    # 一 + 二 = （七）总计 + 四 in every column of the hand table itself.
    for i in range(7):
        e = EXPECTED_2021
        assert e["new"][i] + e["carried_in"][i] == e["results_total"][i] + e["carry_forward"][i]


# ---------------------------------------------------------------------------
# Bad rows: each kind, with its exact message
# ---------------------------------------------------------------------------

HEADERS = ["序号/申请编号", "收到日期", "申请人类型", "申请内容摘要", "办理结果", "办结日期", "备注"]
GOOD = (1, date(2021, 3, 1), "自然人", "某事项", "（一）予以公开", date(2021, 3, 10), None)


def _register(tmp_path, *rows, name="reg.xlsx") -> Path:
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "登记台账"
    ws.append(HEADERS)
    for r in rows:
        ws.append(list(r))
    path = tmp_path / name
    wb.save(path)
    return path


TYPES = "自然人、商业企业、科研机构、社会公益组织、法律服务机构、其他"
BAD_ROWS = [
    ("unknown type", (2, date(2021, 3, 1), "个人", "x", None, None, None),
     ["第 3 行：申请人类型“个人”无法识别，应为以下之一：" + TYPES]),
    ("unknown result", (2, date(2021, 3, 1), "自然人", "x", "同意公开", date(2021, 3, 2), None),
     ["第 3 行：办理结果“同意公开”无法识别，请从下拉列表中选择（可选项见台账模板的“说明”工作表）"]),
    ("result without date", (2, date(2021, 3, 1), "自然人", "x", "（一）予以公开", None, None),
     ["第 3 行：已填写办理结果，但未填写办结日期"]),
    ("date without result", (2, date(2021, 3, 1), "自然人", "x", None, date(2021, 3, 2), None),
     ["第 3 行：已填写办结日期，但未填写办理结果（尚未办结的申请请把办结日期留空）"]),
    ("concluded before received", (2, date(2021, 3, 5), "自然人", "x", "（一）予以公开", date(2021, 3, 1), None),
     ["第 3 行：办结日期 2021-03-01 早于收到日期 2021-03-05"]),
    ("received after year end", (2, date(2022, 1, 3), "自然人", "x", None, None, None),
     ["第 3 行：收到日期 2022-01-03 晚于报告年度（2021年）末，下一年度收到的申请不能计入本年度报告"]),
    ("received before 2000", (2, date(1999, 12, 31), "自然人", "x", None, None, None),
     ["第 3 行：收到日期 1999-12-31 早于 2000 年，请检查"]),
    ("after today", (2, date(2021, 3, 1), "自然人", "x", "（一）予以公开", date(2024, 7, 1), None),
     ["第 3 行：办结日期 2024-07-01 晚于今天（2024-06-01），请检查"]),
    ("unparseable date", (2, "三月五日", "自然人", "x", None, None, None),
     ["第 3 行：收到日期“三月五日”无法识别为日期（请填写如 2021-03-05 的日期）"]),
    ("impossible date", (2, "2021-02-30", "自然人", "x", None, None, None),
     ["第 3 行：收到日期“2021-02-30”无法识别为日期（请填写如 2021-03-05 的日期）"]),
    ("missing received", (2, None, "自然人", "x", None, None, None),
     ["第 3 行：未填写收到日期"]),
    ("missing type", (2, date(2021, 3, 1), None, "x", None, None, None),
     ["第 3 行：未填写申请人类型"]),
    ("2019 result in a 2021 report", (2, date(2021, 3, 1), "自然人", "x", "（六）其他处理", date(2021, 3, 2), None),
     ["第 3 行：办理结果“（六）其他处理”是 2019 版表格的栏目，2021 年度报告使用 2021 版表格，请改选 "
      "“（六）其他处理/1.申请人无正当理由逾期不补正、行政机关不再处理其政府信息公开申请”、"
      "“（六）其他处理/2.申请人逾期未按收费通知要求缴纳费用、行政机关不再处理其政府信息公开申请”、"
      "“（六）其他处理/3.其他”"]),
]


@pytest.mark.parametrize("case,row,messages", BAD_ROWS, ids=[c[0] for c in BAD_ROWS])
def test_bad_row_message(tmp_path, case, row, messages):
    path = _register(tmp_path, GOOD, row)
    with pytest.raises(RegisterError) as exc:
        load_register(path, "2021", 2021, today=TODAY)
    assert [m for _r, m in exc.value.problems] == messages
    assert all(r == 3 for r, _m in exc.value.problems)
    # and fill writes nothing
    out = tmp_path / "out.xlsx"
    with pytest.raises((FillError, RegisterError)) as exc2:
        fill(out, register=path, year=2021, today=TODAY)
    assert messages[0] in str(exc2.value)
    assert not out.exists()


def test_every_bad_row_reported_at_once(tmp_path):
    path = _register(tmp_path, GOOD, BAD_ROWS[0][1], GOOD, BAD_ROWS[2][1], (9, None, None, None, None, None, "备注"))
    with pytest.raises(RegisterError) as exc:
        load_register(path, "2021", 2021, today=TODAY)
    assert [r for r, _m in exc.value.problems] == [3, 5]  # a row with only 序号/备注 is not a request
    assert "有 2 处问题" in str(exc.value)


def test_2019_register_result_for_other_years_not_an_error(tmp_path):
    # A 2019-edition result concluded before the year does not matter.
    old = (2, date(2020, 3, 1), "自然人", "x", "（六）其他处理", date(2020, 3, 2), None)
    path = _register(tmp_path, GOOD, old)
    counts = register_counts(path, 2021, today=TODAY)
    assert counts["t3.public.natural"] == 1 and counts["t3.carried_in.natural"] == 0
    # in a 2020 report (2019 edition) it is counted under （六）其他处理
    path2020 = _register(tmp_path, old, name="r2020.xlsx")
    assert register_counts(path2020, 2020, today=TODAY)["t3.other.natural"] == 1


def test_missing_header(tmp_path):
    wb = openpyxl.Workbook()
    wb.active.append(["日期", "类型"])
    path = tmp_path / "x.xlsx"
    wb.save(path)
    with pytest.raises(RegisterError) as exc:
        load_register(path, "2021", 2021)
    assert "找不到登记表的表头" in str(exc.value) and str(path) in str(exc.value)


def test_not_a_workbook(tmp_path):
    path = tmp_path / "x.xlsx"
    path.write_text("收到日期,申请人类型\n", encoding="utf-8")
    out = tmp_path / "o.xlsx"
    with pytest.raises(FillError) as exc:
        fill(out, register=path, year=2021)
    assert "登记台账无法读取" in str(exc.value) and "不是 Excel 工作簿文件" in str(exc.value)
    assert not out.exists()


@pytest.mark.parametrize("raw,expected", [
    (44197, date(2021, 1, 1)),  # Excel serial (1900 date system)
    (44260, date(2021, 3, 5)),
    (44260.75, date(2021, 3, 5)),  # date with a time
    ("2021-03-05", date(2021, 3, 5)),
    ("2021/3/5", date(2021, 3, 5)),
    ("2021年3月5日", date(2021, 3, 5)),
    ("２０２１年３月５日", date(2021, 3, 5)),  # full-width digits
    ("2021.3.5", date(2021, 3, 5)),
    ("20210305", date(2021, 3, 5)),
    (20210305, date(2021, 3, 5)),
    (" 2021-03-05 10:30 ", date(2021, 3, 5)),
])
def test_parse_date(raw, expected):
    assert parse_date(raw) == expected


@pytest.mark.parametrize("raw", ["三月五日", "2021-13-01", "2021-3", "", True, float("nan")])
def test_parse_date_refuses(raw):
    with pytest.raises(ValueError):
        parse_date(raw)


# ---------------------------------------------------------------------------
# The register template
# ---------------------------------------------------------------------------

def _dv_for(ws, address):
    from openpyxl.worksheet.cell_range import CellRange
    for dv in ws.data_validations.dataValidation:
        for rng in str(dv.sqref).split():
            if address in CellRange(rng):
                return dv
    return None


@pytest.mark.parametrize("edition,n_results,last", [
    ("2021", 21, "（六）其他处理/3.其他"),
    ("2019", 19, "（六）其他处理"),
])
def test_register_template(tmp_path, edition, n_results, last):
    out = tmp_path / "台账.xlsx"
    res = CliRunner().invoke(main, ["register-template", "--edition", edition, "-o", str(out)])
    assert res.exit_code == 0, res.output
    wb = openpyxl.load_workbook(out)
    assert wb.sheetnames == ["登记台账", "说明", "选项"]
    assert wb["选项"].sheet_state == "hidden"
    ws = wb["登记台账"]
    assert [c.value for c in ws[1]] == HEADERS
    # dropdown of applicant types, inline
    dv = _dv_for(ws, "C2")
    assert dv.type == "list" and dv.formula1 == '"' + TYPES.replace("、", ",") + '"'
    assert _dv_for(ws, "C2001") is dv
    # dropdown of results: a defined name pointing at the hidden sheet
    dv = _dv_for(ws, "E500")
    assert dv.type == "list"
    name = wb.defined_names[dv.formula1]
    (sheet, rng), = list(name.destinations)
    assert sheet == "选项"
    values = [row[0].value for row in wb[sheet][rng.replace("$", "")]]
    assert len(values) == n_results
    assert values[0] == "（一）予以公开" and values[-1] == last
    assert "（三）不予公开/3.危及“三安全一稳定”" in values
    # date validation on both date columns
    for a in ("B2", "F2001"):
        dv = _dv_for(ws, a)
        assert dv.type == "date" and dv.operator == "between"
    assert _dv_for(ws, "D2") is None
    helptext = "\n".join(str(c.value) for c in wb["说明"]["A"] if c.value)
    assert "结转下年度继续办理" in helptext and "xxgk fill --register" in helptext


def test_register_template_round_trip(tmp_path):
    """Rows typed into our own template (dropdown spellings) are counted."""
    out = tmp_path / "台账.xlsx"
    CliRunner().invoke(main, ["register-template", "-o", str(out)])
    wb = openpyxl.load_workbook(out)
    ws = wb["登记台账"]
    options = [c.value for c in wb["选项"]["A"]]
    ws.append([1, date(2021, 1, 4), "自然人", "a", options[3], date(2021, 1, 20)])  # （三）2
    ws.append([2, date(2020, 12, 30), "其他", "b"])  # carried in, still open
    wb.save(out)
    counts = register_counts(out, 2021)
    assert counts["t3.withheld_2.natural"] == 1
    assert counts["t3.carried_in.other"] == 1 and counts["t3.carry_forward.other"] == 1
    assert sum(counts.values()) == 4


def test_register_template_refuses_existing(tmp_path):
    out = tmp_path / "台账.xlsx"
    runner = CliRunner()
    assert runner.invoke(main, ["register-template", "-o", str(out)]).exit_code == 0
    before = _sha(out)
    res = runner.invoke(main, ["register-template", "-o", str(out)])
    assert res.exit_code == 1 and "输出文件已存在" in res.output and "Traceback" not in res.output
    assert _sha(out) == before
    assert runner.invoke(main, ["register-template", "-o", str(out), "--force"]).exit_code == 0
