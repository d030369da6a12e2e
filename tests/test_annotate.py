"""``xxgk check --annotate``: the marked copy, read back from disk.

Workbooks are real files made from the template with injected mistakes;
the copy is read back with openpyxl (notes, fills, protection, validations,
formulas — compared cell by cell with the input) and opened by LibreOffice
as an independent engine (conversion, and notes in its PDF export).
"""

from __future__ import annotations

import hashlib
import re
import zipfile
from pathlib import Path

import openpyxl
import pytest
from click.testing import CliRunner

from conftest import make_report
from lo import convert, needs_libreoffice
from workbook_facts import snapshot

from toolkit.engine.check import check
from toolkit.cli import main
from toolkit.engine.findings import (NOTE_AUTHOR, RESULTS_EXPLANATION_COL, RESULTS_HEADER_ROW,
                              RESULTS_HEADERS, RESULTS_KEY_COL, RESULTS_SHEET, SEVERITY_LABELS)
from toolkit.spec import get_edition
from toolkit.xlsx.styles import SEVERITY_FILLS
from toolkit.xlsx.template import build_template

ED = get_edition("2021")
SEV_ORDER = ["error", "verify", "hint"]


def ref(cell_id: str) -> tuple[str, str]:
    c = ED.by_id[cell_id]
    return c.sheet, c.address


def mistakes(values: dict) -> dict:
    """A typed total, text 无 in a number cell, a 一+二≠七+四 slip, 规章 for a 乡镇 (T2-8)."""
    return {
        "t3.new.total": 999,
        "t4.review.upheld": "无",
        "t3.new.commercial": values["t3.new.commercial"] + 1,
        "t2.rules.issued": 2,
    }


@pytest.fixture(scope="module")
def src(tmp_path_factory) -> Path:
    d = tmp_path_factory.mktemp("annotate")
    path, values = make_report(d / "某某镇.xlsx", seed=3)
    make_report(path, seed=3, overrides=mistakes(values))
    return path


def run_cli(*args) -> tuple[int, str, str]:
    res = CliRunner().invoke(main, ["check", *map(str, args)])
    assert not isinstance(res.exception, Exception) or isinstance(res.exception, SystemExit), \
        res.exception
    return res.exit_code, res.stdout, res.stderr


def annotate(src: Path, out: Path) -> Path:
    code, _, err = run_cli(src, "--annotate", out)
    assert out.exists(), err
    return out


def expected_marks(path: Path) -> dict:
    """(sheet, address) -> findings whose note the cell carries, from the check result of ``path``.

    The note goes on the culprit when one is named, else on the first cell of a
    rule's finding (with candidates, or not localised), else on each cell of
    the finding (blank cells, 规章 entries, …)."""
    out: dict = {}
    for f in check(path).findings:
        located = [c for c in f.cells if c.address and not c.path.startswith("上年/")]
        if f.culprit:
            located = [c for c in located if c.cell_id == f.culprit][:1]
        elif f.lhs is not None or len(f.candidates) > 1:
            located = located[:1]
        for c in located:
            out.setdefault((c.sheet, c.address), [])
            if f not in out[(c.sheet, c.address)]:
                out[(c.sheet, c.address)].append(f)
    return out


def expected_fills(path: Path) -> dict:
    """(sheet, address) -> fill: strong on culprits and flagged cells, medium on one of several
    equally likely cells, light on the other cells of a broken rule and on an undecided note."""
    from toolkit.xlsx.styles import CANDIDATE_FILLS, LIGHT_FILLS
    level: dict = {}
    notes_at = expected_marks(path)
    for f in check(path).findings:
        cands = {c["cell"] for c in f.candidates}
        for c in f.cells:
            if not c.address or c.path.startswith("上年/"):
                continue
            key = (c.sheet, c.address)
            if f in notes_at.get(key, []) and (f.culprit or (f.lhs is None or len(cands) <= 1)):
                lv = 3
            elif len(cands) > 1 and not f.culprit and c.cell_id in cands:
                lv = 2
            else:
                lv = 1
            level.setdefault(key, []).append((lv, f.severity))
    out = {}
    for key, items in level.items():
        top = max(lv for lv, _ in items)
        sev = min((s for lv, s in items if lv == top), key=SEV_ORDER.index)
        out[key] = {3: SEVERITY_FILLS, 2: CANDIDATE_FILLS, 1: LIGHT_FILLS}[top][sev]
    return out


def notes(path: Path) -> dict:
    """(sheet, address) -> (author, text) of every note in the workbook."""
    wb = openpyxl.load_workbook(path)
    return {(ws.title, c.coordinate): (c.comment.author, c.comment.text)
            for ws in wb.worksheets for row in ws.iter_rows() for c in row if c.comment}


def fill_of(cell) -> str | None:
    f = cell.fill
    if f is None or f.fill_type is None:
        return None
    return f.fgColor.rgb[-6:].upper()


def fills(path: Path, sheets) -> dict:
    wb = openpyxl.load_workbook(path)
    return {(n, c.coordinate): fill_of(c) for n in sheets for row in wb[n].iter_rows() for c in row}


def sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def spec_sheets() -> list[str]:
    return [lay.name for lay in ED.layouts]


# ---------------------------------------------------------------------------


def test_marks_by_role_one_note_per_cell_and_nothing_on_uninvolved_cells(src, tmp_path):
    before = sha(src)
    out = annotate(src, tmp_path / "out.xlsx")
    assert sha(src) == before  # the input is never modified
    want = expected_marks(src)
    # The injected mistakes carry the notes: the culprits are named.
    for cid in ("t3.new.total", "t4.review.upheld", "t2.rules.issued"):
        assert ref(cid) in want, cid
    got = notes(out)
    ours = {k: v for k, v in got.items() if v[0] == NOTE_AUTHOR}
    assert set(ours) == set(want)
    got_fills = fills(out, spec_sheets())
    for key, fs in want.items():
        author, text = ours[key]
        for f in fs:  # one note carrying every message for the cell
            assert f.message in text
        assert text.count("【") == len(fs)
    wanted_fills = expected_fills(src)
    for key, colour in wanted_fills.items():
        assert got_fills[key] == colour, key
    assert got_fills[ref("t3.new.total")] == SEVERITY_FILLS["error"]  # typed over: the culprit
    assert got_fills[ref("t2.rules.issued")] == SEVERITY_FILLS["verify"]
    assert got_fills[ref("t4.review.upheld")] == SEVERITY_FILLS["error"]
    # No note is repeated: each finding's message is in exactly one note.
    for f in check(src).findings:
        if f.lhs is not None or f.culprit:
            assert sum(f.message in t for _, t in ours.values()) == 1, f.message
    # Every other cell keeps the fill it had in the input.
    src_fills = fills(src, spec_sheets())
    for key, colour in src_fills.items():
        if key not in wanted_fills:
            assert got_fills[key] == colour, key


def test_results_sheet_lists_findings_with_links_keys_and_unlocked_explanations(src, tmp_path):
    out = annotate(src, tmp_path / "out.xlsx")
    result = check(src)
    wb = openpyxl.load_workbook(out)
    ws = wb[RESULTS_SHEET]
    assert result.verdict_label in ws["A1"].value
    header = [ws.cell(RESULTS_HEADER_ROW, i + 1).value for i in range(len(RESULTS_HEADERS))]
    assert header == RESULTS_HEADERS
    rows = list(ws.iter_rows(min_row=RESULTS_HEADER_ROW + 1, max_col=len(RESULTS_HEADERS)))
    assert len(rows) == len(result.findings)
    key_col = openpyxl.utils.get_column_letter(RESULTS_KEY_COL)
    assert ws.column_dimensions[key_col].hidden
    assert ws.protection.sheet
    for row, f in zip(rows, result.findings):
        assert row[RESULTS_KEY_COL - 1].value == f.key
        assert row[1].value == SEVERITY_LABELS[f.severity]
        assert row[5].value == f.message
        assert row[RESULTS_EXPLANATION_COL - 1].protection.locked is False
        assert row[0].protection.locked is not False
        first = f.focus  # the cell the message names first
        assert f.message.startswith(first.ref)
        link = row[4].hyperlink
        assert link is not None and link.location == f"'{first.sheet}'!{first.address}"
    # The copy opens on the results sheet, and only that sheet is selected.
    assert wb.active.title == RESULTS_SHEET
    assert [ws.title for ws in wb.worksheets if ws.sheet_view.tabSelected] == [RESULTS_SHEET]


def test_protection_validations_formulas_and_clerks_notes_survive(src, tmp_path):
    from openpyxl.comments import Comment
    own = tmp_path / "own.xlsx"
    wb = openpyxl.load_workbook(src)
    name_sheet, name_addr = ref("info.unit_name")
    wb[name_sheet][name_addr].comment = Comment("单位全称以公章为准", "李四")
    bad_sheet, bad_addr = ref("t4.review.upheld")  # a marked cell with the clerk's own note
    wb[bad_sheet][bad_addr].comment = Comment("本年没有复议案件", "李四")
    wb.save(own)
    out = annotate(own, tmp_path / "out.xlsx")
    got = notes(out)
    assert got[(name_sheet, name_addr)] == ("李四", "单位全称以公章为准")
    author, text = got[(bad_sheet, bad_addr)]
    assert author == NOTE_AUTHOR and "本年没有复议案件" in text
    # Cell by cell, everything but the fills of marked cells is as in the input.
    a, b = snapshot(own), snapshot(out)
    marked = set(expected_fills(own))
    assert a["workbook_protection"] == b["workbook_protection"] and a["workbook_protection"][0]
    assert b["sheets"] == a["sheets"] + [(RESULTS_SHEET, "visible")]
    for name, _ in a["sheets"]:
        sa, sb = dict(a[name]), dict(b[name])
        ca, cb = sa.pop("cells"), sb.pop("cells")
        assert sa == sb, name  # merges, validations, protection, sizes, print setup
        assert set(ca) == set(cb), name
        for addr in ca:
            fa, fb = list(ca[addr]), list(cb[addr])
            if (name, addr) in marked:
                fa[6] = fb[6] = None  # the fill
            assert fa == fb, (name, addr)
    # The copy checks exactly like the input (no structure finding added).
    assert [f.key for f in check(out).findings] == [f.key for f in check(own).findings]


def test_annotating_twice_leaves_one_set_of_marks(src, tmp_path):
    once = annotate(src, tmp_path / "once.xlsx")
    twice = annotate(once, tmp_path / "twice.xlsx")
    assert notes(twice) == notes(once)
    sheets = spec_sheets()
    assert fills(twice, sheets) == fills(once, sheets)
    wa, wb = openpyxl.load_workbook(once), openpyxl.load_workbook(twice)
    assert wb.sheetnames == wa.sheetnames
    rows = lambda w: list(w[RESULTS_SHEET].iter_rows(min_row=RESULTS_HEADER_ROW, values_only=True))
    assert rows(wb) == rows(wa)


def test_fixed_cell_loses_its_mark_even_when_our_note_was_deleted(src, tmp_path):
    once = annotate(src, tmp_path / "once.xlsx")
    sheet, addr = ref("t4.review.upheld")
    wb = openpyxl.load_workbook(once)
    wb[sheet][addr].value = 0  # the clerk fixes the cell …
    wb[sheet][addr].comment = None  # … and deletes our note by hand
    fixed = tmp_path / "fixed.xlsx"
    wb.save(fixed)
    out = annotate(fixed, tmp_path / "out.xlsx")
    assert (sheet, addr) not in expected_marks(fixed)
    assert (sheet, addr) not in notes(out)
    template = build_template("2021")
    assert fills(out, [sheet])[(sheet, addr)] == fill_of(template[sheet][addr])
    assert set(k for k, v in notes(out).items() if v[0] == NOTE_AUTHOR) == set(expected_marks(fixed))


def test_explanation_marks_verify_finding_explained_and_is_kept(src, tmp_path):
    once = annotate(src, tmp_path / "once.xlsx")
    finding = next(f for f in check(src).findings if f.rule == "T2-8")
    assert finding.severity == "verify" and not finding.explained

    def explain(text: str, name: str) -> Path:
        wb = openpyxl.load_workbook(once)
        ws = wb[RESULTS_SHEET]
        row = next(r for r in range(RESULTS_HEADER_ROW + 1, ws.max_row + 1)
                   if ws.cell(r, RESULTS_KEY_COL).value == finding.key)
        ws.cell(row, RESULTS_EXPLANATION_COL).value = text
        wb.save(tmp_path / name)
        return tmp_path / name

    short = explain("已核实", "short.xlsx")  # 3 characters: not enough
    assert not next(f for f in check(short).findings if f.key == finding.key).explained
    text = "本镇受县政府委托代拟规章2件，已报县司法局备案"
    explained = explain(text, "explained.xlsx")
    result = check(explained)
    got = next(f for f in result.findings if f.key == finding.key)
    assert got.explained and got.explanation == text
    assert result.counts["unexplained_verify"] == check(src).counts["unexplained_verify"] - 1
    again = annotate(explained, tmp_path / "again.xlsx")
    ws = openpyxl.load_workbook(again)[RESULTS_SHEET]
    kept = {ws.cell(r, RESULTS_KEY_COL).value: ws.cell(r, RESULTS_EXPLANATION_COL).value
            for r in range(RESULTS_HEADER_ROW + 1, ws.max_row + 1)}
    assert kept[finding.key] == text
    assert text in notes(again)[ref("t2.rules.issued")][1]
    assert next(f for f in check(again).findings if f.key == finding.key).explained


def test_several_files_go_to_a_folder_and_unreadable_ones_are_skipped(tmp_path):
    a, _ = make_report(tmp_path / "甲镇.xlsx", seed=1, overrides={"t4.review.upheld": "无"})
    b, _ = make_report(tmp_path / "乙镇.xlsx", seed=2)
    bad = tmp_path / "丙镇.xlsx"
    bad.write_text("单位,数量\n丙镇,3\n", encoding="utf-8")
    out = tmp_path / "批注"
    code, _, err = run_cli(a, b, bad, "--annotate", out)
    assert code == 2  # one file unreadable
    assert sorted(p.name for p in out.iterdir()) == ["乙镇-校验.xlsx", "甲镇-校验.xlsx"]
    assert "丙镇.xlsx" in err
    assert set(k for k, v in notes(out / "甲镇-校验.xlsx").items() if v[0] == NOTE_AUTHOR) \
        == set(expected_marks(a))


def test_the_input_is_never_overwritten(src, tmp_path):
    copy = tmp_path / "copy.xlsx"
    copy.write_bytes(src.read_bytes())
    before = sha(copy)
    code, _, err = run_cli(copy, "--annotate", copy)
    assert sha(copy) == before
    assert "原文件" in err


def test_macro_workbook_stays_macro_enabled_with_its_buttons(tmp_path):
    macro_template = pytest.importorskip("toolkit.xlsx.macro_template")
    xlsm = macro_template.build_macro_template(tmp_path / "模板.xlsm", "2021")
    filled = tmp_path / "某某镇.xlsm"
    wb = openpyxl.load_workbook(xlsm, keep_vba=True)
    sheet, addr = ref("t4.review.upheld")
    wb[sheet][addr].value = "无"
    s2, a2 = ref("t2.rules.issued")
    wb[s2][a2].value = 3
    wb.save(filled)
    out = tmp_path / "out.xlsm"
    annotate(filled, out)
    once = tmp_path / "once.xlsm"
    annotate(out, once)  # twice, through the kept VML drawings
    for path in (out, once):
        with zipfile.ZipFile(filled) as z0, zipfile.ZipFile(path) as z1:
            assert z1.read("xl/vbaProject.bin") == z0.read("xl/vbaProject.bin")
            assert "macroEnabled.main+xml" in z1.read("[Content_Types].xml").decode()
            buttons0 = _vml_shapes(z0, "Button")
            buttons1 = _vml_shapes(z1, "Button")
            assert buttons1 == buttons0 and buttons0  # same buttons, same macros
            ids = [i for i, _ in _vml_shapes(z1, None, with_ids=True)]
            assert len(ids) == len(set(ids))  # no two shapes share an id
        assert {k for k, v in notes(path).items() if v[0] == NOTE_AUTHOR} == set(expected_marks(filled))


def _vml_shapes(z: zipfile.ZipFile, kind: str | None, with_ids: bool = False) -> list:
    out = []
    for name in z.namelist():
        if not name.endswith(".vml"):
            continue
        text = z.read(name).decode("utf-8")
        for m in re.finditer(r"<v:shape\b([^>]*)>(.*?)</v:shape>", text, re.S):
            obj = re.search(r'ObjectType="(\w+)"', m.group(2))
            obj = obj.group(1) if obj else ""
            if kind is not None and obj != kind:
                continue
            if with_ids:
                out.append((re.search(r'\bid="([^"]+)"', m.group(1)).group(1), obj))
            else:
                macro = re.search(r"<x:FmlaMacro>(.*?)</x:FmlaMacro>", m.group(2))
                out.append((obj, macro.group(1) if macro else None))
    return sorted(out, key=str)


# -- LibreOffice as an independent reader -----------------------------------------


def pdf_note_texts(pdf: Path) -> list[str]:
    """The contents of the text annotations (notes) of a PDF written by LibreOffice."""
    data = pdf.read_bytes()
    out = []
    for m in re.finditer(rb"/Subtype\s*/Text\b(.*?)endobj", data, re.S):
        c = re.search(rb"/Contents\s*<([0-9A-Fa-f\s]+)>", m.group(1))
        if not c:
            continue
        raw = bytes.fromhex(c.group(1).decode("ascii"))
        out.append(raw[2:].decode("utf-16-be") if raw[:2] == b"\xfe\xff" else raw.decode("latin-1"))
    return out


@needs_libreoffice
@pytest.mark.libreoffice
def test_libreoffice_opens_the_copy_and_exports_its_notes(src, tmp_path):
    out = annotate(src, tmp_path / "out.xlsx")
    ours = {k: t for k, (a, t) in notes(out).items() if a == NOTE_AUTHOR}
    # Opened and re-saved by LibreOffice: values and every note are still there.
    resaved = convert(out, "xlsx:Calc MS Excel 2007 XML", tmp_path / "lo")
    wa, wb = openpyxl.load_workbook(out), openpyxl.load_workbook(resaved)
    assert RESULTS_SHEET in wb.sheetnames
    for c in ED.inputs():
        assert wb[c.sheet][c.address].value == wa[c.sheet][c.address].value, c.id
    lo_notes = {(ws.title, c.coordinate): c.comment.text for ws in wb.worksheets
                for row in ws.iter_rows() for c in row if c.comment}
    squash = lambda s: re.sub(r"\s+", "", s)
    assert {k: squash(v) for k, v in lo_notes.items()} == {k: squash(v) for k, v in ours.items()}
    # PDF export with notes: each note's text is in the PDF's annotations.
    pdf = convert(out, 'pdf:calc_pdf_Export:{"ExportNotes":{"type":"boolean","value":"true"}}',
                  tmp_path / "pdf")
    exported = sorted(squash(t) for t in pdf_note_texts(pdf))
    assert exported == sorted(squash(t) for t in ours.values())
