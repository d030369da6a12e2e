"""``import`` checks the imported report's prose against its own tables (issue #15, item 4).

Real evidence: r059 (tests/fixtures/import/published, see SOURCES.md) says “共受理政府信息
公开申请2件” while its table 三 prints 本年新收 3; r037 prints the whole website count (33) in
the 规范性文件 row its prose gives as 8.  The seed report's prose agrees with its tables.
The findings are 核实, count toward exit status 1, appear in ``--json`` with the claims, and
are not cell notes of the written workbook (``xxgk check`` finds them there again).
"""

from __future__ import annotations

import json
from pathlib import Path

import openpyxl
from click.testing import CliRunner

from toolkit.cli import main
from toolkit.engine.check import check
from toolkit.publish import importer
from toolkit.publish.importer import import_report

FIX = Path(__file__).resolve().parent / "fixtures" / "import"
PUB = FIX / "published"
SEED = FIX / "seed_lanlongkou_2020.txt"

R059_SENTENCE = "本年度,共受理政府信息公开申请2件,都在法定期限内予以答复。"
R059_MESSAGE = (f"三、依申请公开!J5：正文（正文!A4）写“{R059_SENTENCE}”，即政府信息公开申请数为 2，"
                "但表中一·总计（三、依申请公开!J5）为 3，请核对正文与表格")
R059_CLAIM = {
    "section": "overview", "sentence": R059_SENTENCE, "figure": "共受理政府信息公开申请2件", "value": 2,
    "subject": "applications", "quantity": "政府信息公开申请数", "rule": "T3-7", "cells": ["t3.new.total"],
    "table_value": 3, "alternatives": [{"cells": ["t3.new.total"], "value": 3},
                                       {"cells": ["t3.new.total", "t3.carried_in.total"], "value": 3}],
    "agrees": False, "kind": "figure"}


def _comments(path) -> dict:
    wb = openpyxl.load_workbook(path)
    return {(ws.title, c.coordinate): c.comment.text
            for ws in wb.worksheets for row in ws.iter_rows() for c in row if c.comment}


def test_r059_prose_contradicting_table_three_is_found_on_import():
    res = import_report(PUB / "r059.txt")
    [f] = [f for f in res.findings if f.rule != "I-1"]
    assert (f.rule, f.severity, f.scope, f.table) == ("T3-7", "verify", "workbook", "text")
    assert f.message == R059_MESSAGE
    assert [(c.cell_id, c.ref, c.value) for c in f.cells] == [
        ("t3.new.total", "三、依申请公开!J5", 3), ("text.overview.1", "正文!A4", None)]
    assert (f.lhs, f.rhs, f.diff) == (2, 3, -1)
    assert [c.to_dict() for c in res.claims] == [R059_CLAIM]
    assert f"核实（T3-7）：{R059_MESSAGE}" in res.notes


def test_r037_total_in_the_normative_row_is_found_on_import():
    res = import_report(PUB / "r037.txt")
    [f] = [f for f in res.findings if f.rule != "I-1"]
    assert (f.rule, f.severity) == ("T2-9", "verify")
    assert [(c.cell_id, c.value) for c in f.cells] == [("t2.normative.made", 33), ("text.overview.1", None)]
    assert "其中通过网站公开规范性文件8个" in f.message and "通过网站公开信息33条" in f.message
    assert (f.lhs, f.rhs) == (8, 33)


def test_seed_report_prose_agrees_with_its_tables():
    res = import_report(SEED)
    assert res.findings == [] and res.exit_code == 0
    # 受理 0 件 agrees; the 复议/诉讼 figures meet table-四 cells the seed prints empty: unknown
    assert [(c.figure, c.agrees) for c in res.claims] == [
        ("全年共受理依申请公开 0 件", True), ("因政府信息公开被申请行政复议 0件", None), ("行政诉讼1件", None)]
    r = CliRunner().invoke(main, ["import", str(SEED), "--json"])
    assert r.exit_code == 0, r.output
    data = json.loads(r.output)
    assert data["findings"] == [] and [c["agrees"] for c in data["claims"]] == [True, None, None]


def test_json_lists_the_claims_and_the_finding_like_check():
    r = CliRunner().invoke(main, ["import", str(PUB / "r059.txt"), "--json"])
    assert r.exit_code == 1
    data = json.loads(r.output)
    assert data["claims"] == [R059_CLAIM]
    assert [(f["rule"], f["severity"], f["message"]) for f in data["findings"]] == [
        ("T3-7", "verify", R059_MESSAGE)]


def test_a_narrative_contradiction_alone_makes_exit_status_one(tmp_path, monkeypatch):
    text = SEED.read_text(encoding="utf-8")
    said = "全年共受理依申请公开 0 件"
    assert text.count(said) == 1
    wrong = tmp_path / "seed_wrong.txt"
    wrong.write_text(text.replace(said, "全年共受理依申请公开 2 件"), encoding="utf-8")
    res = import_report(wrong)
    assert res.complete and res.unit and res.year  # nothing else is missing
    assert [(f.rule, f.cells[0].cell_id, f.lhs, f.rhs) for f in res.findings] == [("T3-7", "t3.new.total", 2, 0)]
    assert res.exit_code == 1
    out_ok, out_wrong = tmp_path / "ok.xlsx", tmp_path / "wrong.xlsx"
    r = CliRunner().invoke(main, ["import", str(wrong), "-o", str(out_wrong)])
    assert r.exit_code == 1 and "核实（T3-7）" in r.output and "有缺漏或问题" in r.output
    assert CliRunner().invoke(main, ["import", str(SEED), "-o", str(out_ok)]).exit_code == 0
    # the cell notes of the written workbook are those of the consistent report, cell by cell
    assert _comments(out_wrong) == _comments(out_ok) != {}
    # ... and the workbook's own check finds the contradiction again
    assert [(f.rule, f.lhs, f.rhs) for f in check(out_wrong).findings if f.rule == "T3-7"] == [("T3-7", 2, 0)]
    # switched off, the import is clean: the call is what finds it
    monkeypatch.setattr(importer, "_check_narrative", lambda res: None)
    assert import_report(wrong).exit_code == 0


def test_prose_is_not_judged_against_a_total_the_report_contradicts(tmp_path):
    """A printed 总计 that is not the sum of its printed parts (I-1) is unknown to the narrative
    check: the prose matching the printed total is not called wrong against the parts."""
    text = (FIX / "pipe_2021.md").read_text(encoding="utf-8")
    row = "| 一、本年新收政府信息公开申请数量 | "
    line = next(ln for ln in text.splitlines() if ln.startswith(row))
    assert "| 84 |" in line  # expected_2021.json: t3.new.total
    text = text.replace(line, line.replace("| 84 |", "| 86 |")).replace(
        "全年主动公开政府信息120条。", "全年主动公开政府信息120条。全年共收到政府信息公开申请86件。")
    p = tmp_path / "r.md"
    p.write_text(text, encoding="utf-8")
    res = import_report(p)
    assert [(f.rule, f.culprit) for f in res.findings] == [("I-1", "t3.new.total")]
    assert [(c.figure, c.agrees) for c in res.claims] == [("全年共收到政府信息公开申请86件", None)]


def test_a_huge_narrative_is_not_checked_and_says_so(tmp_path):
    text = (FIX / "pipe_2021.md").read_text(encoding="utf-8")
    sentence = "全年共收到政府信息公开申请1件。"  # contradicts the table (84) every time
    long = sentence * (importer.NARRATIVE_MAX_CHARS // len(sentence) + 1)
    p = tmp_path / "r.md"
    p.write_text(text.replace("全年主动公开政府信息120条。", long), encoding="utf-8")
    res = import_report(p)
    assert res.claims == [] and res.findings == [] and res.exit_code == 0
    assert any("未核对正文中的数字" in n for n in res.notes)
