"""Real published reports (tests/fixtures/import/published, see SOURCES.md): every printed
cell, as read by hand from the text, is imported with its value; every cell that the text
does not print is listed as not printed (never 0); cut reports say so; edition, year and
unit are right or left empty with a note."""

from __future__ import annotations

from pathlib import Path

import pytest

from toolkit.publish.importer import import_report
from toolkit.spec import get_edition

HERE = Path(__file__).resolve().parent / "fixtures" / "import"
PUB = HERE / "published"
B = "blank"  # a cell printed empty
Z3, Z7 = [0, 0, 0], [0] * 7

# Expected values written down by reading each text (rows: values left to right; None =
# not printed because the text stops there).  T3 rows list all seven columns incl. 总计.
EXPECTED = {
    "r001.txt": dict(edition="2021", year=2022, unit="太平镇人民政府", rows={
        "t2.rules": Z3, "t2.normative": Z3, "t2.licensing": [0], "t2.penalty": [0], "t2.coercion": [0],
        "t2.fees": [0], "t3.new": Z7, "t3.carried_in": Z7, "t3.public": Z7, "t3.partial": Z7,
        "t3.withheld_1": Z7, "t3.withheld_2": Z7, "t3.withheld_3": Z7}),
    "r003.txt": dict(edition="2019", year=2020, unit="湖口县大垅乡", rows={
        "t2.rules": Z3, "t2.normative": Z3, "t2.licensing": Z3, "t2.other_services": Z3,
        "t2.penalty": Z3, "t2.coercion": Z3, "t2.fees": [0, 0]}),
    "r007.txt": dict(edition="2021", year=2023, unit="", rows={
        "t2.rules": [0, 0, 6], "t2.normative": Z3, "t2.licensing": [0], "t2.penalty": [0],
        "t2.coercion": [0], "t2.fees": [0], "t3.new": Z7, "t3.carried_in": Z7, "t3.public": Z7,
        "t3.partial": Z7, **{f"t3.withheld_{i}": Z7 for i in range(1, 6)}, "t3.withheld_6": [B] * 7}),
    "r009.txt": dict(edition="2021", year=2021, unit="", rows={
        "t2.rules": Z3, "t2.normative": Z3, "t2.licensing": [0], "t2.penalty": [0], "t2.coercion": [0],
        "t2.fees": [20.3], "t3.new": Z7, "t3.carried_in": [0, 0, 0, 0, None, None, None]}),
    "r011.txt": dict(edition="2019", year=2020, unit="大五里镇", rows={
        "t2.rules": Z3, "t2.normative": Z3, "t2.licensing": Z3, "t2.other_services": Z3,
        "t2.penalty": Z3, "t2.coercion": Z3, "t2.fees": [0, 0], "t2.procurement": [0, 0],
        "t3.new": Z7, "t3.carried_in": Z7, "t3.public": Z7, "t3.partial": Z7, "t3.withheld_1": Z7}),
    "r017.txt": dict(edition="2021", year=2023, unit="丽岙街道", rows={
        "t2.rules": Z3, "t2.normative": [1, 3, 3], "t2.licensing": [None]}),
    "r031.txt": dict(edition="2019", year=2019, unit="", rows={
        "t2.rules": Z3, "t2.normative": [1, 1, 1], "t2.licensing": Z3,
        "t2.other_services": Z3}),  # printed as two sub-rows 行政检查 / 行政确认, all 0
    "r037.txt": dict(edition="2019", year=2020, unit="蒲纺工业园区", rows={
        "t2.rules": Z3, "t2.normative": [33, 8, 8], "t2.licensing": Z3, "t2.other_services": Z3,
        "t2.penalty": Z3, "t2.coercion": Z3, "t2.fees": [0, 0], "t2.procurement": [0, 0],
        "t3.new": Z7, "t3.carried_in": Z7, "t3.public": [0, 0, 0, None, None, None, None]}),
    "r039.txt": dict(edition="2019", year=2020, unit="", rows={
        "t3.carry_forward": Z7, **{f"t4.{g}": [0] * 5 for g in ("review", "suit_direct", "suit_after_review")}}),
    "r045.txt": dict(edition="2021", year=2021, unit="南山区蛇口街道办事处", rows={
        "t2.rules": Z3, "t2.normative": Z3, "t2.licensing": [0], "t2.penalty": [61], "t2.coercion": [0],
        "t2.fees": [0]}),  # “/” printed for none
    "r047.txt": dict(edition="2021", year=2022, unit="长沙县江背镇", rows={
        "t2.rules": Z3, "t2.normative": [1, 0, None]}),
    "r049.txt": dict(edition="2021", year=2023, unit="", rows={
        "t2.rules": Z3, "t2.normative": Z3, "t2.licensing": [0], "t2.penalty": [123], "t2.coercion": [0],
        "t2.fees": [0], "t3.new": [4, 0, 0, 0, 0, 0, 4], "t3.carried_in": Z7, "t3.public": Z7,
        "t3.partial": [1, 0, 0, 0, 0, 0, 1], "t3.withheld_1": Z7, "t3.withheld_2": Z7, "t3.withheld_3": Z7}),
    "r055.txt": dict(edition="2019", year=2019, unit="", rows={
        "t2.rules": Z3, "t2.normative": [0, 8, 8], "t2.licensing": [716, -417, 298],
        "t2.other_services": Z3, "t2.penalty": [3, 6, 9], "t2.coercion": Z3, "t2.fees": [0, 0],
        "t2.procurement": [0, 0], "t3.new": [2, 0, 0, 0, 0, 0, 2],
        "t3.carried_in": [0, 0, None, None, None, None, None]}),
    "r059.txt": dict(edition="2021", year=2023, unit="", rows={
        "t2.rules": Z3, "t2.normative": Z3, "t2.licensing": [0], "t2.penalty": [0], "t2.coercion": [0],
        "t2.fees": [0], "t3.new": [3, 0, 0, 0, 0, 0, 3], "t3.carried_in": Z7}),
}
# Reports whose text has no tables at all: unit, year and narrative only.
TEXT_ONLY = {"r021.txt": ("桐梓县", 2022), "r029.txt": ("朝阳市自然资源局", 2025),
             "r043.txt": ("", 2022), "r057.txt": ("重庆市大足区人民政府办公室", 2023)}


def _cols(ed, prefix):
    table, row = prefix.split(".")
    return [c for c in ed.cells if c.table == table and c.row == row]


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_every_printed_cell_of_a_published_report(name):
    want = EXPECTED[name]
    res = import_report(PUB / name)
    assert (res.edition, res.year, res.unit) == (want["edition"], want["year"], want["unit"])
    ed = get_edition(res.edition)
    expected_cells = {}
    for prefix, values in want["rows"].items():
        cells = _cols(ed, prefix)
        assert len(cells) == len(values), prefix
        expected_cells.update({c.id: v for c, v in zip(cells, values)})
    for c in ed.cells:
        if c.table not in ("t2", "t3", "t4"):
            continue
        got = res.cells[c.id]
        exp = expected_cells.get(c.id)
        if exp is None:
            assert got.status == "not_printed", (c.id, got)
            assert res.values.get(c.id) is None if c.kind == "input" else True
        elif exp == B:
            assert got.status == "blank" and got.value is None, (c.id, got)
        else:
            assert got.status in ("printed", "none") and got.value == pytest.approx(exp), (c.id, got)
            assert got.where, c.id
    # every one of these files is cut part-way: said so, naming where
    assert not res.complete and res.exit_code == 1
    assert any("不完整" in n or "缺少部分表格" in n for n in res.notes), res.notes
    assert res.not_printed
    if not want["unit"]:
        assert any("没有识别到单位名称" in n for n in res.notes)


def test_where_a_cut_report_stops_is_named():
    res = import_report(PUB / "r047.txt")
    assert res.cut_at == "表二“行政规范性文件”行（只印出 2 个数值，应有 3 个）"
    res = import_report(PUB / "r011.txt")
    assert res.cut_at == "表三“（三）1”行"
    # the truncated label “2” of （三）2 is not taken for a value
    assert any("“2”" in n and "未导入" in n for n in res.notes)


def test_blank_printed_tables_stay_blank():
    """r005 prints every row of tables 二–四 with empty data cells (one 0): blank, not 0."""
    res = import_report(PUB / "r005.txt")
    assert res.edition == "2019" and res.year == 2019 and res.unit == ""
    assert res.cells["t2.rules.made"].value == 0
    blank = [cid for cid, c in res.cells.items() if c.status == "blank"]
    assert len(blank) == len(res.cells) - 1
    assert res.values["t3.new.natural"] is None and res.not_printed == []


@pytest.mark.parametrize("name", sorted(TEXT_ONLY))
def test_narrative_only_reports(name):
    res = import_report(PUB / name)
    assert (res.unit, res.year) == TEXT_ONLY[name]
    assert not res.has_tables and res.usable and res.exit_code == 1
    assert res.texts.get("overview")
    assert any("没有找到表格" in n for n in res.notes)
    assert all(c.status == "not_printed" for c in res.cells.values())


def test_no_bogus_unit_and_edition_from_labels_on_the_whole_corpus():
    from toolkit.publish.importer import _plausible_unit
    for path in sorted(PUB.glob("r*.txt")):
        res = import_report(path)
        if res.unit:
            assert _plausible_unit(res.unit) == res.unit and not res.unit.startswith(("我", "本")), path.name
        if res.has_tables and path.name != "r039.txt":
            assert res.edition_source == "labels", path.name
    # the 2019 tables used for 2022 / 2023 reports are recognised as 2019 tables
    for name, year in (("r019.txt", 2022), ("r051.txt", 2023)):
        res = import_report(PUB / name)
        assert res.edition == "2019" and res.year == year
        assert any("不一致" in n for n in res.notes)


def test_traditional_characters_are_converted():
    res = import_report(PUB / "r045.txt")
    assert "文档为繁体字，已转换为简体后识别" in res.notes
    assert res.cells["t2.normative.issued"].status == "none"  # “行政規範性檔案” found, “/” read as none
    assert res.texts["overview"].startswith("根据《中华人民共和国政府信息公开条例》")


@pytest.mark.parametrize("lines, unit", [
    (["2021年政府信息公开工作年度报告", "某某镇人民政府", "一、总体情况"], "某某镇人民政府"),
    (["某某县卫生健康局", "2021年度政府信息公开工作年度报告"], "某某县卫生健康局"),
    (["2022年度螅镇政府信息公开工作年度报告"], "螅镇"),
    (["2021年政府信息公开工作年度报告", "一、总体情况"], ""),  # never “政府”
    (["关于报送某某镇2021年政府信息公开工作年度报告的函"], ""),
    (["一、总体情况", "2021年，我镇和县人民政府办公室一起推进政府信息公开工作。"], ""),
])
def test_unit_only_from_title_or_signature(lines, unit):
    from toolkit.publish.importer import year_and_unit
    assert year_and_unit(lines, [])[2] == unit
