"""The locked template, read back from disk with openpyxl.

Proves: labels locked, inputs unlocked with the right data validation,
totals are formulas over exactly the cells the official structure implies
(located by the printed labels, not taken from our spec), sheets and
workbook protected, the very hidden meta sheet, and that the committed
``workbook_template.xlsx`` is exactly what ``build_template("2021")`` makes.
"""

from __future__ import annotations

import copy
import re
from pathlib import Path

import openpyxl
import pytest
from click.testing import CliRunner
from openpyxl.cell.cell import MergedCell

from toolkit.cli import main
from toolkit.spec import editions as E
from toolkit.spec import get_edition
from toolkit.spec.model import _fingerprint
from toolkit.xlsx.template import build_template
from workbook_facts import (SHEET_COVER, SHEET_META, SHEET_T2, SHEET_TEXT, dv_index,
                            expected_totals, formula_refs, merge_at, snapshot, snapshot_diff)

ROOT = Path(__file__).resolve().parents[1]
COMMITTED = ROOT / "workbook_template.xlsx"
EDITIONS = ["2019", "2021"]
CJK = re.compile(r"[\u4e00-\u9fff]")


@pytest.fixture(scope="module")
def saved(tmp_path_factory):
    """edition -> path of a freshly built template saved to disk."""
    tmp = tmp_path_factory.mktemp("template")
    out = {}
    for edition in EDITIONS:
        out[edition] = tmp / f"template-{edition}.xlsx"
        build_template(edition).save(out[edition])
    return out


@pytest.fixture(scope="module")
def books(saved):
    return {ed: openpyxl.load_workbook(p) for ed, p in saved.items()}


def table_sheets(wb):
    return [ws for ws in wb.worksheets if ws.title != SHEET_META]


def input_addresses(edition: str) -> dict:
    """sheet -> {address: Cell} of everything a user types into."""
    out: dict = {}
    for c in get_edition(edition).cells:
        if c.kind in ("input", "info", "text"):
            out.setdefault(c.sheet, {})[c.address] = c
    return out


# ---------------------------------------------------------------------------
# Expected validation kind, derived from the printed labels
# ---------------------------------------------------------------------------

def expected_type(ws, address: str) -> str:
    """The value type a cell must accept, read from the labels around it."""
    cell = ws[address]
    if ws.title == SHEET_COVER:
        label = ws.cell(cell.row, cell.column - 1).value
        return {"单位类型": "choice", "报告年度": "year"}.get(label, "text")
    if ws.title == SHEET_TEXT:
        return "text"
    if ws.title == SHEET_T2:
        # the column header is on the nearest row above whose A cell is 信息内容
        r = cell.row - 1
        while ws.cell(r, 1).value != "信息内容":
            r -= 1
        anchor = ws.cell(r, cell.column)
        header = anchor.value
        if isinstance(anchor, MergedCell):
            rng = merge_at(ws, anchor.coordinate)
            header = ws.cell(rng.min_row, rng.min_col).value
        if header == "本年增/减":
            return "signed"
        if "金额" in header:
            return "amount"
        return "count"
    return "count"  # tables 三 and 四: numbers of applications / cases


def allows(dv, value) -> bool:
    """Would Excel accept ``value`` under the data validation ``dv``?"""
    if dv.type == "list":
        return str(value) in dv.formula1.strip('"').split(",")
    if dv.type == "textLength":
        value = len(str(value))
    elif not isinstance(value, (int, float)):
        return False
    elif dv.type == "whole" and float(value) != int(value):
        return False
    lo = float(dv.formula1)
    hi = float(dv.formula2) if dv.formula2 is not None else None
    return {
        "between": lambda v: lo <= v <= hi, "notBetween": lambda v: not lo <= v <= hi,
        "equal": lambda v: v == lo, "notEqual": lambda v: v != lo,
        "greaterThan": lambda v: v > lo, "lessThan": lambda v: v < lo,
        "greaterThanOrEqual": lambda v: v >= lo, "lessThanOrEqual": lambda v: v <= lo,
    }[dv.operator or "between"](value)


ACCEPT = {
    "count": ([0, 1, 37, 100000], [-1, 2.5, "三"]),
    "signed": ([-3, 0, 12], [1.5, "增3"]),
    "amount": ([0, 0.5, 4068.208, 12], [-0.01, "8040元"]),
    "year": ([2019, 2021, 2035], [1999, 2021.5, "二〇二一"]),
    "choice": (["乡镇", "街道", "县级政府部门"], ["镇", "乡镇街道"]),
    "text": (["某某镇人民政府", "无"], ["x" * 40000]),
}
DV_TYPE = {"count": "whole", "signed": "whole", "amount": "decimal", "year": "whole",
           "choice": "list", "text": "textLength"}


# ---------------------------------------------------------------------------
# Locking and validations
# ---------------------------------------------------------------------------

@pytest.mark.parametrize("edition", EDITIONS)
def test_only_input_cells_are_unlocked(books, edition):
    """Every label, total and blank cell locked; every input unlocked."""
    wb = books[edition]
    inputs = input_addresses(edition)
    for ws in table_sheets(wb):
        mine = inputs.get(ws.title, {})
        unlocked, labels = set(), 0
        for row in ws.iter_rows(max_row=ws.max_row + 2, max_col=ws.max_column + 2):
            for cell in row:
                if isinstance(cell, MergedCell):
                    rng = merge_at(ws, cell.coordinate)
                    anchor = ws.cell(rng.min_row, rng.min_col)
                    assert cell.protection.locked == anchor.protection.locked, cell.coordinate
                    continue
                if isinstance(cell.value, str) and not cell.value.startswith("="):
                    labels += 1
                    assert cell.protection.locked, f"{ws.title}!{cell.coordinate} label unlocked"
                if not cell.protection.locked:
                    unlocked.add(cell.coordinate)
        assert unlocked == set(mine), f"{ws.title}: unlocked {sorted(unlocked ^ set(mine))}"
        assert labels > 0
    assert set(inputs) == {SHEET_COVER, SHEET_T2, "三、依申请公开", "四、复议诉讼", SHEET_TEXT}


@pytest.mark.parametrize("edition", EDITIONS)
def test_inputs_have_the_right_validation(books, edition):
    wb = books[edition]
    seen_types = set()
    for sheet, cells in input_addresses(edition).items():
        ws = wb[sheet]
        index = dv_index(ws)
        for address, spec_cell in cells.items():
            dvs = index.get(address, [])
            assert len(dvs) == 1, f"{sheet}!{address}: {len(dvs)} validations"
            dv = dvs[0]
            typ = expected_type(ws, address)
            seen_types.add(typ)
            assert spec_cell.type == typ, f"{sheet}!{address}: spec type {spec_cell.type} != {typ}"
            assert dv.type == DV_TYPE[typ], f"{sheet}!{address}: {dv.type} for {typ}"
            good, bad = ACCEPT[typ]
            assert all(allows(dv, v) for v in good), f"{sheet}!{address} rejects one of {good}"
            assert not any(allows(dv, v) for v in bad), f"{sheet}!{address} accepts one of {bad}"
            assert dv.showErrorMessage and dv.errorStyle in (None, "stop")
            assert CJK.search(dv.error) and CJK.search(dv.prompt)
            if typ == "choice":
                assert dv.formula1.strip('"').split(",") == E.UNIT_TYPES
        # no validation on anything but inputs (totals, labels)
        assert set(index) <= set(cells), f"{sheet}: validations on {set(index) - set(cells)}"
    expected = {"count", "signed", "amount", "choice", "year", "text"} if edition == "2019" else \
        {"count", "amount", "choice", "year", "text"}
    assert seen_types == expected


# ---------------------------------------------------------------------------
# Totals
# ---------------------------------------------------------------------------

def _live_formula(sheet: str, formula: str) -> bool:
    """Formulas of the live checks and print furniture (tests/test_live_checks.py):
    on the 校验 sheet or reading other sheets."""
    return sheet == "校验" or "!" in formula


@pytest.mark.parametrize("edition", EDITIONS)
def test_totals_are_formulas_over_exactly_the_right_cells(books, edition):
    wb = books[edition]
    expected = expected_totals(wb)
    formulas = {(ws.title, c.coordinate): c.value for ws in table_sheets(wb)
                for row in ws.iter_rows() for c in row
                if isinstance(c.value, str) and c.value.startswith("=")
                and not _live_formula(ws.title, c.value)}
    assert set(formulas) == set(expected), (
        f"formulas missing at {sorted(set(expected) - set(formulas))}, "
        f"unexpected at {sorted(set(formulas) - set(expected))}")
    for key, formula in formulas.items():
        assert formula_refs(formula) in expected[key], f"{key}: {formula}"
    # t3: 25 (2019: 23) row totals + 6 column totals of （七）; t4: 3
    n_rows = {"2019": 23, "2021": 25}[edition]
    assert sum(1 for s, _ in formulas if s == "三、依申请公开") == n_rows + 6
    assert sum(1 for s, _ in formulas if s == "四、复议诉讼") == 3
    # the spec agrees on which cells are totals, and totals are locked
    spec_totals = {(c.sheet, c.address) for c in get_edition(edition).totals()}
    assert spec_totals == set(formulas)
    for sheet, address in formulas:
        assert wb[sheet][address].protection.locked


@pytest.mark.parametrize("edition", EDITIONS)
def test_total_inputs_are_cells_of_the_same_table(books, edition):
    """Summed cells are inputs or other totals of table 三/四, never labels."""
    wb = books[edition]
    for (sheet, _), options in expected_totals(wb).items():
        ws = wb[sheet]
        for address in set().union(*options):
            v = ws[address].value
            assert v is None or str(v).startswith("="), f"{sheet}!{address} = {v!r}"


# ---------------------------------------------------------------------------
# Protection and meta sheet
# ---------------------------------------------------------------------------

@pytest.mark.parametrize("edition", EDITIONS)
def test_sheets_and_structure_protected(books, edition):
    wb = books[edition]
    assert wb.security is not None and wb.security.lockStructure
    for ws in wb.worksheets:
        p = ws.protection
        assert p.sheet, f"{ws.title} not protected"
        assert p.password is None  # deliberately no password (docs/design-decisions.md)
        # structure of the grid may not change; widening columns / rows is allowed
        assert p.insertRows and p.deleteRows and p.insertColumns and p.deleteColumns
        assert p.formatCells and p.sort
    for ws in table_sheets(wb):
        assert not ws.protection.formatColumns and not ws.protection.formatRows


@pytest.mark.parametrize("edition", EDITIONS)
def test_meta_sheet(books, edition):
    wb = books[edition]
    assert [ws.title for ws in wb.worksheets][-1] == SHEET_META
    meta = wb[SHEET_META]
    assert meta.sheet_state == "veryHidden"
    assert all(ws.sheet_state == "visible" for ws in table_sheets(wb))
    rows = {r[0]: r[1] for r in meta.iter_rows(values_only=True)}
    assert rows["edition"] == edition
    assert rows["template_version"] == E.TEMPLATE_VERSION
    assert re.fullmatch(r"[0-9a-f]{32}", rows["fingerprint"])
    assert rows["fingerprint"] == get_edition(edition).fingerprint
    other = "2021" if edition == "2019" else "2019"
    assert rows["fingerprint"] != get_edition(other).fingerprint


def test_fingerprint_changes_with_any_label():
    ed = get_edition("2021")
    layouts = copy.deepcopy(ed.layouts)
    base = _fingerprint("2021", layouts, ed.cells)
    assert base == ed.fingerprint
    t3 = next(lay for lay in layouts if lay.key == "t3")
    t3.cells["A7"].value = "三、本年度办理情况"
    assert _fingerprint("2021", layouts, ed.cells) != base
    t3.cells["A7"].value = "三、本年度办理结果"
    t3.merges.remove("A7:A28")
    assert _fingerprint("2021", layouts, ed.cells) != base


# ---------------------------------------------------------------------------
# The committed template and the CLI output equal a fresh build
# ---------------------------------------------------------------------------

def test_committed_template_equals_fresh_build(saved):
    diffs = snapshot_diff(snapshot(COMMITTED), snapshot(saved["2021"]))
    assert not diffs, ("workbook_template.xlsx is stale; rebuild it with "
                       "`xxgk template -o workbook_template.xlsx --force`:\n" + "\n".join(diffs))


@pytest.mark.parametrize("edition", EDITIONS)
def test_cli_template_equals_build(saved, edition, tmp_path):
    out = tmp_path / f"模板-{edition}.xlsx"
    result = CliRunner().invoke(main, ["template", "--edition", edition, "-o", str(out)])
    assert result.exit_code == 0, result.output
    assert not snapshot_diff(snapshot(out), snapshot(saved[edition]))
    # an existing file is kept unless --force is given
    other = "2021" if edition == "2019" else "2019"
    refused = CliRunner().invoke(main, ["template", "--edition", other, "-o", str(out)])
    assert refused.exit_code != 0 and "--force" in refused.output
    assert not snapshot_diff(snapshot(out), snapshot(saved[edition]))
    forced = CliRunner().invoke(main, ["template", "--edition", other, "-o", str(out), "--force"])
    assert forced.exit_code == 0, forced.output
    assert not snapshot_diff(snapshot(out), snapshot(saved[other]))


@pytest.mark.parametrize("change", ["label", "lock", "validation", "merge", "formula", "width",
                                    "state", "protection"])
def test_snapshot_comparison_detects_changes(saved, tmp_path, change):
    """The comparison above can fail: each kind of tampering is reported."""
    wb = openpyxl.load_workbook(saved["2021"])
    t3 = wb["三、依申请公开"]
    if change == "label":
        t3["A7"].value = "三、本年度办理情况"
    elif change == "lock":
        t3["J5"].protection = openpyxl.styles.Protection(locked=False)
    elif change == "validation":
        t3.data_validations.dataValidation[0].formula1 = "-1"
    elif change == "merge":
        t3.unmerge_cells("B9:B16")
    elif change == "formula":
        t3["J5"].value = "=SUM(D5:H5)"
    elif change == "width":
        t3.column_dimensions["C"].width = 20
    elif change == "state":
        wb[SHEET_META].sheet_state = "hidden"
    elif change == "protection":
        t3.protection.sheet = False
    out = tmp_path / "changed.xlsx"
    wb.save(out)
    assert snapshot_diff(snapshot(out), snapshot(saved["2021"]))
