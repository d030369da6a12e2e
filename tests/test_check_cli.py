"""`xxgk check` from the command line: output, JSON schema, exit status, --strict, --previous."""

from __future__ import annotations

import json
import subprocess
import sys

from click.testing import CliRunner

from conftest import make_report
from toolkit.cli import main
from toolkit.spec import get_edition

ED = get_edition("2021")


def run(*args):
    return CliRunner().invoke(main, ["check", *map(str, args)])


def test_clean_report_passes_with_exit_0(tmp_path):
    path, _ = make_report(tmp_path / "好.xlsx")
    res = run(path)
    assert res.exit_code == 0, res.output
    assert res.output.strip().splitlines()[-1] == "【通过】好.xlsx（某某镇人民政府，2021版）：错误 0 项，核实 0 项，提示 0 项"


def test_errors_grouped_by_table_and_exit_1(tmp_path):
    path, values = make_report(tmp_path / "错.xlsx", overrides={"t3.public.natural": "无",
                                                              "t4.review.total": 9})
    res = run(path)
    assert res.exit_code == 1
    lines = res.output.splitlines()
    assert lines.index("  表三") < lines.index("  表四")
    assert any("[错误 R-2] 三、依申请公开!D7" in l for l in lines)
    assert lines[-1].startswith("【未通过】错.xlsx")


def test_json_schema(tmp_path):
    path, _ = make_report(tmp_path / "r.xlsx", overrides={"t3.new.natural": "+"})
    res = run(path, "--json")
    doc = json.loads(res.output)
    assert doc["schema"] == 1
    assert set(doc) >= {"schema", "tool", "file", "unit", "unit_type", "year", "edition", "verdict",
                        "verdict_label", "error", "counts", "findings"}
    assert doc["edition"] == "2021" and doc["unit"] == "某某镇人民政府" and doc["year"] == 2021
    assert doc["verdict"] == "fail" and doc["counts"]["error"] >= 1
    f = doc["findings"][0]
    assert set(f) >= {"rule", "severity", "severity_label", "table", "message", "cells", "related",
                      "lhs", "rhs", "diff", "culprit", "explanation", "key"}
    c = f["cells"][0]
    assert set(c) == {"sheet", "address", "id", "path", "value"}
    assert ED.by_id[c["id"]].address == c["address"]


def test_several_files_and_unreadable_exit_2(tmp_path):
    good, _ = make_report(tmp_path / "a.xlsx")
    bad = tmp_path / "b.xlsx"
    bad.write_bytes(b"")
    res = run(good, bad, "--json")
    assert res.exit_code == 2
    docs = json.loads(res.output)
    assert [d["verdict"] for d in docs] == ["pass", "unreadable"]
    assert docs[1]["error"].startswith("文件为空")


def test_strict_makes_unexplained_verify_an_error(tmp_path):
    # 规章 non-zero for a 乡镇 is a 核实 finding (T2-8).
    path, _ = make_report(tmp_path / "r.xlsx", overrides={"t2.rules.issued": 1, "t2.rules.in_force": 1})
    assert run(path).exit_code == 0
    res = run(path, "--strict")
    assert res.exit_code == 1
    assert "需填写情况说明" in res.output


def test_explanation_in_results_sheet_satisfies_verify(tmp_path):
    import openpyxl
    from toolkit.engine.check import check
    from toolkit.engine.findings import RESULTS_EXPLANATION_COL, RESULTS_HEADER_ROW, RESULTS_KEY_COL, RESULTS_SHEET
    path, _ = make_report(tmp_path / "r.xlsx", overrides={"t2.rules.issued": 1, "t2.rules.in_force": 1})
    finding = next(f for f in check(path).findings if f.rule == "T2-8")
    wb = openpyxl.load_workbook(path)
    wb.security.lockStructure = False
    ws = wb.create_sheet(RESULTS_SHEET)
    ws.cell(RESULTS_HEADER_ROW + 1, RESULTS_KEY_COL, finding.key)
    ws.cell(RESULTS_HEADER_ROW + 1, RESULTS_EXPLANATION_COL, "短")
    wb.save(path)
    assert check(path, strict=True).verdict == "fail"  # fewer than 6 characters
    ws.cell(RESULTS_HEADER_ROW + 1, RESULTS_EXPLANATION_COL, "本镇受县政府委托起草规章一件")
    wb.save(path)
    result = check(path, strict=True)
    f = next(f for f in result.findings if f.rule == "T2-8")
    assert f.explained and result.verdict == "pass"


def test_previous_year_carry_over(tmp_path):
    prev, pvalues = make_report(tmp_path / "2020.xlsx", edition="2019", seed=3)
    values = dict(make_report(tmp_path / "tmp.xlsx", seed=4)[1])
    for col in ("natural", "commercial", "research", "nonprofit", "legal", "other"):
        values[f"t3.carried_in.{col}"] = pvalues[f"t3.carry_forward.{col}"]
        values[f"t3.public.{col}"] += values[f"t3.carried_in.{col}"]  # keep 一+二=七+四
    cur, _ = make_report(tmp_path / "2021.xlsx", values=values)
    res = run(cur, "--previous", prev)
    assert "T3-6" not in res.output, res.output
    values["t3.carried_in.natural"] += 1
    values["t3.public.natural"] += 1
    cur2, _ = make_report(tmp_path / "2021b.xlsx", values=values)
    res = run(cur2, "--previous", prev, "--json")
    doc = json.loads(res.output)
    t36 = [f for f in doc["findings"] if f["rule"] == "T3-6"]
    assert len(t36) == 2  # 自然人 and 总计 columns
    assert t36[0]["severity"] == "verify" and t36[0]["diff"] == 1


def test_previous_unreadable_is_a_clear_message(tmp_path):
    path, _ = make_report(tmp_path / "r.xlsx")
    bad = tmp_path / "prev.xlsx"
    bad.write_text("x")
    res = run(path, "--previous", bad)
    assert res.exit_code == 2
    assert "上一年度报告无法读取" in res.output and "Traceback" not in res.output


def test_installed_command_runs(tmp_path):
    path, _ = make_report(tmp_path / "r.xlsx")
    proc = subprocess.run([sys.executable, "-m", "toolkit", "check", str(path)],
                          capture_output=True, text=True)
    assert proc.returncode == 0 and "【通过】" in proc.stdout


def test_help_and_usage_errors_are_chinese():
    from toolkit.cli import COMMAND_MODULES
    runner = CliRunner()
    for name in ["check", "merge", "fill", "template", "cells", "demo", "import", "export",
                 "register-template"]:
        out = runner.invoke(main, [name, "--help"]).output
        assert out.startswith("用法：") and "选项" in out and "显示本帮助并退出" in out, name
        assert "Options:" not in out and "Show this message" not in out, name
    assert len(COMMAND_MODULES) >= 9
    res = CliRunner(mix_stderr=False).invoke(main, ["check", "--bogus"]) if "mix_stderr" in \
        CliRunner.__init__.__code__.co_varnames else runner.invoke(main, ["check", "--bogus"])
    assert res.exit_code == 2
    assert "用法错误：没有选项 --bogus" in (res.output + getattr(res, "stderr", ""))


def test_a_folder_checks_every_workbook_in_it(tmp_path):
    make_report(tmp_path / "a.xlsx")
    make_report(tmp_path / "b.xlsx", overrides={"t3.public.natural": "无"})
    (tmp_path / "~$a.xlsx").write_bytes(b"lock")
    (tmp_path / "notes.txt").write_text("x")
    res = run(tmp_path, "--json")
    docs = json.loads(res.output)
    assert sorted(d["file"].rsplit("/", 1)[-1] for d in docs) == ["a.xlsx", "b.xlsx"]
    assert res.exit_code == 1
    empty = tmp_path / "empty"
    empty.mkdir()
    res = run(empty)
    assert res.exit_code == 2 and "没有 .xlsx/.xlsm 工作簿" in res.output


def test_output_to_a_gbk_console_never_crashes(tmp_path):
    """Windows consoles and redirected output use GBK; a unit name with a character
    outside GBK (𠀀, an emoji) must not turn into a UnicodeEncodeError."""
    import os
    path, _ = make_report(tmp_path / "r.xlsx", unit="𠀀镇人民政府😀", overrides={"t3.public.natural": "无"})
    env = dict(os.environ, PYTHONIOENCODING="gbk")
    for args in ([], ["--json"]):
        proc = subprocess.run([sys.executable, "-m", "toolkit", "check", str(path), *args],
                              capture_output=True, env=env)
        assert proc.returncode == 1, proc.stderr.decode("gbk", "replace")
        out = proc.stdout.decode("gbk")
        assert "镇人民政府" in out and "Traceback" not in proc.stderr.decode("gbk", "replace")
