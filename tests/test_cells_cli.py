"""``xxgk cells --json`` against the template on disk, and ``--help`` of every command.

The cell list is the public contract other programs rely on: every id is
unique, every address is the right kind of cell in the template (input →
unlocked with a validation, total → formula, info → unlocked beside its
label on 封面), and every path is made of the labels printed around it.
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys
from pathlib import Path

import openpyxl
import pytest
from click.testing import CliRunner
from openpyxl.utils.cell import coordinate_from_string, column_index_from_string

from official_format import yaml_summary
from toolkit.cells import cell_table
from toolkit.spec import editions as E
from toolkit.cli import main
from toolkit.xlsx.template import build_template
from workbook_facts import SHEET_COVER, SHEET_TEXT, dv_index, merge_at

ROOT = Path(__file__).resolve().parents[1]
DOC = ROOT / "docs" / "cells-json.md"
EDITIONS = ["2019", "2021"]
CELL_KEYS = {"id", "path", "sheet", "address", "kind", "type", "table", "labels"}
KINDS = {"input", "total", "info", "text"}
TYPES = {"count", "signed", "amount", "text", "choice", "year"}
TABLES = {"t2", "t3", "t4", "info", "text"}
SHEET_ORDER = ["封面", "二、主动公开", "三、依申请公开", "四、复议诉讼", "正文"]


def run_cells(*args) -> dict:
    result = CliRunner().invoke(main, ["cells", *args])
    assert result.exit_code == 0, result.output
    return json.loads(result.output)


@pytest.fixture(scope="module")
def listing():
    return {ed: run_cells("--edition", ed, "--json") for ed in EDITIONS}


@pytest.fixture(scope="module")
def books(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("cells")
    out = {}
    for ed in EDITIONS:
        build_template(ed).save(tmp / f"{ed}.xlsx")
        out[ed] = openpyxl.load_workbook(tmp / f"{ed}.xlsx")
    return out


def split_path(path: str, slashed: set) -> list[str]:
    """Split a path at "/", keeping labels that themselves contain "/" (本年增/减) whole."""
    parts, out, i = path.split("/"), [], 0
    while i < len(parts):
        for label in sorted(slashed, key=lambda s: -s.count("/")):
            n = label.count("/") + 1
            if "/".join(parts[i:i + n]) == label:
                out.append(label)
                i += n
                break
        else:
            out.append(parts[i])
            i += 1
    return out


def slashed_labels(wb) -> set:
    """Labels of the table sheets (the ones paths are made of) that contain "/"."""
    return {c.value for ws in wb.worksheets[1:4] for row in ws.iter_rows() for c in row
            if isinstance(c.value, str) and "/" in c.value and not c.value.startswith("=")}


def rc(address: str) -> tuple[int, int]:
    col, row = coordinate_from_string(address)
    return row, column_index_from_string(col)


# ---------------------------------------------------------------------------
# Schema
# ---------------------------------------------------------------------------

@pytest.mark.parametrize("edition", EDITIONS)
def test_json_schema(listing, edition):
    doc = listing[edition]
    assert set(doc) == {"schema", "edition", "cells"}
    assert doc["schema"] == 1 and doc["edition"] == edition
    for c in doc["cells"]:
        assert set(c) == CELL_KEYS, c
        assert c["kind"] in KINDS and c["type"] in TYPES and c["table"] in TABLES, c
        assert all(isinstance(v, str) and v for k, v in c.items() if k != "labels"), c
        assert "/".join(c["labels"]) == c["path"] and all(c["labels"]), c
        assert re.fullmatch(r"[A-Z]{1,2}[1-9][0-9]*", c["address"]), c
        if c["table"] in ("t2", "t3", "t4"):
            assert re.fullmatch(rf"{c['table']}\.[a-z0-9_]+\.[a-z0-9_]+", c["id"]), c
            assert c["kind"] in ("input", "total")
        elif c["table"] == "text":  # one cell per paragraph: text.<section>.<n>
            assert re.fullmatch(r"text\.[a-z0-9_]+\.[1-9][0-9]*", c["id"]), c
            assert c["kind"] == c["table"]
        else:
            assert re.fullmatch(rf"{c['table']}\.[a-z0-9_]+", c["id"]), c
            assert c["kind"] == c["table"]
    assert doc["cells"] == cell_table(edition)  # the library and the CLI agree


@pytest.mark.parametrize("edition", EDITIONS)
def test_ids_and_addresses_unique(listing, edition):
    cells = listing[edition]["cells"]
    ids = [c["id"] for c in cells]
    assert len(ids) == len(set(ids))
    places = [(c["sheet"], c["address"]) for c in cells]
    assert len(places) == len(set(places))
    # documented order: sheet by sheet, row by row
    keys = [(SHEET_ORDER.index(c["sheet"]), rc(c["address"])[0]) for c in cells]
    assert keys == sorted(keys)


def test_default_edition_is_2021(listing):
    assert run_cells("--json") == listing["2021"]


@pytest.mark.parametrize("edition", EDITIONS)
def test_counts(listing, edition):
    cells = listing[edition]["cells"]
    count = {t: sum(1 for c in cells if c["table"] == t) for t in TABLES}
    totals = {t: sum(1 for c in cells if c["table"] == t and c["kind"] == "total") for t in TABLES}
    want = {"2019": {"t2": 22, "t3": 161, "t4": 15}, "2021": {"t2": 10, "t3": 175, "t4": 15}}[edition]
    assert {t: count[t] for t in want} == want
    assert totals == {"t2": 0, "t3": {"2019": 29, "2021": 31}[edition], "t4": 3, "info": 0, "text": 0}
    assert count["info"] == 7 and count["text"] == sum(E.TEXT_PARAGRAPHS.values()) == 24


# ---------------------------------------------------------------------------
# Every address matches the template
# ---------------------------------------------------------------------------

@pytest.mark.parametrize("edition", EDITIONS)
def test_addresses_match_template(listing, books, edition):
    wb = books[edition]
    assert [ws.title for ws in wb.worksheets if ws.sheet_state == "visible"] == SHEET_ORDER + ["校验"]
    dvs = {ws.title: dv_index(ws) for ws in wb.worksheets}
    for c in listing[edition]["cells"]:
        ws = wb[c["sheet"]]
        cell = ws[c["address"]]
        where = f"{c['id']} at {c['sheet']}!{c['address']}"
        if c["kind"] == "total":
            assert isinstance(cell.value, str) and cell.value.startswith("=SUM("), where
            assert cell.protection.locked, where
            assert c["address"] not in dvs[ws.title], where
            continue
        assert cell.value is None, where
        assert not cell.protection.locked, where
        assert len(dvs[ws.title].get(c["address"], [])) == 1, where
        row, col = rc(c["address"])
        label = c["path"].split("/")[-1]
        if c["kind"] == "info":
            assert ws.title == SHEET_COVER, where
            assert ws.cell(row, col - 1).value == label, where  # the label beside it
        elif c["kind"] == "text":  # title, hint, then one row per paragraph
            assert ws.title == SHEET_TEXT, where
            section, n = c["labels"][1], int(c["id"].rsplit(".", 1)[1])
            assert label == f"第{n}段" and ws.cell(row - n - 1, col).value == section, where
            assert "每格填写一段，超过 800 字请分段写在下一格" in ws.cell(row - n, col).value, where
            assert ws.row_dimensions[row].height is None, where  # no height: the row fits its text
            dv = dvs[ws.title][c["address"]][0]
            assert (dv.type, dv.operator, dv.formula1) == ("textLength", "lessThanOrEqual", "800"), where
            assert "每格填写一段，超过 800 字请分段写在下一格" in dv.error, where


def _governing_labels(ws, row: int, col: int) -> set:
    """Labels printed left of the cell on its row, or above it in its column (merges included)."""
    found = set()
    for r in range(1, ws.max_row + 1):
        for cc in range(1, ws.max_column + 1):
            if not ((r == row and cc < col) or (cc == col and r < row)):
                continue
            cell = ws.cell(r, cc)
            rng = merge_at(ws, cell.coordinate)
            anchor = ws.cell(rng.min_row, rng.min_col) if rng else cell
            if isinstance(anchor.value, str) and not anchor.value.startswith("="):
                found.add(anchor.value)
    return found


@pytest.mark.parametrize("edition", EDITIONS)
def test_paths_are_the_printed_labels(listing, books, edition):
    wb = books[edition]
    slashed = slashed_labels(wb)
    cache = {}
    for c in listing[edition]["cells"]:
        if c["table"] not in ("t2", "t3", "t4"):
            continue
        ws = wb[c["sheet"]]
        title, *labels = split_path(c["path"], slashed)
        assert title == ws["A1"].value, c
        key = (c["sheet"], c["address"])
        if key not in cache:
            cache[key] = _governing_labels(ws, *rc(c["address"]))
        missing = [lab for lab in labels if lab not in cache[key]]
        assert not missing, f"{c['id']}: {missing} not printed beside or above {c['address']}"


def _yaml_strings(node) -> set:
    if isinstance(node, str):
        group = re.search(r"under (.+)>$", node)  # "<edition table3_other_rows under （六）其他处理>"
        return {group.group(1)} if group else {node}
    if isinstance(node, dict):
        return set().union(*(_yaml_strings(k) | _yaml_strings(v) for k, v in node.items()))
    if isinstance(node, list):
        return set().union(*(_yaml_strings(v) for v in node)) if node else set()
    return set()


@pytest.mark.parametrize("edition", EDITIONS)
def test_path_labels_are_official(listing, edition):
    """Every component of a table path is a label of FORMAT.md §7."""
    y = yaml_summary()
    official = _yaml_strings(y["editions"][edition]) | _yaml_strings(y["common"])
    slashed = {s for s in official if "/" in s}
    for c in listing[edition]["cells"]:
        if c["table"] in ("t2", "t3", "t4"):
            unknown = [p for p in split_path(c["path"], slashed) if p not in official]
            assert not unknown, f"{c['id']}: {unknown}"


# ---------------------------------------------------------------------------
# The installed command, the text listing, the docs
# ---------------------------------------------------------------------------

def test_installed_command(listing):
    exe = shutil.which("xxgk")
    cmd = [exe] if exe else [sys.executable, "-m", "toolkit"]
    proc = subprocess.run(cmd + ["cells", "--edition", "2019", "--json"], capture_output=True,
                          timeout=120)
    assert proc.returncode == 0, proc.stderr.decode("utf-8", "replace")
    text = proc.stdout.decode("utf-8")
    assert "自然人" in text  # Chinese written as UTF-8, not \\u escapes
    assert json.loads(text) == listing["2019"]


@pytest.mark.parametrize("edition", EDITIONS)
def test_text_listing_has_every_cell(listing, edition):
    result = CliRunner().invoke(main, ["cells", "--edition", edition])
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    cells = listing[edition]["cells"]
    assert len(lines) == len(cells)
    for line, c in zip(lines, cells):
        assert line.split()[0] == c["id"] and f"{c['sheet']}!{c['address']}" in line
        assert line.endswith(c["path"])


def test_schema_documented(listing):
    doc = DOC.read_text(encoding="utf-8")
    values = {"schema", "edition", "cells"} | CELL_KEYS
    for ed in EDITIONS:
        for c in listing[ed]["cells"]:
            values |= {c["kind"], c["type"], c["table"]}
    undocumented = [v for v in sorted(values) if f"`{v}`" not in doc]
    assert not undocumented, f"docs/cells-json.md does not mention {undocumented}"


@pytest.mark.parametrize("edition", EDITIONS)
def test_labels_with_slash_documented(books, edition):
    """A path is split at "/"; every label that contains "/" itself must be documented."""
    doc = DOC.read_text(encoding="utf-8")
    for label in slashed_labels(books[edition]):
        assert f"`{label}`" in doc, f"docs/cells-json.md must warn about {label!r}"


def test_every_command_help_has_an_example():
    runner = CliRunner()
    top = runner.invoke(main, ["--help"])
    assert top.exit_code == 0 and "示例" in top.output
    assert main.commands, "no commands registered"
    for name, command in main.commands.items():
        result = runner.invoke(main, [name, "--help"])
        assert result.exit_code == 0, f"{name}: {result.output}"
        assert "示例" in result.output, f"`xxgk {name} --help` has no 示例 section"
        assert re.search(rf"^\s+xxgk {re.escape(name)}\b", result.output, re.M), \
            f"`xxgk {name} --help` has no example command line"
