"""Acceptance of issue #12: ``merge`` accounts for every file of a real season's inbox.

The folder holds what units really send: workbooks in nested subfolders, a cover
name typed differently from the roster (石桥镇政府), one with an invisible
character, a blank unit name, a Word report, a zip of two workbooks (and an
archive inside it), an identical copy, a corrected resubmission, an old
summary, an Office lock file, an old Word file and a .rar.  With LibreOffice,
an .xls and an .ods made from filled templates join them.

For every file the test asserts its outcome, for every roster unit its
status, and 汇总 = the sum, computed here from the values the workbooks were
written with, of the units that should count.
"""

from __future__ import annotations

import json
import random
import shutil
import zipfile
from pathlib import Path

import openpyxl
import pytest
from click.testing import CliRunner

from lo import convert, needs_libreoffice
from toolkit.cli import main
from toolkit.demo.sample import sample_info, sample_texts, sample_values
from toolkit.merge.roster import Roster, read_roster
from toolkit.merge.run import merge
from toolkit.names import name_core, name_key
from toolkit.publish.export import export_docx
from toolkit.spec import get_edition
from toolkit.xlsx.template import write_filled_workbook

ED = get_edition("2021")
YEAR = 2024


def _write(path: Path, unit: str, seed: int, unit_type: str = "乡镇", cover_name=None,
           date: str | None = None) -> dict:
    rng = random.Random(seed)
    values = sample_values("2021", rng, unit_type=unit_type)
    info = sample_info(unit, unit_type, YEAR, county="示例区")
    if cover_name is not None:
        info["unit_name"] = cover_name
    if date:
        info["date"] = date
    path.parent.mkdir(parents=True, exist_ok=True)
    write_filled_workbook(path, "2021", values, info, sample_texts(unit, YEAR, values, rng))
    return values


# file label -> (status, roster unit it counts for or None, rule expected on it or None)
COUNTED, NOTED, NOT = "counted", "counted_with_notes", "not_counted"


def build_season(root: Path, with_lo: bool = False) -> dict:
    """The inbox; returns folder, roster, values by roster unit, expected outcomes."""
    folder = root / "2024年报"
    src = root / "src"
    src.mkdir(parents=True)
    values: dict = {}
    expect: dict = {}
    values["东关街道办事处"] = _write(folder / "乡镇" / "东关" / "东关街道2024年报.xlsx", "东关街道办事处", 1, "街道")
    expect["乡镇/东关/东关街道2024年报.xlsx"] = (COUNTED, "东关街道办事处", None)
    # an invisible character pasted into the cover name: still the roster's unit, exactly
    values["柳湾乡人民政府"] = _write(folder / "乡镇" / "柳湾" / "柳湾乡年报.xlsx", "柳湾乡人民政府", 2,
                                   cover_name="柳湾乡\u200b人民政府")
    expect["乡镇/柳湾/柳湾乡年报.xlsx"] = (COUNTED, "柳湾乡人民政府", None)
    # the same file again in another folder: counted once
    (folder / "补报").mkdir(parents=True)
    shutil.copyfile(folder / "乡镇" / "柳湾" / "柳湾乡年报.xlsx", folder / "补报" / "柳湾乡年报(1).xlsx")
    expect["补报/柳湾乡年报(1).xlsx"] = (NOT, None, "M-9")
    values["石桥镇人民政府"] = _write(folder / "石桥镇年报.xlsx", "石桥镇人民政府", 3, cover_name="石桥镇政府")
    expect["石桥镇年报.xlsx"] = (NOTED, "石桥镇人民政府", "M-11")
    values["河东镇人民政府"] = _write(folder / "河东镇2024年报.xlsx", "河东镇人民政府", 4, cover_name="")
    expect["河东镇2024年报.xlsx"] = (NOTED, "河东镇人民政府", "M-12")
    # a Word report (the published form), made by xxgk export from a filled workbook
    values["南关街道办事处"] = _write(src / "南关.xlsx", "南关街道办事处", 5, "街道")
    export_docx(src / "南关.xlsx", folder / "南关街道2024年政府信息公开工作年度报告.docx")
    expect["南关街道2024年政府信息公开工作年度报告.docx"] = (NOTED, "南关街道办事处", "M-14")
    # two departments send one zip (with an archive inside it)
    values["区教育局"] = _write(src / "教育局.xlsx", "区教育局", 6, "县级政府部门")
    values["区公安分局"] = _write(src / "公安分局.xlsx", "区公安分局", 7, "县级政府部门")
    with zipfile.ZipFile(src / "附件.zip", "w") as z:
        z.writestr("x.txt", "x")
    with zipfile.ZipFile(folder / "部门报告.zip", "w", zipfile.ZIP_DEFLATED) as z:
        z.write(src / "教育局.xlsx", "区教育局2024年报.xlsx")
        z.write(src / "公安分局.xlsx", "区公安分局2024年报.xlsx")
        z.write(src / "附件.zip", "附件.zip")
    expect["部门报告.zip/区教育局2024年报.xlsx"] = (COUNTED, "区教育局", None)
    expect["部门报告.zip/区公安分局2024年报.xlsx"] = (COUNTED, "区公安分局", None)
    expect["部门报告.zip/附件.zip"] = (NOT, None, "FILE")
    # a corrected resubmission: different values, later 填报日期
    _write(folder / "北山镇" / "北山镇年报.xlsx", "北山镇人民政府", 8, date="2025年1月10日")
    values["北山镇人民政府"] = _write(folder / "北山镇" / "北山镇年报-修改.xlsx", "北山镇人民政府", 9,
                                   date="2025年1月20日")
    expect["北山镇/北山镇年报.xlsx"] = (NOT, None, "M-1")
    expect["北山镇/北山镇年报-修改.xlsx"] = (NOT, None, "M-1")
    # an old summary of two units that also sent their reports
    old = root / "old"
    old.mkdir()
    shutil.copyfile(folder / "石桥镇年报.xlsx", old / "a.xlsx")
    shutil.copyfile(folder / "乡镇" / "东关" / "东关街道2024年报.xlsx", old / "b.xlsx")
    merge(old, folder / "示例区汇总表(旧).xlsx", workers=1)
    expect["示例区汇总表(旧).xlsx"] = (NOT, None, "M-8")
    # what else lands in an inbox
    (folder / "~$石桥镇年报.xlsx").write_bytes(b"lock")
    (folder / "乡镇" / ".DS_Store").write_bytes(b"\0")
    (folder / "通知.wps").write_bytes(b"\xd0\xcf\x11\xe0 WPS writer")
    expect["通知.wps"] = (NOT, None, "FILE")
    (folder / "资料.rar").write_bytes(b"Rar!\x1a\x07\x00")
    expect["资料.rar"] = (NOT, None, "FILE")
    if with_lo:
        values["西关街道办事处"] = _write(src / "lo" / "西关街道.xlsx", "西关街道办事处", 10, "街道")
        values["北关街道办事处"] = _write(src / "lo" / "北关街道.xlsx", "北关街道办事处", 11, "街道")
        made = convert(src / "lo" / "西关街道.xlsx", "xls", src / "made")
        shutil.copyfile(made, folder / "西关街道.xls")
        made = convert(src / "lo" / "北关街道.xlsx", "ods", src / "made")
        shutil.copyfile(made, folder / "北关街道.ods")
        expect["西关街道.xls"] = (NOTED, "西关街道办事处", "M-13")
        expect["北关街道.ods"] = (NOTED, "北关街道办事处", "M-13")
    roster_units = list(values) + ["李家堡镇人民政府"]
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(["序号", "单位名称", "联系人"])  # the name column is found by its header
    for i, n in enumerate(roster_units, 1):
        ws.append([i, n, "某某"])
    roster = root / "单位名单.xlsx"
    wb.save(roster)
    return dict(folder=folder, roster=roster, values=values, expect=expect, root=root)


def _assert_season(season: dict, result, prefer_newest: bool = False) -> None:
    expect = dict(season["expect"])
    counted_units = {u for _, u, _ in expect.values() if u}
    if prefer_newest:
        expect["北山镇/北山镇年报.xlsx"] = (NOT, None, "M-10")
        expect["北山镇/北山镇年报-修改.xlsx"] = (COUNTED, "北山镇人民政府", None)
        counted_units.add("北山镇人民政府")
    by_label = {u.display: u for u in result.units}
    assert set(by_label) == set(expect), sorted(set(by_label) ^ set(expect))
    for label, (status, unit, rule) in expect.items():
        u = by_label[label]
        assert u.status == status, (label, u.status, u.error, u.excluded_reason)
        if unit:
            assert u.roster_name == unit, (label, u.roster_name)
        if rule:
            rules = {f.rule for f in u.findings} | ({"FILE"} if not u.readable else set())
            assert rule in rules, (label, rule, rules)
        if status == NOT:
            assert u.error or u.excluded_reason
    assert sorted(label for label, _ in result.ignored) == ["~$石桥镇年报.xlsx", "乡镇/.DS_Store"]
    # roster: every unit's status
    # (北山镇 did report, even when neither of its two differing files is counted)
    assert result.missing == ["李家堡镇人民政府"]
    # every counted file (workbook, zip member, Word report, .xls/.ods) has its unit's own values
    for u in result.included:
        want, got = season["values"][u.roster_name], u.value_dict()
        assert all(got[c.id] == want.get(c.id, 0) for c in ED.inputs()), u.display
    # 汇总 == the independent sum of the units that should count
    assert {u.roster_name for u in result.included} == counted_units
    wb = openpyxl.load_workbook(result.output)
    for c in ED.inputs():
        want = sum(season["values"][n].get(c.id, 0) for n in counted_units)
        got = wb[c.sheet][c.address].value or 0
        assert got == pytest.approx(want, abs=1e-6), (c.id, got, want)


@pytest.fixture(scope="module")
def season(tmp_path_factory):
    return build_season(tmp_path_factory.mktemp("inbox"))


def test_every_file_accounted_for_and_totals(season):
    folder = season["folder"]
    before = {p: p.read_bytes() for p in folder.rglob("*") if p.is_file()}
    out = season["root"] / "汇总.xlsx"
    result = merge(folder, out, units=season["roster"], workers=1)
    _assert_season(season, result)
    # input files are never modified
    assert {p: p.read_bytes() for p in folder.rglob("*") if p.is_file()} == before
    # 问题清单 lists every file that was not counted, with the next step
    wb = openpyxl.load_workbook(out)
    rows = [[c.value for c in r] for r in wb["问题清单"].iter_rows(min_row=2)]
    for label in ("通知.wps", "资料.rar", "部门报告.zip/附件.zip"):
        line = next(r for r in rows if r[1] == label)
        assert line[4] == "FILE" and "请" in line[6], line
    assert any("另存为 .docx" in r[6] for r in rows if r[1] == "通知.wps")
    assert any("解压" in r[6] for r in rows if r[1] == "资料.rar")
    # 明细 marks the Word report as imported
    detail = wb["明细"]
    row = next(r for r in detail.iter_rows(min_row=4, values_only=True)
               if r[2] == "南关街道2024年政府信息公开工作年度报告.docx")
    assert row[4] == "是（由报告导入）"
    # 说明 lists the lock and system files
    about = " ".join(str(c.value) for r in wb["说明"].iter_rows() for c in r if c.value)
    assert "~$石桥镇年报.xlsx" in about and ".DS_Store" in about


def test_cli_prefer_newest_json_and_terminal(season, tmp_path):
    out = tmp_path / "汇总.xlsx"
    args = ["merge", str(season["folder"]), "-o", str(out), "--units", str(season["roster"]),
            "--prefer", "newest", "--workers", "1"]
    res = CliRunner().invoke(main, args + ["--json"])
    data = json.loads(res.stdout)
    status = {a["file"]: a["status"] for a in data["accounting"]}
    assert status["北山镇/北山镇年报-修改.xlsx"] == "counted"
    assert status["北山镇/北山镇年报.xlsx"] == "not_counted"
    assert all(a["next_step"] for a in data["accounting"] if a["status"] == "not_counted")
    assert {i["file"] for i in data["ignored"]} == {"~$石桥镇年报.xlsx", "乡镇/.DS_Store"}
    result = merge(season["folder"], tmp_path / "b.xlsx", units=season["roster"], workers=1,
                   prefer="newest")
    _assert_season(season, result, prefer_newest=True)
    # the terminal names every file that was not counted or counted with notes
    res = CliRunner().invoke(main, args + ["--force"])
    for label, (status, _, _) in season["expect"].items():
        if status != COUNTED and "北山镇" not in label:
            assert label in res.output, label
    assert "另有 2 个" in res.output


def test_no_recurse_lists_subfolders(season, tmp_path):
    result = merge(season["folder"], None, units=season["roster"], workers=1, recursive=False)
    labels = {u.display for u in result.units}
    assert "乡镇/东关/东关街道2024年报.xlsx" not in labels and "石桥镇年报.xlsx" in labels
    assert ("乡镇/", "子文件夹（使用了 --no-recurse）") in result.ignored


def test_roster_matching():
    r = Roster(["石桥镇人民政府", "东关街道办事处", "第一中学", "第二中学", "河东镇人民政府",
                "河东街道办事处", "区市场监督管理局"])
    assert r.match("石桥镇政府").name == "石桥镇人民政府" and r.match("石桥镇政府").how == "near"
    assert r.match("石桥镇\u200b人民政府").how == "exact"
    assert r.match("石桥镇　人民政府").how == "exact"  # a full-width space
    assert r.match("东关街道").name == "东关街道办事处"
    assert r.match("县市场监督管理局").name == "区市场监督管理局"
    assert r.match("第三中学").how == "none"  # a different number is never a typo
    assert r.match("石桥乡人民政府").how == "none"  # nor a different kind of unit
    assert r.match("河东").how in ("none", "ambiguous")
    assert name_key("Ａ镇\u00ad\ufeff") == "A镇" and name_core("县石桥镇人民政府") == "石桥镇"


def test_roster_files(tmp_path):
    (tmp_path / "a.csv").write_text("联系人,单位名称\n张,石桥镇人民政府\n李,\u200b东关街道办事处\n",
                                    encoding="utf-8-sig")
    assert read_roster(tmp_path / "a.csv") == ["石桥镇人民政府", "东关街道办事处"]
    (tmp_path / "b.txt").write_bytes("单位名称\n石桥镇人民政府\n\n石桥镇人民政府 \n".encode("gb18030"))
    assert read_roster(tmp_path / "b.txt") == ["石桥镇人民政府"]


def test_zip_member_bomb_refused(tmp_path):
    folder = tmp_path / "f"
    folder.mkdir()
    with zipfile.ZipFile(folder / "炸弹.zip", "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("a.xlsx", b"\0" * (60 * 1024 * 1024))
    _write(folder / "甲镇.xlsx", "甲镇人民政府", 1)
    result = merge(folder, None, workers=1)
    bomb = next(u for u in result.units if u.display == "炸弹.zip/a.xlsx")
    assert not bomb.readable and "过大" in bomb.error
    assert [u.unit for u in result.included] == ["甲镇人民政府"]


@needs_libreoffice
@pytest.mark.libreoffice
def test_season_with_xls_and_ods_made_by_libreoffice(tmp_path):
    season = build_season(tmp_path, with_lo=True)
    result = merge(season["folder"], tmp_path / "汇总.xlsx", units=season["roster"], workers=1)
    _assert_season(season, result)
    for label in ("西关街道.xls", "北关街道.ods"):
        u = next(x for x in result.units if x.display == label)
        assert u.source == "sheet"
        # checked like a template: no structure error, one hint that formulas could not be verified
        assert not [f for f in u.findings if f.rule == "S-2"], [f.message for f in u.findings]
        assert [f.rule for f in u.findings].count("M-13") == 1
        unit = u.roster_name
        want = season["values"][unit]
        got = u.value_dict()
        assert all(got[c.id] == want.get(c.id, 0) for c in ED.inputs()), unit


# -- small things that betray a tool (issue #12 §7) and cross-year input (§6) ----------------


def _cli(*args):
    return CliRunner().invoke(main, [str(a) for a in args])


def test_cli_refusals_are_chinese_usage_errors(tmp_path):
    folder = tmp_path / "f"
    _write(folder / "甲镇.xlsx", "甲镇人民政府", 1)
    cases = [
        (["merge", tmp_path / "不存在"], "不存在"),
        (["merge", folder, "--year", "1999"], "不在允许的范围"),
        (["merge", folder, "--timeout", "-1"], "不在允许的范围"),
        (["merge", folder, "--workers", "abc"], "不是有效的整数"),
        (["merge", folder, "-o", tmp_path / "汇总.xls"], "应为 .xlsx"),
        (["check", folder / "甲镇.xlsx", folder / "甲镇.xlsx", "--annotate", tmp_path / "one.xlsx"],
         "应给一个文件夹"),
        (["fill", "--previous", tmp_path / "无.xlsx", "-o", tmp_path / "o.xlsx"], "不存在"),
    ]
    for args, words in cases:
        res = _cli(*args)
        assert res.exit_code == 2, (args, res.output)
        assert words in res.output and "Traceback" not in res.output, (args, res.output)
    assert not (tmp_path / "one.xlsx").exists()
    help_text = _cli("merge", "--help").output
    assert "INTEGER" not in help_text and "FLOAT" not in help_text and "--no-recurse" in help_text
    assert "[OPTIONS]" not in help_text and "FOLDER" not in help_text and "[选项] 文件夹" in help_text
    # a missing extension is corrected, and said so
    res = _cli("merge", folder, "-o", tmp_path / "汇总")
    assert (tmp_path / "汇总.xlsx").is_file() and "已改为" in res.output


def test_ctrl_c_exits_130(monkeypatch, tmp_path):
    import toolkit.cli.cmd_merge as cm

    def interrupted(*a, **k):
        raise KeyboardInterrupt
    monkeypatch.setattr(cm, "merge", interrupted)
    folder = tmp_path / "f"
    folder.mkdir()
    with pytest.raises(SystemExit) as exc:
        main.main(["merge", str(folder)], prog_name="xxgk")
    assert exc.value.code == 130


def test_previous_of_another_unit_or_year_refused(tmp_path):
    cur = tmp_path / "甲镇2024.xlsx"
    _write(cur, "甲镇人民政府", 1)
    other = tmp_path / "乙镇2023.xlsx"
    rng = random.Random(2)
    v = sample_values("2021", rng)
    write_filled_workbook(other, "2021", v, sample_info("乙镇人民政府", "乡镇", 2023), {})
    old = tmp_path / "甲镇2022.xlsx"
    write_filled_workbook(old, "2021", v, sample_info("甲镇人民政府", "乡镇", 2022), {})
    res = _cli("check", cur, "--previous", other)
    assert res.exit_code == 1 and "乙镇人民政府" in res.output and "甲镇人民政府" in res.output
    res = _cli("check", cur, "--previous", old)
    assert res.exit_code == 1 and "2022" in res.output and "2023 年度" in res.output
    # a folder is checked in merge's pool: the same refusal, naming both
    many = tmp_path / "many"
    many.mkdir()
    shutil.copyfile(cur, many / "甲镇.xlsx")
    shutil.copyfile(cur, many / "甲镇副本.xlsx")
    res = _cli("check", many, "--previous", other)
    assert res.exit_code == 1 and "乙镇人民政府" in res.output and "甲镇人民政府" in res.output, res.output
    # merge: last year's file must be of the year before
    folder = tmp_path / "f"
    folder.mkdir()
    shutil.copyfile(cur, folder / "甲镇.xlsx")
    res = _cli("merge", folder, "-o", tmp_path / "s.xlsx", "--previous", old)
    assert res.exit_code == 1 and "2022 年度" in res.output and "2023 年度" in res.output, res.output
    # fill: another unit than --unit is refused naming both (conflicting sources)
    res = _cli("fill", "--previous", other, "--unit", "甲镇人民政府", "-o", tmp_path / "n.xlsx")
    assert res.exit_code != 0 and "乙镇人民政府" in res.output and "甲镇人民政府" in res.output


def test_demo_never_overwrites_foreign_files(tmp_path):
    target = tmp_path / "demo"
    (target / "各单位报告").mkdir(parents=True)
    mine = target / "各单位报告" / "我的报告.xlsx"
    mine.write_bytes(b"precious")
    res = _cli("demo", target)
    assert res.exit_code == 1 and "不是 xxgk demo 生成的" in res.output
    assert mine.read_bytes() == b"precious"


def _own_layout(path: Path, unit: str, seed: int, tmp: Path) -> dict:
    """An office's own Excel version of its report: paragraphs and tables on one sheet
    (the published report exported by xxgk, then laid out as rows)."""
    from toolkit.publish.importer import Table, blocks_from_docx
    values = _write(tmp / f"{seed}.xlsx", unit, seed)
    blocks = blocks_from_docx(export_docx(tmp / f"{seed}.xlsx", tmp / f"{seed}.docx"))
    wb = openpyxl.Workbook()
    ws = wb.active
    for b in blocks:
        if isinstance(b, Table):
            for cells in b.rows:
                ws.append([float(t) if t.replace(".", "", 1).isdigit() else (t or None) for t in cells])
        else:
            ws.append([b])
    wb.save(path)
    return values


def test_own_layout_workbook_and_et_file_are_imported(tmp_path):
    """A non-template .xlsx goes through import's any-layout reader; so does a WPS .et file
    (read with python-calamine, which recognises the format by content)."""
    values = _own_layout(tmp_path / "own.xlsx", "甲镇人民政府", 21, tmp_path)
    for label in ("甲镇自制表.xlsx", "甲镇自制表.et"):
        folder = tmp_path / label.replace(".", "_")
        folder.mkdir()
        shutil.copyfile(tmp_path / "own.xlsx", folder / label)
        result = merge(folder, None, workers=1)
        u = result.units[0]
        assert u.included and u.source == "import" and u.unit == "甲镇人民政府", (label, u.error)
        assert "M-14" in {f.rule for f in u.findings}
        got = u.value_dict()
        assert all(got[c.id] == values.get(c.id, 0) for c in ED.inputs()), label


def test_zip_member_names_from_chinese_windows(tmp_path):
    """Archives made on Chinese Windows store GBK names without the UTF-8 flag."""
    folder = tmp_path / "f"
    folder.mkdir()
    _write(tmp_path / "x.xlsx", "甲镇人民政府", 1)
    name = "甲镇年报.xlsx"
    placeholder = "a" * len(name.encode("gbk"))
    placeholder = placeholder[:-5] + ".xlsx"
    with zipfile.ZipFile(tmp_path / "a.zip", "w") as z:
        z.write(tmp_path / "x.xlsx", placeholder)
    data = (tmp_path / "a.zip").read_bytes().replace(placeholder.encode(), name.encode("gbk"))
    (folder / "报告.zip").write_bytes(data)
    result = merge(folder, None, workers=1)
    assert [(u.display, u.unit) for u in result.included] == [("报告.zip/甲镇年报.xlsx", "甲镇人民政府")]


def test_ambiguous_roster_name_is_asked_not_guessed(tmp_path):
    r = Roster(["城关镇人民政府", "县城关镇政府"])
    m = r.match("城关镇办事处")
    assert m.how == "ambiguous" and set(m.candidates) == {"城关镇人民政府", "县城关镇政府"}
    folder = tmp_path / "f"
    _write(folder / "城关.xlsx", "城关镇办事处", 3)
    (tmp_path / "名单.txt").write_text("城关镇人民政府\n县城关镇政府\n", encoding="utf-8")
    result = merge(folder, None, units=tmp_path / "名单.txt", workers=1)
    u = result.units[0]
    assert u.included and not u.roster_name
    asked = [f for f in u.findings if f.rule == "M-11"]
    assert asked and "无法确定" in asked[0].message and asked[0].severity == "verify"
    assert result.missing == ["城关镇人民政府", "县城关镇政府"]


def test_invisible_characters_never_make_a_second_unit(tmp_path):
    """Issue #11: one normalisation wherever unit names are compared."""
    folder = tmp_path / "f"
    _write(folder / "a.xlsx", "甲镇人民政府", 5)
    _write(folder / "b.xlsx", "甲镇人民政府", 5, cover_name="甲镇\u2060人民政府\u200f")
    _write(folder / "c.xlsx", "甲镇人民政府", 5, cover_name="甲镇　人民政府")
    result = merge(folder, None, workers=1)
    assert [u.display for u in result.included] == ["a.xlsx"]
    assert all("M-9" in {f.rule for f in u.findings} for u in result.units if u.display != "a.xlsx")


def test_ods_bomb_refused_before_calamine_inflates_it(tmp_path):
    folder = tmp_path / "f"
    folder.mkdir()
    with zipfile.ZipFile(folder / "炸弹.ods", "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("mimetype", "application/vnd.oasis.opendocument.spreadsheet")
        z.writestr("content.xml", b"<" + b" " * (8 * 1024 * 1024))
    result = merge(folder, None, workers=1)
    u = result.units[0]
    assert not u.readable and "压缩炸弹" in u.error and "另存为 .xlsx" in u.next_step
