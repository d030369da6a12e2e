"""Every label of FORMAT.md appears verbatim in its place in the template.

Expectations are read from FORMAT.md (the §7 YAML summary and the cell-by-cell
layout tables of §1/§2, vendored as tests/fixtures/official_format.json),
never from ``toolkit.spec``; the
workbooks are real files on disk: a fresh ``build_template`` of both
editions and the committed ``workbook_template.xlsx`` (2021).
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import openpyxl
import pytest
from openpyxl.utils.cell import get_column_letter, range_boundaries

from official_format import official_grid, shift, stated_data_cells, yaml_summary
from toolkit.spec import get_edition
from toolkit.xlsx.template import build_template
from workbook_facts import SHEET_T2, SHEET_T3, SHEET_T4, SHEET_TEXT, find

ROOT = Path(__file__).resolve().parents[1]
SHEETS = {"t2": SHEET_T2, "t3": SHEET_T3, "t4": SHEET_T4}
# (edition, source): every label test runs on all three workbooks.
SOURCES = [("2019", "build"), ("2021", "build"), ("2021", "committed")]
# The counts stated in FORMAT.md ("Data cells: … = **N**").
DATA_CELL_COUNTS = {"2019": {"t2": 22, "t3": 161, "t4": 15}, "2021": {"t2": 10, "t3": 175, "t4": 15}}


@pytest.fixture(scope="module")
def workbooks(tmp_path_factory):
    out = {}
    tmp = tmp_path_factory.mktemp("labels")
    for edition in ("2019", "2021"):
        path = tmp / f"template-{edition}.xlsx"
        build_template(edition).save(path)
        out[(edition, "build")] = openpyxl.load_workbook(path)
    out[("2021", "committed")] = openpyxl.load_workbook(ROOT / "workbook_template.xlsx")
    return out


@pytest.fixture(params=SOURCES, ids=lambda s: f"{s[1]}-{s[0]}")
def source(request, workbooks):
    edition, kind = request.param
    return edition, workbooks[request.param]


def value(ws, address: str):
    return ws[address].value


# ---------------------------------------------------------------------------
# §7 YAML summary: labels in their places
# ---------------------------------------------------------------------------

def yaml_table2(edition: str, y: dict) -> dict:
    """address -> label of table 二, placed as §1.1/§2.1 describe.

    Each block: its label on one row (A:D), then 信息内容 and the column
    headers (B, C, D; with fewer columns the last one takes the rest of
    B–D), then one row per item.
    """
    expected = {}
    row = 1
    for block in y["editions"][edition]["table2"]:
        expected[f"A{row}"] = block["block"]
        expected[f"A{row + 1}"] = y["common"]["block_label_col"]
        for i, label in enumerate(block["cols"]):
            expected[f"{get_column_letter(2 + i)}{row + 1}"] = label
        for j, label in enumerate(block["rows"]):
            expected[f"A{row + 2 + j}"] = label
        row += 2 + len(block["rows"])
    return expected


def yaml_table3(edition: str, y: dict) -> dict:
    t3 = y["common"]["table3"]
    expected = {"A1": t3["note"], "D1": t3["group_header"]}
    col = 4
    for item in t3["cols"]:
        if isinstance(item, dict):
            (group, leaves), = item.items()
            expected[f"{get_column_letter(col)}2"] = group
            for leaf in leaves:
                expected[f"{get_column_letter(col)}3"] = leaf
                col += 1
        else:
            expected[f"{get_column_letter(col)}2"] = item
            col += 1
    other_rows = y["editions"][edition]["table3_other_rows"]
    row = 4

    def place(item, depth):
        nonlocal row
        if isinstance(item, str) and item.startswith("<"):
            group = re.search(r"under (.+)>", item).group(1)
            if other_rows == [group]:  # 2019: a single row
                place(group, depth)
            else:
                place({group: other_rows}, depth)
        elif isinstance(item, str):
            expected[f"{'ABC'[depth]}{row}"] = item
            row += 1
        elif "group" in item:
            expected[f"{'ABC'[depth]}{row}"] = item["group"]
            for sub in item["rows"]:
                place(sub, depth + 1)
        else:
            (label, subs), = item.items()
            expected[f"{'ABC'[depth]}{row}"] = label
            for sub in subs:
                place(sub, depth + 1)

    for item in t3["rows"]:
        place(item, 0)
    return expected


def yaml_table4(y: dict) -> dict:
    t4 = y["common"]["table4"]
    leaves = t4["leaf_cols"]
    expected = {}
    col = 1
    for top, width in t4["top"].items():
        expected[f"{get_column_letter(col)}1"] = top
        col += width
    for i, leaf in enumerate(leaves):  # 行政复议 has no middle header: leaves on row 2
        expected[f"{get_column_letter(1 + i)}2"] = leaf
    col = 1 + len(leaves)
    for group in t4["litigation_groups"]:
        expected[f"{get_column_letter(col)}2"] = group
        for i, leaf in enumerate(leaves):
            expected[f"{get_column_letter(col + i)}3"] = leaf
        col += len(leaves)
    return expected


YAML_TABLES = {"t2": yaml_table2, "t3": yaml_table3, "t4": lambda edition, y: yaml_table4(y)}


@pytest.mark.parametrize("table", ["t2", "t3", "t4"])
def test_yaml_labels_verbatim_in_place(source, table):
    edition, wb = source
    expected = YAML_TABLES[table](edition, yaml_summary())
    ws = wb[SHEETS[table]]
    wrong = {shift(a): (label, value(ws, shift(a))) for a, label in expected.items()
             if value(ws, shift(a)) != label}
    assert not wrong, f"{ws.title}: expected label != cell value: {wrong}"


def test_yaml_edition_specific_rows(source):
    """The （六）其他处理 rows of the edition, and no row of the other edition."""
    edition, wb = source
    y = yaml_summary()
    ws = wb[SHEET_T3]
    mine = y["editions"][edition]["table3_other_rows"]
    other = y["editions"]["2021" if edition == "2019" else "2019"]["table3_other_rows"]
    for label in mine:
        assert len(find(ws, label)) == 1, label
    # "（六）其他处理" is the row of 2019 and the group label of 2021: compare the rows only.
    for label in set(other) - set(mine) - {"（六）其他处理"}:
        assert find(ws, label) == [], f"{label} belongs to the other edition"
    (row, col), = find(ws, "（六）其他处理")
    span = next(r for r in ws.merged_cells.ranges if ws.cell(row, col).coordinate in r)
    assert (span.max_row - span.min_row + 1, span.max_col - span.min_col + 1) == (
        (1, 2) if edition == "2019" else (len(mine), 1))
    t2_labels = {v for row in wb[SHEET_T2].iter_rows() for v in (c.value for c in row) if v}
    for block in y["editions"]["2021" if edition == "2019" else "2019"]["table2"]:
        mine_labels = {lab for b in y["editions"][edition]["table2"]
                       for lab in [b["block"]] + b["cols"] + b["rows"]}
        for label in [block["block"]] + block["cols"] + block["rows"]:
            if label not in mine_labels:
                assert label not in t2_labels, f"{label} belongs to the other edition"


def test_yaml_section_titles(source):
    edition, wb = source
    sections = yaml_summary()["common"]["sections"]
    assert wb[SHEET_T2]["A1"].value == sections[1]
    assert wb[SHEET_T3]["A1"].value == sections[2]
    assert wb[SHEET_T4]["A1"].value == sections[3]
    text = [c.value for c in wb[SHEET_TEXT]["A"] if c.value]
    assert [s for s in sections if s in text] == [sections[0], sections[4], sections[5]]


# ---------------------------------------------------------------------------
# §1 / §2 layout tables: addresses, merged ranges, data cells
# ---------------------------------------------------------------------------

@pytest.mark.parametrize("table", ["t2", "t3", "t4"])
def test_layout_labels_at_official_addresses(source, table):
    edition, wb = source
    grid = official_grid(edition, table)
    ws = wb[SHEETS[table]]
    wrong = {shift(a): (label, value(ws, shift(a))) for a, label in grid.labels.items()
             if value(ws, shift(a)) != label}
    assert not wrong, f"{ws.title}: {wrong}"


@pytest.mark.parametrize("table", ["t2", "t3", "t4"])
def test_layout_merges_exactly_official(source, table):
    """Inside the official grid the merged ranges are exactly those of FORMAT.md."""
    edition, wb = source
    grid = official_grid(edition, table)
    ws = wb[SHEETS[table]]
    last_row, last_col = grid.bounds()
    expected = {shift(r) for r in grid.merges.values()}
    inside = set()
    for rng in ws.merged_cells.ranges:
        c1, r1, c2, r2 = range_boundaries(str(rng))
        if r1 > 1 and r1 <= last_row + 1 and c1 <= last_col:
            inside.add(str(rng))
    assert inside == expected, (f"missing {sorted(expected - inside)}, "
                                f"extra {sorted(inside - expected)}")


def test_layout_key_merges(source):
    """The merges the brief names, spelled out (our row = official row + 1)."""
    edition, wb = source
    t3 = {str(r) for r in wb[SHEET_T3].merged_cells.ranges}
    span = {"2019": 20, "2021": 22}[edition]
    assert "A2:C4" in t3  # the 勾稽 note: A:C over the three header rows
    assert "D2:J2" in t3  # 申请人情况
    assert "E3:I3" in t3  # 法人或其他组织
    assert {"D3:D4", "J3:J4"} <= t3  # 自然人, 总计
    assert f"A7:A{7 + span - 1}" in t3  # 三、本年度办理结果
    assert "B9:B16" in t3  # （三）不予公开, rowspan 8
    assert wb[SHEET_T3]["A7"].value == "三、本年度办理结果"
    grid = official_grid(edition, "t3")
    assert grid.rowspans["三、本年度办理结果"] == span
    t4 = {str(r) for r in wb[SHEET_T4].merged_cells.ranges}
    assert {"A2:E2", "F2:O2", "F3:J3", "K3:O3"} <= t4
    assert {f"{c}3:{c}4" for c in "ABCDE"} <= t4


@pytest.mark.parametrize("table", ["t2", "t3", "t4"])
def test_data_cells_at_official_addresses(source, table):
    """Data cells: FORMAT.md's count, at FORMAT.md's addresses, empty or a formula."""
    edition, wb = source
    grid = official_grid(edition, table)
    ws = wb[SHEETS[table]]
    assert stated_data_cells(edition, table) == [DATA_CELL_COUNTS[edition][table]]
    assert len(grid.data) == len(set(grid.data)) == DATA_CELL_COUNTS[edition][table]
    ours = {c.address for c in get_edition(edition).data_cells(table)}
    assert ours == {shift(a) for a in grid.data}
    for a in grid.data:
        v = value(ws, shift(a))
        assert v is None or (isinstance(v, str) and v.startswith("=")), f"{shift(a)} = {v!r}"


@pytest.mark.parametrize("table", ["t2", "t3", "t4"])
def test_nothing_else_inside_official_grid(source, table):
    """No extra label, subtotal or helper text inside the official grid."""
    edition, wb = source
    grid = official_grid(edition, table)
    ws = wb[SHEETS[table]]
    last_row, last_col = grid.bounds()
    allowed = {shift(a) for a in grid.labels} | {shift(a) for a in grid.data}
    extra = {}
    for row in ws.iter_rows(min_row=2, max_row=last_row + 1, max_col=last_col):
        for cell in row:
            if cell.value is not None and cell.coordinate not in allowed:
                extra[cell.coordinate] = cell.value
    assert not extra, f"{ws.title}: unexpected content {extra}"
    # and nothing below the table but the sign-off line of the printed form (issue #16)
    below = [c.coordinate for row in ws.iter_rows(min_row=last_row + 2) for c in row
             if c.value is not None and not str(c.value).startswith('="单位负责人：')]
    assert not below


def test_vendored_official_format_matches_format_md():
    """The vendored copy is what ../shared/FORMAT.md says today (skips in a plain clone)."""
    from official_format import FORMAT_MD, parse_all, vendored
    if not FORMAT_MD.exists():
        pytest.skip("../shared/FORMAT.md not available; the vendored copy is used")
    fresh = json.loads(json.dumps(parse_all(FORMAT_MD.read_text(encoding="utf-8")), ensure_ascii=False))
    assert fresh == vendored(), "FORMAT.md changed: run python tests/official_format.py --write"
