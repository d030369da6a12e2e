"""The reader: what clerks really type, tampering, and files that cannot be read."""

from __future__ import annotations

import shutil
import zipfile

import openpyxl
import pytest

from conftest import make_report
from toolkit.engine.check import check
from toolkit.spec import get_edition

ED = get_edition("2021")


def cell(cid):
    return ED.by_id[cid]


def findings(result, rule=None, severity=None):
    return [f for f in result.findings
            if (rule is None or f.rule == rule) and (severity is None or f.severity == severity)]


# -- what clerks type ---------------------------------------------------------------

@pytest.mark.parametrize("raw,cid,expected", [
    ("5", "t3.public.natural", 5),
    ("５", "t3.public.natural", 5),  # full-width digit
    (" 5 ", "t3.public.natural", 5),
    ("5件", "t3.public.natural", 5),
    ("1,234", "t2.licensing.decisions", 1234),
    ("3256.6732万元", "t2.fees.amount", 3256.6732),
    ("12000元", "t2.fees.amount", 1.2),  # 元 converted to 万元
])
def test_numbers_typed_as_text_are_read_with_a_hint(tmp_path, raw, cid, expected):
    path, values = make_report(tmp_path / "r.xlsx", overrides={cid: raw})
    result = check(path)
    assert result.report.values[cid] == pytest.approx(expected)
    hints = [f for f in result.findings if f.severity == "hint" and f.involves(cid)]
    assert len(hints) == 1
    c = cell(cid)
    assert hints[0].message.startswith(f"{c.sheet}!{c.address}")
    assert f"“{raw}”" in hints[0].message
    assert hints[0].rule in ("R-1", "T2-7")


@pytest.mark.parametrize("raw", ["/", "—", "无", "十二", "5-6", "#N/A"])
def test_non_numeric_entries_are_errors_naming_the_cell(tmp_path, raw):
    cid = "t3.public.natural"
    path, _ = make_report(tmp_path / "r.xlsx", overrides={cid: raw})
    result = check(path)
    errors = findings(result, "R-2")
    assert len(errors) == 1
    c = cell(cid)
    assert errors[0].message == (f"{c.sheet}!{c.address}（（一）·自然人）：填写的“{raw}”不是数字，"
                                 "请填写阿拉伯数字（没有请填 0）")
    assert errors[0].culprit == cid
    # No cascade: the rules that involve the bad cell are not reported on top.
    assert not findings(result, "T3-1") and not findings(result, "T3-2")
    assert result.exit_code == 1


def test_blank_inputs_count_as_zero_with_one_hint_per_table(tmp_path):
    blanks = {"t3.public.natural": None, "t3.public.commercial": None, "t4.review.upheld": None}
    path, values = make_report(tmp_path / "r.xlsx", overrides=blanks)
    result = check(path)
    hints = findings(result, "S-7")
    assert sorted(f.table for f in hints) == ["t3", "t4"]
    t3 = next(f for f in hints if f.table == "t3")
    assert {c.cell_id for c in t3.cells} == {"t3.public.natural", "t3.public.commercial"}
    assert "2 个单元格未填写（D7、E7）" in t3.message
    assert result.report.values["t3.public.natural"] == 0


def test_negative_and_fractional_counts_are_errors(tmp_path):
    path, _ = make_report(tmp_path / "r.xlsx", overrides={"t3.public.natural": -1,
                                                           "t4.review.upheld": 1.5})
    result = check(path)
    assert sorted(f.rule for f in findings(result, severity="error") if f.culprit) == ["T3-4", "T4-4"]
    msgs = " ".join(f.message for f in result.findings)
    assert "-1 不能为负数" in msgs and "1.5 应为整数" in msgs


def test_signed_change_may_be_negative_in_2019(tmp_path):
    path, _ = make_report(tmp_path / "r.xlsx", edition="2019",
                          overrides={"t2.licensing.change": -3})
    result = check(path)
    assert not [f for f in result.findings if f.involves("t2.licensing.change")]


# -- tamper detection -----------------------------------------------------------------

def _edit(path, fn, out=None):
    wb = openpyxl.load_workbook(path)
    fn(wb)
    out = out or path
    wb.save(out)
    return out


def test_changed_label_is_named(tmp_path):
    path, _ = make_report(tmp_path / "r.xlsx")
    sheet = cell("t3.new.natural").sheet

    def relabel(wb):
        wb[sheet]["A5"].value = "一、本年收到申请数量"
    _edit(path, relabel)
    result = check(path)
    s2 = findings(result, "S-2")
    assert any(f.message == f"{sheet}!A5：栏目名称被改动，应为“一、本年新收政府信息公开申请数量”，"
                            "实际为“一、本年收到申请数量”" for f in s2), [f.message for f in s2]


def test_overwritten_and_deleted_formulas_are_named_as_culprits(tmp_path):
    total = cell("t3.results_total.natural")
    path, values = make_report(tmp_path / "r.xlsx", overrides={"t3.results_total.natural": 999,
                                                               "t4.review.total": None})
    result = check(path)
    s2 = findings(result, "S-2")
    assert any(f.culprit == total.id and "被改写为数值 999" in f.message for f in s2)
    assert any(f.culprit == "t4.review.total" and "被删除" in f.message for f in s2)
    # One finding for the typed-over total: it names the cell, its likely value and the rules it breaks.
    t31 = [f for f in result.findings if "T3-1" in f.rules and f.involves(total.id)]
    assert len(t31) == 1 and t31[0].culprit == total.id and t31[0].rule == "S-2"
    from toolkit.demo.sample import totals_of
    assert t31[0].suggested == totals_of("2021", values)["t3.results_total.natural"]
    assert f"{total.address} 应为 {t31[0].suggested}（按（一）至（六）各项之和）" in t31[0].message


def test_changed_formula_is_reported(tmp_path):
    path, _ = make_report(tmp_path / "r.xlsx", overrides={"t3.new.total": "=SUM(D5:H5)"})
    result = check(path)
    assert any("合计公式被改动" in f.message and f.culprit == "t3.new.total"
               for f in findings(result, "S-2"))


def test_inserted_row_is_one_structural_error(tmp_path):
    path, _ = make_report(tmp_path / "r.xlsx")
    sheet = cell("t3.new.natural").sheet

    def insert(wb):
        ws = wb[sheet]
        ws.protection.sheet = False
        ws.insert_rows(8)
    _edit(path, insert)
    result = check(path)
    msgs = [f.message for f in findings(result, "S-2")]
    assert any("可能插入或删除了行、列" in m for m in msgs), msgs


def test_deleted_column_is_reported(tmp_path):
    path, _ = make_report(tmp_path / "r.xlsx")
    sheet = cell("t4.review.total").sheet

    def delete(wb):
        ws = wb[sheet]
        ws.delete_cols(3)
    _edit(path, delete)
    result = check(path)
    assert any(f.rule == "S-2" and f.cells[0].sheet == sheet for f in result.findings)
    assert result.exit_code == 1


def test_renamed_and_deleted_sheets_are_named(tmp_path):
    path, _ = make_report(tmp_path / "r.xlsx")
    t2, t4 = cell("t2.fees.amount").sheet, cell("t4.review.total").sheet

    def edit(wb):
        wb.security.lockStructure = False
        wb[t2].title = "主动公开"
        del wb[t4]
    _edit(path, edit)
    result = check(path)
    msgs = [f.message for f in findings(result, "S-2")]
    assert f"缺少工作表“{t2}”（工作簿中有未知工作表：主动公开，可能被改名），该表数据按空白处理" in msgs
    assert any(m.startswith(f"缺少工作表“{t4}”") for m in msgs)
    assert result.exit_code == 1


def test_removed_validation_is_reported(tmp_path):
    path, _ = make_report(tmp_path / "r.xlsx")
    sheet = cell("t4.review.total").sheet
    _edit(path, lambda wb: setattr(wb[sheet].data_validations, "dataValidation", []))
    result = check(path)
    assert any("数据有效性被删除" in f.message for f in findings(result, "S-2"))


def test_workbook_not_from_template_is_one_clear_error(tmp_path):
    path = tmp_path / "other.xlsx"
    wb = openpyxl.Workbook()
    wb.active["A1"] = "某某镇2021年政府信息公开工作年度报告"
    wb.save(path)
    result = check(path)
    assert result.verdict == "unreadable" and result.exit_code == 2
    assert result.error == "不是用 xxgk 模板填写的工作簿（找不到模板标识和表格），请使用 xxgk template 生成的模板填写"


def test_unknown_template_version_is_one_clear_error(tmp_path):
    path, _ = make_report(tmp_path / "r.xlsx")
    _edit(path, lambda wb: setattr(wb["xxgk"]["B2"], "value", "99"))
    result = check(path)
    assert result.exit_code == 2
    assert result.error.startswith("模板版本未知（版本号“99”，指纹不符）")


def test_deleted_meta_sheet_is_one_clear_error(tmp_path):
    path, _ = make_report(tmp_path / "r.xlsx")

    def edit(wb):
        wb.security.lockStructure = False
        del wb["xxgk"]
    _edit(path, edit)
    result = check(path)
    assert result.exit_code == 2 and "缺少模板标识" in result.error


# -- files that cannot be read ------------------------------------------------------

def test_bad_files_have_exact_messages(tmp_path):
    good, _ = make_report(tmp_path / "good.xlsx")
    cases = {}
    (tmp_path / "empty.xlsx").write_bytes(b"")
    cases["empty.xlsx"] = "文件为空（0 字节），可能保存或传输失败，请重新获取"
    (tmp_path / "text.xlsx").write_text("单位,数量\n某镇,1\n", encoding="utf-8")
    cases["text.xlsx"] = "不是 Excel 工作簿文件（看起来是文本或 CSV 文件被改了扩展名），请使用 xxgk 模板填写后另存为 .xlsx"
    data = good.read_bytes()
    (tmp_path / "truncated.xlsx").write_bytes(data[: len(data) // 2])
    cases["truncated.xlsx"] = "文件已损坏（压缩包不完整或被截断），请重新获取原文件"
    with zipfile.ZipFile(tmp_path / "plain.xlsx", "w") as zf:
        zf.writestr("readme.txt", "hello")
    cases["plain.xlsx"] = "压缩包不是 Excel 工作簿（缺少 [Content_Types].xml）"
    ole = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 2000
    (tmp_path / "old.xls").write_bytes(ole)
    cases["old.xls"] = ("这是旧版 Excel 97-2003 格式（.xls），请用 Excel 另存为 .xlsx 后再处理，"
                        "最好直接使用 xxgk 模板填写")
    msoffcrypto = pytest.importorskip("msoffcrypto")
    from msoffcrypto.format.ooxml import OOXMLFile
    with open(good, "rb") as src, open(tmp_path / "encrypted.xlsx", "wb") as dst:
        OOXMLFile(src).encrypt("secret", dst)
    cases["encrypted.xlsx"] = ("工作簿设置了打开密码（已加密），无法读取。请在 Excel 中取消密码"
                               "（文件 → 信息 → 保护工作簿 → 用密码进行加密，清空密码）后重新报送")
    for name, message in cases.items():
        result = check(tmp_path / name)
        assert result.verdict == "unreadable", name
        assert result.error == message, (name, result.error)
        assert result.exit_code == 2


def test_input_file_is_never_modified(tmp_path):
    import hashlib
    path, _ = make_report(tmp_path / "r.xlsx", overrides={"t3.results_total.natural": 5})
    before = hashlib.sha256(path.read_bytes()).hexdigest()
    mtime = path.stat().st_mtime_ns
    check(path)
    assert hashlib.sha256(path.read_bytes()).hexdigest() == before
    assert path.stat().st_mtime_ns == mtime


def _rewrite_sheet(path, sheet_name, fn):
    """Rewrite the XML of one worksheet part of ``path`` in place (test helper)."""
    import re as _re
    with zipfile.ZipFile(path) as zf:
        members = {i.filename: zf.read(i) for i in zf.infolist()}
    wb_xml = members["xl/workbook.xml"].decode()
    rid = _re.search(rf'<sheet [^>]*name="{sheet_name}"[^>]*r:id="(rId\d+)"', wb_xml).group(1)
    rels = members["xl/_rels/workbook.xml.rels"].decode()
    target = _re.search(rf'<Relationship [^>]*Id="{rid}"[^>]*Target="/?(?:xl/)?([^"]+)"', rels)
    if target is None:
        target = _re.search(rf'<Relationship [^>]*Target="/?(?:xl/)?([^"]+)"[^>]*Id="{rid}"', rels)
    part = "xl/" + target.group(1)
    members[part] = fn(members[part].decode()).encode()
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, blob in members.items():
            zf.writestr(name, blob)


def test_shared_formulas_written_by_excel_are_understood(tmp_path):
    """Excel stores a filled-down formula once (shared formula); the group's other cells
    must read as their own shifted formula, not as typed-over totals."""
    import re as _re
    path, values = make_report(tmp_path / "r.xlsx")
    sheet = cell("t3.new.total").sheet

    def share(xml):
        # J5..J9 hold SUM(D5:I5)…SUM(D9:I9): make J5 the anchor of a shared group.
        xml = xml.replace("<f>SUM(D5:I5)</f>", '<f t="shared" ref="J5:J9" si="0">SUM(D5:I5)</f>')
        for r in range(6, 10):
            xml = xml.replace(f"<f>SUM(D{r}:I{r})</f>", '<f t="shared" si="0"/>')
        assert xml.count('si="0"') == 5
        return xml

    _rewrite_sheet(path, sheet, share)
    result = check(path)
    assert [f.message for f in result.findings if f.severity == "error"] == []
    assert result.report.values["t3.partial.total"] == sum(
        values[f"t3.partial.{c}"] for c in ("natural", "commercial", "research", "nonprofit", "legal", "other"))


def test_shared_formula_shifted_wrongly_is_still_tamper(tmp_path):
    path, _ = make_report(tmp_path / "r.xlsx")
    sheet = cell("t3.new.total").sheet

    def share(xml):
        # A group anchored on a different formula: J6 would become SUM(D6:H6) — wrong.
        xml = xml.replace("<f>SUM(D5:I5)</f>", '<f t="shared" ref="J5:J6" si="0">SUM(D5:H5)</f>')
        return xml.replace("<f>SUM(D6:I6)</f>", '<f t="shared" si="0"/>')

    _rewrite_sheet(path, sheet, share)
    result = check(path)
    culprits = {f.culprit for f in result.findings if f.rule == "S-2"}
    assert {"t3.new.total", "t3.carried_in.total"} <= culprits


@pytest.mark.libreoffice
def test_workbook_saved_by_libreoffice_still_checks(tmp_path):
    """A clerk may open and save the template in another office suite: LibreOffice rewrites
    the whole package (shared strings, cached values, its own validation ranges)."""
    import lo
    if lo.SOFFICE is None:
        pytest.skip("LibreOffice not installed")
    from toolkit.demo.sample import totals_of
    for edition in ("2019", "2021"):
        path, values = make_report(tmp_path / f"r{edition}.xlsx", edition=edition, seed=21)
        saved = lo.convert(path, "xlsx:Calc MS Excel 2007 XML", tmp_path / f"lo{edition}")
        result = check(saved)
        assert result.verdict == "pass", [f.message for f in result.findings]
        for cid, total in totals_of(edition, values).items():
            assert result.report.values[cid] == total


# -- reader defects found by the adversarial run (issue #11) -----------------------------

def _sheet_of(cid):
    return cell(cid).sheet


def _set_number_xml(path, cid, text):
    """Put ``text`` verbatim as the ``<v>`` of the number cell of ``cid``."""
    import re as _re
    c = cell(cid)

    def fn(xml):
        new, n = _re.subn(rf'<c r="{c.address}"([^>]*)>(?:<v>[^<]*</v>)?</c>',
                          rf'<c r="{c.address}"\1><v>{text}</v></c>', xml)
        assert n == 1
        return new
    _rewrite_sheet(path, c.sheet, fn)


@pytest.mark.parametrize("text", ["1_0", "１０", "NaN", "inf", "1e999", "0x10"])
def test_reader_number_cell_that_excel_would_not_read_is_not_a_number(tmp_path, text):
    """``<v>1_0</v>`` is 10 for Python's float() and full-width digits are digits for
    it, but not for Excel: the cell is not a number (R-2), never silently 10."""
    path, _ = make_report(tmp_path / "r.xlsx")
    _set_number_xml(path, "t3.public.natural", text)
    result = check(path)
    r2 = [f for f in findings(result, "R-2") if f.cells[0].address == cell("t3.public.natural").address]
    assert r2, [f.message for f in result.findings]
    assert result.report.values["t3.public.natural"] == 0
    assert "t3.public.natural" in result.report.invalid


@pytest.mark.parametrize("text,expected", [(" 12 ", 12), ("1.5E1", 15.0), ("-3", -3), ("2.50", 2.5)])
def test_reader_number_cell_in_xsd_double_form_is_read(tmp_path, text, expected):
    path, _ = make_report(tmp_path / "r.xlsx")
    _set_number_xml(path, "t2.licensing.decisions", text)
    from toolkit.xlsx.reader import read_workbook
    book = read_workbook(path)
    assert book.sheets[_sheet_of("t2.licensing.decisions")].value(cell("t2.licensing.decisions").address) == expected


def test_reader_cells_and_rows_without_r_are_positioned_by_order(tmp_path):
    """The ``r`` attribute of ``<c>`` and ``<row>`` is optional: Excel places such a cell
    after the previous one (and such a row after the previous row)."""
    import re as _re
    path, values = make_report(tmp_path / "r.xlsx")
    expected = check(path)
    assert not findings(expected, severity="error")
    from toolkit.xlsx.cellref import split_ref

    def drop_r(xml):  # drop every r that order alone implies (as such writers do)
        pos = {"row": 0, "col": 0, "dropped": 0}

        def sub(m):
            if m.group(1) == "row":
                row = int(m.group(2))
                implied, pos["row"], pos["col"] = row == pos["row"] + 1, row, 0
            else:
                col, row = split_ref(m.group(2))
                implied, pos["col"] = col == pos["col"] + 1, col
            pos["dropped"] += implied
            return f"<{m.group(1)}" if implied else m.group(0)
        out = _re.sub(r'<(c|row) r="([A-Z]*[0-9]+)"', sub, xml)
        assert pos["dropped"] > 20
        return out

    for cid in ("t3.new.total", "t2.licensing.decisions", "info.unit_name"):
        _rewrite_sheet(path, _sheet_of(cid), drop_r)
    result = check(path)
    assert not findings(result, severity="error"), [f.message for f in findings(result, severity="error")]
    assert result.report.values == expected.report.values
    assert result.report.unit == "某某镇人民政府"


def _book_with_shared_string(path, si_xml):
    """A one-sheet workbook whose A1 is shared string 0, replaced by ``si_xml``."""
    import xlsxwriter  # writes text as shared strings
    wb = xlsxwriter.Workbook(str(path))
    wb.add_worksheet().write_string(0, 0, "占位")
    wb.close()
    with zipfile.ZipFile(path) as zf:
        members = {i.filename: zf.read(i) for i in zf.infolist()}
    sst = members["xl/sharedStrings.xml"].decode()
    start, end = sst.index("<si>"), sst.rindex("</si>") + 5
    members["xl/sharedStrings.xml"] = (sst[:start] + si_xml + sst[end:]).encode()
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, blob in members.items():
            zf.writestr(name, blob)


@pytest.mark.parametrize("form", ["plain", "with-comment"])  # fast path / slow path
def test_reader_shared_string_with_many_phonetic_runs_is_linear(tmp_path, form):
    """20,000 phonetic runs in one shared string: 27 s when each run was searched
    for every text run (quadratic); a linear reader takes well under a second."""
    import time
    from toolkit.xlsx.reader import read_workbook
    runs = '<rPh sb="0" eb="1"><t>ジ</t></rPh>' * 20_000
    comment = "<!-- x -->" if form == "with-comment" else ""
    path = tmp_path / "sst.xlsx"
    _book_with_shared_string(path, f"<si>{comment}<r><t>甲</t></r><r><t>镇</t></r>{runs}</si>")
    t0 = time.process_time()
    book = read_workbook(path)
    assert time.process_time() - t0 < 10  # a hang guard, not a speed measurement
    assert next(iter(book.sheets.values())).value("A1") == "甲镇"


def _set_sqref(path, sheet, sqref):
    import re as _re

    def fn(xml):
        new, n = _re.subn(r'(<dataValidation sqref=")[^"]*(")', lambda m: m.group(1) + sqref + m.group(2),
                          xml, count=1)
        assert n == 1
        return new
    _rewrite_sheet(path, sheet, fn)


def test_reader_repeated_validation_ranges_are_cheap(tmp_path):
    """10,000 copies of one validation range (17.7 KB zipped) took 305 s: every copy
    was expanded to its cells.  Repeats are removed and ranges are not expanded."""
    import re as _re
    import time
    path, _ = make_report(tmp_path / "r.xlsx")
    sheet = _sheet_of("t3.new.total")
    with zipfile.ZipFile(path) as zf:
        xml = zf.read("xl/worksheets/sheet3.xml").decode()
    original = _re.search(r'<dataValidation sqref="([^"]*)"', xml).group(1)
    _set_sqref(path, sheet, original + " A1:CV1000" * 10_000)  # 100,000 cells each
    t0 = time.process_time()
    result = check(path)
    assert time.process_time() - t0 < 10  # a hang guard, not a speed measurement
    assert not findings(result, severity="error")


def test_reader_whole_column_validation_covers_the_column(tmp_path):
    """``sqref="D:I"`` (a validation set on whole columns) crashed check, annotate,
    fill and export; it covers every cell of those columns."""
    from toolkit.cli import main
    from click.testing import CliRunner
    path, _ = make_report(tmp_path / "r.xlsx")
    _set_sqref(path, _sheet_of("t3.new.total"), "D:I")
    result = check(path)
    assert not findings(result, severity="error")
    assert not [f for f in result.findings if "数据有效性" in f.message]
    # openpyxl (which writes annotated copies) cannot load such a validation: the
    # copy is skipped with a message, the check itself is complete.
    out = tmp_path / "批注.xlsx"
    res = CliRunner().invoke(main, ["check", str(path), "--annotate", str(out)])
    assert res.exit_code == 0, res.output
    assert "【通过】" in res.output and "Traceback" not in res.output
    assert out.exists() or "未生成带批注的副本" in res.output


def test_reader_whole_column_validation_elsewhere_still_reports_lost_ones(tmp_path):
    path, _ = make_report(tmp_path / "r.xlsx")
    _set_sqref(path, _sheet_of("t3.new.total"), "A:C 5:5")
    result = check(path)
    lost = [f for f in result.findings if "数据有效性被删除" in f.message]
    assert lost and "D6" in lost[0].message


def test_reader_merged_range_of_whole_sheet_is_refused(tmp_path):
    """A merge ``A1:XFD1048576`` made ``--annotate`` (openpyxl) create a cell object
    for every cell of the sheet and exhaust memory; the reader refuses it first."""
    from toolkit.cli import main
    from click.testing import CliRunner
    path, _ = make_report(tmp_path / "r.xlsx")
    _rewrite_sheet(path, _sheet_of("t3.new.total"),
                   lambda xml: xml.replace("<mergeCell ", '<mergeCell ref="A1:XFD1048576"/><mergeCell ', 1))
    result = check(path)
    assert result.verdict == "unreadable"
    assert "合并单元格范围异常（A1:XFD1048576）" in result.error
    out = tmp_path / "批注.xlsx"
    res = CliRunner().invoke(main, ["check", str(path), "--annotate", str(out)])
    assert res.exit_code == 2, res.output
    assert "合并单元格范围异常" in res.output


def test_reader_cell_address_without_row_in_roster_and_summary(tmp_path):
    """A cell ``r="A"`` (no row) crashed reading a roster and last year's summary;
    such a cell is positioned by order, like a cell without ``r``."""
    from toolkit.merge.run import load_previous, merge, read_roster
    roster = tmp_path / "名单.xlsx"
    wb = openpyxl.Workbook()
    for i, name in enumerate(["甲镇", "乙镇", "丙镇"], start=1):
        wb.active.cell(i, 1, name)
    wb.save(roster)
    _rewrite_sheet(roster, wb.active.title, lambda xml: xml.replace('<c r="A2"', '<c r="A"'))
    assert read_roster(roster) == ["甲镇", "乙镇", "丙镇"]

    folder = tmp_path / "报告"
    folder.mkdir()
    for i, unit in enumerate(["甲镇人民政府", "乙镇人民政府"]):
        make_report(folder / f"{unit}.xlsx", seed=i, unit=unit)
    summary = tmp_path / "汇总.xlsx"
    merge(folder, summary)
    _rewrite_sheet(summary, "明细", lambda xml: xml.replace('<c r="A4"', '<c r="A"', 1))
    prev = load_previous(summary)
    assert len(prev) == 2


def test_reader_limits_fit_the_summaries_merge_writes(tmp_path):
    """``merge --previous`` reads last year's summary; its 明细 (one row per unit,
    216 data columns) passes the 50,000-cell cap of a report from 232 units on.
    The summary limits fit 10,000 units and 明细 is streamed row by row."""
    from toolkit.merge.run import MergeResult, UnitResult, apply_merge_rules, data_columns, load_previous, sum_units
    from toolkit.merge.summary import write_summary
    from toolkit.xlsx.reader import DEFAULT_LIMITS, SUMMARY_LIMITS
    n = 300
    cols = data_columns("2021")
    assert n * len(cols) > DEFAULT_LIMITS.cells
    assert 10_000 * (len(cols) + 8) < SUMMARY_LIMITS.cells and 10_003 < SUMMARY_LIMITS.rows
    result = MergeResult(folder=str(tmp_path), created="2026-01-01 00:00:00", name="测试区（汇总）")
    result.units = [UnitResult(file=str(tmp_path / f"{i}.xlsx"), unit=f"第{i:03d}号镇", year=2024,
                               edition="2021", kind="template",
                               values=tuple((i + j) % 7 for j in range(len(cols))))
                    for i in range(n)]
    apply_merge_rules(result, 2024)
    sum_units(result)
    out = tmp_path / "汇总.xlsx"
    write_summary(result, out)
    prev = load_previous(out)
    assert len(prev) == n
    rep = prev["第007号镇"]
    assert [rep.values[c] for c in cols] == [(7 + j) % 7 for j in range(len(cols))]


def _both_paths(path, monkeypatch, **kw):
    import toolkit.xlsx.reader as R

    def as_tuples(book):
        return {name: ({a: (c.value, c.formula, c.error) for a, c in sh.cells.items()}, sorted(sh.merges),
                       sh.validations, sh.protected, sh.dimension, sh.state)
                for name, sh in book.sheets.items()}
    fast = as_tuples(R.read_workbook(path, **kw))

    def refuse(*a, **k):
        raise R._SlowPath()
    with monkeypatch.context() as m:
        m.setattr(R, "_parse_sheet_fast", refuse)
        m.setattr(R, "_shared_strings_fast", refuse)
        slow = as_tuples(R.read_workbook(path, **kw))
    return fast, slow


@pytest.mark.parametrize("edition", ["2019", "2021"])
def test_reader_fast_and_slow_paths_agree_on_reports(tmp_path, monkeypatch, edition):
    path, _ = make_report(tmp_path / "r.xlsx", edition=edition,
                          overrides={"t3.public.natural": "5件"}, texts=None)
    fast, slow = _both_paths(path, monkeypatch)
    assert fast == slow
    assert sum(len(v[0]) for v in fast.values()) > 200


def test_reader_fast_and_slow_paths_agree_on_a_summary(tmp_path, monkeypatch):
    """A summary (XlsxWriter: shared strings, merged headers, notes) read both ways."""
    from toolkit.merge.run import merge
    folder = tmp_path / "报告"
    folder.mkdir()
    for i, unit in enumerate(["甲镇人民政府", "乙镇人民政府"]):
        make_report(folder / f"{unit}.xlsx", seed=i, unit=unit, overrides={"t3.new.total": 999} if i else None)
    merge(folder, tmp_path / "汇总.xlsx")
    fast, slow = _both_paths(tmp_path / "汇总.xlsx", monkeypatch)
    assert fast == slow
    assert "明细" in fast and len(fast["明细"][0]) > 400


@pytest.mark.libreoffice
def test_reader_fast_path_reads_a_workbook_libreoffice_saved(tmp_path, monkeypatch):
    """LibreOffice rewrites the package its own way (shared strings, attribute order):
    the fast path reads every sheet of it, with the same result as the slow path."""
    import lo
    if lo.SOFFICE is None:
        pytest.skip("LibreOffice not installed")
    import toolkit.xlsx.reader as R
    src, _ = make_report(tmp_path / "src.xlsx")
    saved = lo.convert(src, "xlsx", tmp_path / "lo")
    slow_calls = []
    real_slow = R._parse_sheet_slow
    with monkeypatch.context() as m:
        m.setattr(R, "_parse_sheet_slow", lambda *a, **k: slow_calls.append(a[1]) or real_slow(*a, **k))
        R.read_workbook(saved)
    assert slow_calls == []
    fast, slow = _both_paths(saved, monkeypatch)
    assert fast == slow
    assert len(fast) >= 5
