"""The Excel button's logic (``toolkit.marks.core``) on real workbooks, without Excel.

``toolkit.marks.excel_button.XlwingsBook`` and ``toolkit.marks.annotate.OpenpyxlBook``
implement the same small interface; the logic is driven here through the
openpyxl one on filled workbooks and must give exactly what
``xxgk check --annotate`` gives.  The xlwings adapter itself is exercised
against a stand-in of the few xlwings/Excel objects it uses, backed by an
openpyxl workbook, so a wrong call in the adapter fails here too.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import openpyxl
import pytest
from click.testing import CliRunner

from conftest import make_report
from test_annotate import fill_of, mistakes, notes

from toolkit.marks import core as marks
from toolkit.marks.annotate import OpenpyxlBook
from toolkit.engine.check import check
from toolkit.cli import main
from toolkit.engine.findings import NOTE_AUTHOR, RESULTS_EXPLANATION_COL, RESULTS_HEADER_ROW, RESULTS_SHEET
from toolkit.spec import get_edition


def all_cells(path: Path) -> dict:
    """(sheet, address) -> (value, note author, note text, fill) of every cell of every sheet."""
    wb = openpyxl.load_workbook(path)
    out = {}
    for ws in wb.worksheets:
        for row in ws.iter_rows():
            for c in row:
                note = (c.comment.author, c.comment.text) if c.comment else (None, None)
                v = c.value
                if ws.title == RESULTS_SHEET and c.coordinate == "A1":
                    v = None  # the summary names the file
                out[(ws.title, c.coordinate)] = (v,) + note + (fill_of(c),)
    return out


def filled(tmp_path: Path, edition: str, seed: int) -> Path:
    ed = get_edition(edition)
    path, values = make_report(tmp_path / f"{edition}-{seed}.xlsx", edition, seed=seed)
    over = mistakes(values) if edition == "2021" else {
        "t3.new.total": 999, "t4.review.upheld": "无",
        "t3.new.commercial": values["t3.new.commercial"] + 1, "t2.rules.published": 2}
    assert all(k in ed.by_id for k in over)
    make_report(path, edition, seed=seed, overrides=over)
    return path


def button(path: Path, out: Path, action=marks.validate) -> list:
    book = OpenpyxlBook(path)
    action(book)
    book.save(out)
    return book.alerts


@pytest.mark.parametrize("edition,seed", [("2021", 3), ("2019", 5)])
def test_button_logic_gives_what_check_annotate_gives(tmp_path, edition, seed):
    src = filled(tmp_path, edition, seed)
    cli = tmp_path / "cli.xlsx"
    res = CliRunner().invoke(main, ["check", str(src), "--annotate", str(cli)])
    assert cli.exists(), res.output
    ours = tmp_path / "button.xlsx"
    alerts = button(src, ours)
    assert all_cells(ours) == all_cells(cli)
    # The engine saw the same workbook through the interface as through the file reader.
    book = OpenpyxlBook(src)
    via_interface = marks.check_book(book)
    direct = check(src)
    assert [f.to_dict() for f in via_interface.findings] == [f.to_dict() for f in direct.findings]
    assert via_interface.report.values == direct.report.values
    c = direct.counts
    assert len(alerts) == 1 and f"错误 {c['error']} 项" in alerts[0] and "校验结果" in alerts[0]
    # A second click leaves exactly one set of marks.
    again = tmp_path / "again.xlsx"
    button(ours, again)
    assert all_cells(again) == all_cells(ours)


def test_clear_removes_only_our_marks_and_keeps_explanations(tmp_path):
    src = filled(tmp_path, "2021", 3)
    wb = openpyxl.load_workbook(src)
    from openpyxl.comments import Comment
    ed = get_edition("2021")
    c = ed.by_id["info.phone"]
    wb[c.sheet][c.address].comment = Comment("办公室电话", "王五")
    wb.save(src)
    marked = tmp_path / "marked.xlsx"
    button(src, marked)
    cleared = tmp_path / "cleared.xlsx"
    alerts = button(marked, cleared, marks.clear)
    assert "已清除" in alerts[0]
    before, after = all_cells(src), all_cells(cleared)
    assert after == before  # notes, fills and values exactly as before the first click
    assert notes(cleared)[(c.sheet, c.address)] == ("王五", "办公室电话")
    assert RESULTS_SHEET not in openpyxl.load_workbook(cleared).sheetnames
    # With an explanation written, the results sheet (and the text) stays.
    wb = openpyxl.load_workbook(marked)
    ws = wb[RESULTS_SHEET]
    ws.cell(RESULTS_HEADER_ROW + 1, RESULTS_EXPLANATION_COL).value = "数据已经逐项核对无误"
    wb.save(tmp_path / "explained.xlsx")
    kept = tmp_path / "kept.xlsx"
    button(tmp_path / "explained.xlsx", kept, marks.clear)
    wb = openpyxl.load_workbook(kept)
    assert wb[RESULTS_SHEET].cell(RESULTS_HEADER_ROW + 1, RESULTS_EXPLANATION_COL).value \
        == "数据已经逐项核对无误"
    assert not any(a == NOTE_AUTHOR for a, _ in notes(kept).values())


def test_a_passing_report_says_so(tmp_path):
    src, _ = make_report(tmp_path / "ok.xlsx", seed=7, unit_type="县级人民政府")
    result = check(src)
    alerts = button(src, tmp_path / "out.xlsx")
    assert result.verdict == "pass"
    assert alerts[0].startswith("校验通过")


def test_importing_the_button_module_does_not_import_xlwings():
    code = "import sys, toolkit.marks.excel_button; print('xlwings' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"


def test_without_excel_the_entry_points_show_a_chinese_message(tmp_path, monkeypatch, capsys):
    from toolkit.marks import excel_button
    monkeypatch.setattr(excel_button, "LOG_FILE", tmp_path / "log.txt")
    assert excel_button.validate() is None
    assert excel_button.clear() is None
    err = capsys.readouterr().err
    assert "工作簿" in err and "Traceback" not in err


def test_unexpected_errors_become_a_message_and_a_log(tmp_path, monkeypatch):
    from toolkit.marks import excel_button
    monkeypatch.setattr(excel_button, "LOG_FILE", tmp_path / "log.txt")
    shown = []

    class App:
        def alert(self, message, title=None, mode=None):
            shown.append((message, title, mode))

    try:
        {}["missing"]
    except KeyError as exc:
        excel_button._fail(App(), exc)
    (message, title, mode), = shown
    assert "意外错误" in message and "xxgk check" in message and "Traceback" not in message
    assert mode == "critical"
    assert "KeyError" in (tmp_path / "log.txt").read_text(encoding="utf-8")


# ---------------------------------------------------------------------------
# The xlwings adapter against a stand-in of Excel's objects
# ---------------------------------------------------------------------------


@pytest.fixture
def fake_xlwings(monkeypatch):
    import fake_excel
    monkeypatch.setitem(sys.modules, "xlwings", fake_excel.module())
    return fake_excel


def test_xlwings_adapter_marks_like_the_annotated_copy(tmp_path, fake_xlwings, monkeypatch):
    from toolkit.marks import excel_button
    monkeypatch.setattr(excel_button, "LOG_FILE", tmp_path / "log.txt")
    src = filled(tmp_path, "2021", 3)
    cli = tmp_path / "cli.xlsx"
    CliRunner().invoke(main, ["check", str(src), "--annotate", str(cli)])
    excel = fake_xlwings.open_book(src)
    result = excel_button.validate()
    assert result is not None and len(excel.app.alerts) == 1
    assert excel.app.alerts[0][0] == marks.alert_text(check(src))
    assert excel.app.user_name == "张三"  # lent to our notes, then given back
    assert excel.protected_sheets() == excel.initially_protected and excel.structure_locked
    first = all_cells(excel.save(tmp_path / "excel.xlsx"))
    assert first == all_cells(cli)  # notes, fills, results sheet: cell by cell
    ws = openpyxl.load_workbook(cli)[RESULTS_SHEET]
    links = sorted((RESULTS_SHEET, c.coordinate, c.hyperlink.location) for row in ws.iter_rows()
                   for c in row if c.hyperlink)
    assert sorted(h[:3] for h in excel.hyperlinks) == links and links
    # Second click: exactly one set of marks; then 清除标记: none at all.
    excel_button.validate()
    assert all_cells(excel.save(tmp_path / "again.xlsx")) == first
    assert excel.protected_sheets() == excel.initially_protected and excel.structure_locked
    excel_button.clear()
    assert all_cells(excel.save(tmp_path / "cleared.xlsx")) == all_cells(src)
    assert excel.protected_sheets() == excel.initially_protected and excel.structure_locked
    assert excel.app.alerts[-1][0].startswith("已清除校验标记")


def test_xlwings_adapter_reports_a_password_protected_sheet(tmp_path, fake_xlwings, monkeypatch):
    from toolkit.marks import excel_button
    monkeypatch.setattr(excel_button, "LOG_FILE", tmp_path / "log.txt")
    src = filled(tmp_path, "2021", 3)
    excel = fake_xlwings.open_book(src)

    def refuse(self):
        raise fake_xlwings.ComError("The password you supplied is not correct.")

    monkeypatch.setattr(fake_xlwings.FakeSheetApi, "Unprotect", refuse)
    assert excel_button.validate() is None
    message, _, mode = excel.app.alerts[-1]
    assert "保护密码" in message and mode == "critical"
    assert excel.protected_sheets() == excel.initially_protected and excel.structure_locked
