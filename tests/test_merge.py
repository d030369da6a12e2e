"""Acceptance tests of ``xxgk merge``: 30 real workbooks on disk, read back cell by cell.

Expected sums are computed here from the values the workbooks were generated
with (not from the merge's own output); totals are recalculated by
LibreOffice as an independent engine.
"""

from __future__ import annotations

import hashlib
import json
import random
import re
import shutil
import subprocess
import time
import zipfile
from pathlib import Path

import openpyxl
import pytest
from click.testing import CliRunner

from conftest import make_report
from lo import convert, needs_libreoffice, recalculated_values
from toolkit.cli import main
from toolkit.merge.run import merge
from toolkit.engine.report import read_report
from toolkit.engine.rules import evaluate
from toolkit.spec import get_edition
from toolkit.xlsx.styles import CANDIDATE_FILLS, LIGHT_FILLS, SEVERITY_FILLS

ED = get_edition("2021")
YEAR = 2021
N_UNITS = 27  # good units U0..U26, plus a corrupt file, a duplicate, a wrong edition = 30 files
INJECTION = '=HYPERLINK("http://x","y")'
MISSING = "缺报镇人民政府"
CORRUPT = "坏文件.xlsx"


def unit_name(i: int) -> str:
    return INJECTION if i == 8 else f"测试{i}镇人民政府"


@pytest.fixture(scope="module")
def district(tmp_path_factory):
    """The folder, the generated values and the merge result (with summary on disk)."""
    root = tmp_path_factory.mktemp("district")
    folder = root / "reports"
    folder.mkdir()
    values, overrides = {}, {}
    for i in range(N_UNITS):
        utype = ["乡镇", "街道", "县级政府部门"][i % 3]
        rng = random.Random(1000 + i)
        from toolkit.demo.sample import sample_values
        v = sample_values("2021", rng, unit_type=utype)
        ov = {}
        if i == 3:
            ov["t3.new.natural"] = "无"  # not a number
        if i == 4:
            ov["t3.results_total.natural"] = 999  # S-2: total typed over
        if i == 7:
            v["t3.public.commercial"] += 1  # T3-1: 一+二 ≠ 七+四 in 商业企业
        make_report(folder / f"U{i:02d}.xlsx", seed=i, values=v, unit=unit_name(i), unit_type=utype,
                    overrides=ov)
        values[i], overrides[i] = v, ov
    # a second, different workbook of U05 (identical copies count once: tests/test_merge_inbox.py)
    make_report(folder / "U05-副本.xlsx", seed=555, unit=unit_name(5), unit_type="街道")
    make_report(folder / "旧版.xlsx", edition="2019", seed=99, unit="旧版镇人民政府")  # wrong edition
    (folder / CORRUPT).write_bytes((folder / "U06.xlsx").read_bytes()[:4000])
    (folder / "~$U01.xlsx").write_bytes(b"lock file")  # Excel lock file: skipped
    (folder / ".hidden.xlsx").write_bytes(b"hidden")  # hidden: skipped
    roster = root / "名单.txt"
    roster.write_text("单位名称\n" + "\n".join(unit_name(i) for i in range(N_UNITS - 1)) + f"\n{MISSING}\n",
                      encoding="utf-8")
    digests = {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in folder.iterdir()}
    out = root / "汇总.xlsx"
    result = merge(folder, out, units=roster, workers=2)
    return dict(root=root, folder=folder, values=values, overrides=overrides, result=result,
                out=out, digests=digests, roster=roster)


def expected_inputs(d) -> dict:
    """Σ of generated input values over the units that must be summed."""
    included = [i for i in range(N_UNITS) if i != 5]
    out = {}
    for c in ED.inputs():
        total = 0
        for i in included:
            if c.id in d["overrides"][i] and not isinstance(d["overrides"][i][c.id], (int, float)):
                continue  # "无" is read as 0
            total += d["values"][i].get(c.id, 0)
        out[c.id] = total
    return out


def detail_columns(ws) -> dict:
    """cell id (hidden row 1) -> column index of 明细."""
    return {ws.cell(1, col).value: col for col in range(1, ws.max_column + 1)}


def detail_row(ws, unit: str, file: str | None = None) -> int:
    for r in range(4, ws.max_row + 1):
        if ws.cell(r, 1).value == unit and (file is None or ws.cell(r, 3).value == file):
            return r
    raise AssertionError(f"{unit} not in 明细")


def issue_rows(wb) -> list:
    ws = wb["问题清单"]
    return [[c.value for c in row] + [row[3].hyperlink.location if row[3].hyperlink else None]
            for row in ws.iter_rows(min_row=2)]


# ---------------------------------------------------------------------------


def test_summary_inputs_equal_independent_sums(district):
    wb = openpyxl.load_workbook(district["out"])
    want = expected_inputs(district)
    for c in ED.inputs():
        got = wb[c.sheet][c.address].value
        assert got == pytest.approx(want[c.id], abs=1e-6), (c.id, got, want[c.id])
    # every total is a formula in the summary, as in the template
    for c in ED.totals():
        assert str(wb[c.sheet][c.address].value).startswith("=SUM("), c.id


@pytest.mark.libreoffice
@needs_libreoffice
def test_summary_totals_match_libreoffice(district, tmp_path):
    cached = openpyxl.load_workbook(district["out"], data_only=True)
    recalc = recalculated_values(district["out"], tmp_path)
    want = expected_inputs(district)
    for c in ED.totals():
        lo_value = recalc[c.sheet][c.address].value
        assert cached[c.sheet][c.address].value == pytest.approx(lo_value), c.id
    # and one total checked against the generated values directly
    c = ED.by_id["t3.new.total"]
    parties = ED.sets["parties"]
    assert recalc[c.sheet][c.address].value == sum(want[f"t3.new.{p}"] for p in parties)


def test_counts_corrupt_file_listed_rest_merged(district):
    r = district["result"]
    assert len(r.units) == 30  # lock file and hidden file skipped
    assert [Path(u.file).name for u in r.unreadable] == [CORRUPT]
    assert len(r.included) == N_UNITS - 1  # U05 and its copy are both left out
    assert r.exit_code == 2
    rows = issue_rows(openpyxl.load_workbook(district["out"]))
    corrupt = [row for row in rows if row[1] == CORRUPT]
    assert corrupt and corrupt[0][4] == "FILE" and "损坏" in corrupt[0][6]


def test_known_errors_in_issue_list_and_detail_notes(district):
    wb = openpyxl.load_workbook(district["out"])
    ws = wb["明细"]
    cols = detail_columns(ws)
    rows = issue_rows(wb)
    cases = [  # (unit, file, rule, cell id that must carry the note)
        (unit_name(3), "U03.xlsx", "R-2", "t3.new.natural"),
        (unit_name(4), "U04.xlsx", "S-2", "t3.results_total.natural"),
        (unit_name(7), "U07.xlsx", "T3-1", "t3.new.commercial"),
        (unit_name(5), "U05.xlsx", "M-1", None),
        (unit_name(5), "U05-副本.xlsx", "M-1", None),
        ("旧版镇人民政府", "旧版.xlsx", "M-2", None),
        (unit_name(26), "U26.xlsx", "M-5", None),
    ]
    for unit, file, rule, cid in cases:
        hits = [row for row in rows if row[0] == unit and row[1] == file and row[4] == rule]
        assert hits, (unit, rule)
        r = detail_row(ws, unit, file)
        if cid:
            col = cols[cid]
            assert ws.cell(3, col).value == ED.by_id[cid].col_label
            cell = ws.cell(r, col)
            assert cell.comment is not None and rule in cell.comment.text, (unit, rule)
            # the culprit gets the strong fill; the note of an undecided finding (U07: one of
            # several cells of the 商业企业 column) sits on a lightly filled cell
            want = LIGHT_FILLS["error"] if rule == "T3-1" else SEVERITY_FILLS["error"]
            assert cell.fill.fgColor.rgb[-6:] == want, (unit, rule)
            links = {h[-1] for h in hits}
            assert f"'明细'!{cell.coordinate}" in links
        else:
            assert any(rule in (ws.cell(r, c).comment.text if ws.cell(r, c).comment else "")
                       for c in range(1, 9)), (unit, rule)
    # U07's candidates (the 商业企业 cell with one too many) carry the medium fill, no note
    r7 = detail_row(ws, unit_name(7))
    wrong = ws.cell(r7, cols["t3.public.commercial"])
    assert wrong.fill.fgColor.rgb[-6:] == CANDIDATE_FILLS["error"] and wrong.comment is None
    # the typed-over total shows the clerk's number, the summary recomputes it
    assert ws.cell(detail_row(ws, unit_name(4)), cols["t3.results_total.natural"]).value == 999
    assert [row for row in rows if row[0] == MISSING and row[4] == "M-4"]
    excluded = {ws.cell(r, 3).value: ws.cell(r, 5).value for r in range(4, ws.max_row + 1)}
    assert excluded["U05.xlsx"].startswith("否") and excluded["U05-副本.xlsx"].startswith("否")
    assert excluded["旧版.xlsx"].startswith("否") and excluded["U00.xlsx"] == "是"


def test_summary_total_notes_name_units_with_errors(district):
    wb = openpyxl.load_workbook(district["out"])
    c = ED.by_id["t3.new.total"]
    note = wb[c.sheet][c.address].comment
    # U03's 一 is not a number (its 一 column is in doubt); U07's 一 is confirmed by its narrative,
    # its doubt is elsewhere in the 商业企业 column; U04's typed-over total reaches nothing.
    assert note is not None and unit_name(3) in note.text and unit_name(7) not in note.text
    c7 = ED.by_id["t3.results_total.commercial"]
    note7 = wb[c7.sheet][c7.address].comment
    assert note7 is not None and f"含 {unit_name(7)} 的“商业企业”列，可能差 1" in note7.text
    assert not any(unit_name(4) in (c.comment.text if c.comment else "")
                   for ws in (wb[ED.by_id["t3.new.natural"].sheet],) for row in ws.iter_rows()
                   for c in row)
    clean = ED.by_id["t4.review.total"]
    assert wb[clean.sheet][clean.address].comment is None


def test_injected_unit_name_stays_text(district):
    with zipfile.ZipFile(district["out"]) as z:
        xml = "".join(z.read(n).decode("utf-8") for n in z.namelist()
                      if n.startswith("xl/worksheets/sheet"))
    assert "HYPERLINK" not in "".join(re.findall(r"<f>(.*?)</f>", xml))
    assert "=HYPERLINK(&quot;http://x&quot;,&quot;y&quot;)" in xml or \
        '=HYPERLINK("http://x","y")' in xml
    ws = openpyxl.load_workbook(district["out"])["明细"]
    assert ws.cell(detail_row(ws, INJECTION), 1).data_type == "s"


def test_inputs_never_modified(district):
    after = {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in district["folder"].iterdir()}
    assert after == district["digests"]


def test_summary_is_a_valid_report_and_merges_again(district, tmp_path):
    rep = read_report(district["out"])
    assert rep.kind == "summary" and rep.edition == "2021" and rep.year == YEAR
    bad = [f for f in evaluate(rep) if f.rule in ("S-2", "S-8") and f.severity == "error"]
    assert not bad, [f.message for f in bad]
    level2 = tmp_path / "districts"
    level2.mkdir()
    shutil.copyfile(district["out"], level2 / "某区汇总.xlsx")
    out = tmp_path / "市汇总.xlsx"
    r2 = merge(level2, out, name="某市（汇总）", workers=1)
    assert [u.unit for u in r2.included] == [rep.unit] and rep.unit.endswith("（汇总）")
    a, b = openpyxl.load_workbook(district["out"]), openpyxl.load_workbook(out)
    for c in ED.data_cells():
        assert a[c.sheet][c.address].value == b[c.sheet][c.address].value, c.id
    assert b["封面"][ED.by_id["info.unit_name"].address].value == "某市（汇总）"


@pytest.mark.libreoffice
@needs_libreoffice
def test_libreoffice_opens_summary_and_renders_charts(district, tmp_path):
    pdf = convert(district["out"], "pdf", tmp_path)
    titles = ["各单位本年新收政府信息公开申请数量（按申请人类型）", "本年度办理结果构成（汇总）",
              "各单位行政复议、行政诉讼数量（总计）"]
    pages = int(re.search(r"Pages:\s+(\d+)", subprocess.run(
        ["pdfinfo", str(pdf)], capture_output=True, text=True, check=True).stdout).group(1))
    chart_page = None
    for p in range(pages, 0, -1):
        text = "".join(subprocess.run(["pdftotext", "-f", str(p), "-l", str(p), str(pdf), "-"],
                                      capture_output=True, text=True, check=True).stdout.split())
        if titles[0] in text:
            chart_page = p
            assert titles[1] in text
            break
    assert chart_page, "chart titles not found in the PDF"
    all_text = "".join(subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, text=True,
                                      check=True).stdout.split())
    assert titles[2] in all_text
    # the chart page is drawn, not blank: many coloured (non-grey) pixels
    stem = tmp_path / "chart"
    subprocess.run(["pdftoppm", "-r", "40", "-f", str(chart_page), "-l", str(chart_page),
                    "-singlefile", str(pdf), str(stem)], check=True)
    data = (tmp_path / "chart.ppm").read_bytes()
    header = data.split(maxsplit=4)
    pixels = header[4]
    coloured = sum(1 for i in range(0, len(pixels) - 2, 3)
                   if max(pixels[i:i + 3]) - min(pixels[i:i + 3]) > 40)
    assert coloured > 2000, coloured
    # LibreOffice also saves it back as xlsx (no repair prompt in headless mode means no failure)
    back = convert(district["out"], "xlsx:Calc MS Excel 2007 XML", tmp_path / "back")
    assert "明细" in openpyxl.load_workbook(back, read_only=True).sheetnames


def test_values_and_findings_frames(district, tmp_path):
    r = district["result"]
    vf = r.values_frame()
    assert len(vf) == sum(len(u.values) for u in r.readable)
    inc = vf[vf.included & vf.cell_id.str.startswith("t3.new.")]
    assert inc.groupby("cell_id").value.sum().to_dict() == {
        k: v for k, v in expected_inputs(district).items() if k.startswith("t3.new.")} | {
        "t3.new.total": r.totals["t3.new.total"]}
    ff = r.findings_frame()
    assert {"R-2", "S-2", "T3-1", "M-1", "M-2", "M-4", "M-5", "FILE"} <= set(ff.rule)
    written = r.export_csv(tmp_path / "csv")
    for p in written:
        assert p.read_bytes().startswith(b"\xef\xbb\xbf")


def test_cli_json_exit_status_and_csv(district, tmp_path):
    out = tmp_path / "cli.xlsx"
    res = CliRunner().invoke(main, ["merge", str(district["folder"]), "-o", str(out), "--json",
                                    "--units", str(district["roster"]), "--workers", "1",
                                    "--export-csv", str(tmp_path / "csv")])
    assert res.exit_code == 2, res.output
    doc = json.loads(res.stdout)
    assert doc["included"] == N_UNITS - 1 and doc["missing"] == [MISSING]
    assert [Path(u["file"]).name for u in doc["unreadable"]] == [CORRUPT]
    assert (tmp_path / "csv" / "values.csv").exists()
    again = CliRunner().invoke(main, ["merge", str(district["folder"]), "-o", str(out)])
    assert again.exit_code != 0 and "--force" in again.output  # no silent overwrite
    helptext = CliRunner().invoke(main, ["merge", "--help"]).output
    assert "示例" in helptext and "xxgk merge" in helptext


def _year_folder(root: Path, year: int, units: dict) -> Path:
    folder = root / str(year)
    folder.mkdir()
    for name, v in units.items():
        make_report(folder / f"{name}.xlsx", values=v, unit=name,
                    info=__import__("toolkit.demo.sample", fromlist=["x"]).sample_info(name, "乡镇", year))
    return folder


def test_previous_year_from_folder_and_summary(tmp_path):
    from toolkit.demo.sample import sample_values
    rng = random.Random(7)
    last = {n: sample_values("2021", rng) for n in ("甲镇", "乙镇", "丙镇")}
    this = {n: sample_values("2021", rng) for n in last}
    for n in this:  # consistent carry-over …
        for p in ("natural", "commercial", "research", "nonprofit", "legal", "other"):
            this[n][f"t3.carried_in.{p}"] = last[n][f"t3.carry_forward.{p}"]
            this[n][f"t3.new.{p}"] += this[n][f"t3.carried_in.{p}"] * 0  # keep rules
    # … except 乙镇, which carries one application more than last year left open
    this["乙镇"]["t3.carried_in.natural"] += 1
    this["乙镇"]["t3.carry_forward.natural"] += 1
    # 丙镇: new applications ×5 and +40 (a swing)
    last["丙镇"]["t3.new.natural"] = 10
    last["丙镇"]["t3.carry_forward.natural"] = min(last["丙镇"]["t3.carry_forward.natural"], 10)
    last["丙镇"]["t3.public.natural"] = 10 - last["丙镇"]["t3.carry_forward.natural"] + \
        last["丙镇"]["t3.carried_in.natural"]
    for k in [k for k in last["丙镇"] if k.startswith("t3.") and k.endswith(".natural")
              and k.split(".")[1] not in ("new", "carried_in", "carry_forward", "public")]:
        last["丙镇"][k] = 0
    for k in [k for k in this["丙镇"] if k.startswith("t3.new.")]:
        this["丙镇"][k] = 0
    this["丙镇"]["t3.new.natural"] = 50
    this["丙镇"]["t3.public.natural"] = 50 + this["丙镇"]["t3.carried_in.natural"] - \
        this["丙镇"]["t3.carry_forward.natural"]
    for k in [k for k in this["丙镇"] if k.startswith("t3.") and k.endswith(".natural")
              and k.split(".")[1] not in ("new", "carried_in", "carry_forward", "public")]:
        this["丙镇"][k] = 0
    for p in ("commercial", "research", "nonprofit", "legal", "other"):
        for k in [k for k in this["丙镇"] if k.startswith("t3.") and k.endswith("." + p)]:
            this["丙镇"][k] = 0
    prev_folder = _year_folder(tmp_path, 2020 + 1, last)  # 2021 edition both years
    cur_root = tmp_path / "cur"
    cur_root.mkdir()
    cur_folder = _year_folder(cur_root, 2022, this)
    prev_summary = tmp_path / "上年汇总.xlsx"
    merge(prev_folder, prev_summary, workers=1)
    for previous in (prev_folder, prev_summary):
        r = merge(cur_folder, tmp_path / "cur.xlsx", previous=previous, workers=1)
        by_unit = {u.unit: u for u in r.readable}
        assert not [f for f in by_unit["甲镇"].findings if f.rule in ("T3-6", "M-6")], previous
        t36 = [f for f in by_unit["乙镇"].findings if f.rule == "T3-6"]
        assert t36 and t36[0].severity == "verify" and "自然人" in t36[0].message
        swing = [f for f in by_unit["丙镇"].findings if f.rule == "M-6"]
        assert swing and swing[0].severity == "hint" and "t3.new.total" in {
            c.cell_id for c in swing[0].cells}


def test_slow_file_times_out_rest_proceeds(tmp_path, monkeypatch):
    folder = tmp_path / "f"
    folder.mkdir()
    for i in range(3):
        make_report(folder / f"r{i}.xlsx", seed=i, unit=f"单位{i}")
    import toolkit.engine.report as m  # what toolkit.merge.inbox reads .xlsx files with
    real = m.read_report

    def slow(path):
        if Path(path).name == "r1.xlsx":
            deadline = time.time() + 5
            while time.time() < deadline:  # a hung parse (interruptible Python loop)
                pass
        return real(path)

    monkeypatch.setattr(m, "read_report", slow)
    t0 = time.time()
    r = merge(folder, tmp_path / "o.xlsx", workers=1, timeout=0.5)
    assert time.time() - t0 < 4
    assert [Path(u.file).name for u in r.unreadable] == ["r1.xlsx"]
    assert "超时" in r.unreadable[0].error and len(r.included) == 2


def test_summary_mixed_with_unit_reports_is_flagged(district, tmp_path):
    """A city may merge district summaries with its own departments (M-7, 核实, counted), but a
    summary lying among the reports it was made from would count them twice: M-8, left out."""
    folder = tmp_path / "mixed"
    folder.mkdir()
    shutil.copyfile(district["out"], folder / "某区汇总.xlsx")
    for name in ("U00.xlsx", "U01.xlsx"):
        shutil.copyfile(district["folder"] / name, folder / name)
    r = merge(folder, None, workers=1)
    stale = next(u for u in r.units if u.display == "某区汇总.xlsx")
    assert not stale.included and stale.excluded_reason.startswith("旧汇总表")
    m8 = [f for f in stale.findings if f.rule == "M-8"]
    assert len(m8) == 1 and m8[0].severity == "error" and unit_name(0) in m8[0].message
    assert sorted(u.display for u in r.included) == ["U00.xlsx", "U01.xlsx"]
    # the same summary next to a city department it does not contain: counted, M-7
    folder2 = tmp_path / "city"
    folder2.mkdir()
    shutil.copyfile(district["out"], folder2 / "某区汇总.xlsx")
    make_report(folder2 / "市教育局.xlsx", seed=77, unit="某市教育局", unit_type="县级政府部门")
    r2 = merge(folder2, None, workers=1)
    m7 = [(u.display, f) for u in r2.units for f in u.findings if f.rule == "M-7"]
    assert len(m7) == 1 and m7[0][0] == "某区汇总.xlsx" and m7[0][1].severity == "verify"
    assert len(r2.included) == 2



def test_explained_verify_finding_passes_in_merge_as_in_check(tmp_path):
    """One verdict: a workbook whose 核实 finding is explained is 通过 in check and in 明细."""
    from toolkit.engine.check import check
    from toolkit.engine.findings import (RESULTS_EXPLANATION_COL, RESULTS_HEADER_ROW, RESULTS_KEY_COL,
                                         RESULTS_SHEET)
    folder = tmp_path / "reports"
    folder.mkdir()
    path, _ = make_report(folder / "甲镇.xlsx", unit="甲镇人民政府",
                          overrides={"t2.rules.issued": 1, "t2.rules.in_force": 1})
    finding = next(f for f in check(path).findings if f.rule == "T2-8")
    wb = openpyxl.load_workbook(path)
    wb.security.lockStructure = False
    ws = wb.create_sheet(RESULTS_SHEET)
    ws.cell(RESULTS_HEADER_ROW + 1, RESULTS_KEY_COL, finding.key)
    ws.cell(RESULTS_HEADER_ROW + 1, RESULTS_EXPLANATION_COL, "本镇受县政府委托起草规章一件")
    wb.save(path)
    assert check(path).verdict == "pass"
    out = tmp_path / "汇总.xlsx"
    result = merge(folder, out, workers=1)
    assert result.units[0].verdict == "pass"
    detail = openpyxl.load_workbook(out)["明细"]
    assert detail.cell(detail_row(detail, "甲镇人民政府"), 4).value == "通过"
