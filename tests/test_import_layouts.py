"""Every layout family offices publish, each asserting every cell value.

Fixtures: tests/fixtures/import/ (made by make_fixtures.py; expected_<edition>.json holds
every cell).  PDF and .doc are made from the HTML / .docx fixtures with LibreOffice at
test time (marked ``libreoffice``).
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from toolkit.cli import main
from toolkit.publish.importer import import_report

FIX = Path(__file__).resolve().parent / "fixtures" / "import"
LAYOUTS = ["word_export_{ed}.html", "pipe_{ed}.md", "one_per_line_{ed}.txt", "tabs_{ed}.txt",
           "merged_cells_{ed}.docx"]


def expected(edition):
    return json.loads((FIX / f"expected_{edition}.json").read_text(encoding="utf-8"))


def assert_every_cell(res, edition):
    want = expected(edition)
    assert (res.edition, res.edition_source) == (edition, "labels")
    assert (res.unit, res.year) == (want["unit"], want["year"])
    for cid, value in want["values"].items():
        cell = res.cells[cid]
        assert cell.status == "printed" and cell.value == pytest.approx(value), (cid, cell)
        assert cell.where and cell.text, cid
    assert res.findings == [] and res.complete and res.not_printed == []
    assert res.texts["overview"].endswith("全年主动公开政府信息120条。")
    assert res.texts["other"].startswith("本年度未收取信息处理费。") and "月20日" not in res.texts["other"]
    assert res.exit_code == 0


@pytest.mark.parametrize("edition", ["2019", "2021"])
@pytest.mark.parametrize("layout", LAYOUTS)
def test_layout_family_every_cell(layout, edition):
    res = import_report(FIX / layout.format(ed=edition))
    assert_every_cell(res, edition)
    # printed forms that needed interpreting say so, cell by cell
    assert "全角数字" in res.cells["t3.public.natural"].note
    if edition == "2019":
        assert res.cells["t2.licensing.change"].text == "+10"


def test_traditional_characters_every_cell():
    res = import_report(FIX / "traditional_2021.html")
    assert_every_cell(res, "2021")
    assert "文档为繁体字，已转换为简体后识别" in res.notes


def test_bytes_with_a_file_name_as_the_merge_engineer_calls_it():
    data = (FIX / "merged_cells_2021.docx").read_bytes()
    res = import_report(data, filename="甲镇报送.docx")
    assert res.source == "甲镇报送.docx" and res.kind == "docx"
    assert_every_cell(res, "2021")


@pytest.mark.libreoffice
@pytest.mark.parametrize("source", ["word_export_2019.html", "merged_cells_2021.docx"])
def test_pdf_made_by_libreoffice(tmp_path, source):
    import lo
    if lo.SOFFICE is None:
        pytest.skip("LibreOffice not installed")
    pdf = lo.convert(FIX / source, "pdf", tmp_path)
    res = import_report(pdf)
    assert res.kind == "pdf"
    assert_every_cell(res, source.split("_")[-1][:4])


@pytest.mark.libreoffice
def test_doc_made_by_libreoffice(tmp_path):
    import lo
    if lo.SOFFICE is None:
        pytest.skip("LibreOffice not installed")
    doc = lo.convert(FIX / "merged_cells_2019.docx", "doc", tmp_path)
    res = import_report(doc)
    assert res.kind == "doc"
    assert_every_cell(res, "2019")


def test_doc_without_libreoffice_names_what_to_install(tmp_path, monkeypatch):
    from toolkit.publish.sources import doc as docmod
    monkeypatch.setattr(docmod, "soffice", lambda: None)
    p = tmp_path / "old.doc"
    p.write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 600)
    res = CliRunner().invoke(main, ["import", str(p), "--json"])
    assert res.exit_code == 2 and "LibreOffice" in res.output and "Traceback" not in res.output


def test_scanned_pdf_gets_a_clear_message(tmp_path):
    """A PDF page with no text layer (an image only) is refused as a scan."""
    pdf = (b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n"
           b"2 0 obj<</Type/Pages/Kids[3 0 R]/Count 1>>endobj\n"
           b"3 0 obj<</Type/Page/Parent 2 0 R/MediaBox[0 0 200 200]>>endobj\n"
           b"trailer<</Root 1 0 R>>\n%%EOF\n")
    p = tmp_path / "scan.pdf"
    p.write_bytes(pdf)
    res = CliRunner().invoke(main, ["import", str(p), "-o", str(tmp_path / "o.xlsx")])
    assert res.exit_code == 2 and "扫描件" in res.output
    assert not (tmp_path / "o.xlsx").exists()


# -- printed totals (rule I-1) -----------------------------------------------------------------

def _pipe(edition="2021") -> str:
    return (FIX / f"pipe_{edition}.md").read_text(encoding="utf-8")


def test_printed_total_that_differs_from_its_parts_is_an_error_on_that_cell(tmp_path):
    want = expected("2021")["values"]
    text = _pipe()
    row = "| 一、本年新收政府信息公开申请数量 | "
    line = next(ln for ln in text.splitlines() if ln.startswith(row))
    total = want["t3.new.total"]
    bad = line.replace(f"| {total} |", f"| {total + 2} |")
    assert bad != line
    p = tmp_path / "r.md"
    p.write_text(text.replace(line, bad), encoding="utf-8")
    res = import_report(p)
    [f] = res.findings
    assert (f.rule, f.severity, f.scope, f.table, f.culprit) == ("I-1", "error", "import", "t3", "t3.new.total")
    assert f.lhs == total + 2 and f.rhs == total and f.diff == 2
    assert f.cells[0].address == "J5" and f.cells[0].value == total + 2
    assert "印为 %d" % (total + 2) in f.message and "第" in f.message
    assert res.printed_totals["t3.new.total"] == total + 2 and res.exit_code == 1
    # the workbook keeps the recomputed total; the finding is a note on the cell
    out = tmp_path / "r.xlsx"
    r = CliRunner().invoke(main, ["import", str(p), "-o", str(out)])
    assert r.exit_code == 1 and "I-1" in r.output
    import openpyxl
    ws = openpyxl.load_workbook(out)["三、依申请公开"]
    assert "I-1" in ws["J5"].comment.text


def test_total_printed_blank_while_parts_are_not(tmp_path):
    want = expected("2021")["values"]
    text = _pipe()
    g = "t4.suit_direct"
    row = next(ln for ln in text.splitlines() if ln.count("|") > 15)
    cells = row.split("|")
    total_pos = 1 + 5 + 4  # second group's 总计 (cells[0] is before the first bar)
    assert cells[total_pos].strip() == str(want[f"{g}.total"])
    cells[total_pos] = "  "
    p = tmp_path / "r.md"
    p.write_text(text.replace(row, "|".join(cells)), encoding="utf-8")
    res = import_report(p)
    [f] = res.findings
    assert f.culprit == f"{g}.total" and f.table == "t4" and "印为空白" in f.message


def test_results_total_row_is_checked_per_column(tmp_path):
    text = _pipe("2019")
    line = next(ln for ln in text.splitlines() if ln.startswith("| （七）总计"))
    cells = line.split("|")
    cells[2] = " 999 "
    p = tmp_path / "r.md"
    p.write_text(text.replace(line, "|".join(cells)), encoding="utf-8")
    res = import_report(p)
    culprits = {f.culprit for f in res.findings}
    # the (七) natural cell, and the (七) row's own 总计 that no longer adds up
    assert "t3.results_total.natural" in culprits and "t3.results_total.total" in culprits


# -- JSON, notes, folders ---------------------------------------------------------------------

def test_json_lists_every_cell_with_value_text_and_where():
    r = CliRunner().invoke(main, ["import", str(FIX / "word_export_2021.html"), "--json"])
    assert r.exit_code == 0, r.output
    data = json.loads(r.output)
    assert data["edition"] == "2021" and data["complete"] and data["exit_code"] == 0
    cells = {c["id"]: c for c in data["cells"]}
    want = expected("2021")["values"]
    assert set(want) <= set(cells)
    for cid, v in want.items():
        assert cells[cid]["value"] == pytest.approx(v) and cells[cid]["text"] and "表格" in cells[cid]["where"]
    natural = cells["t3.public.natural"]
    assert natural["text"] == "".join(chr(ord(ch) + 0xFEE0) for ch in str(want["t3.public.natural"]))
    assert "全角数字" in natural["note"] and natural["status"] == "printed"


def test_workbook_notes_on_interpreted_cells(tmp_path):
    import openpyxl
    out = tmp_path / "o.xlsx"
    r = CliRunner().invoke(main, ["import", str(FIX / "pipe_2019.md"), "-o", str(out), "--county", "某某县"])
    assert r.exit_code == 0, r.output
    wb = openpyxl.load_workbook(out)
    from toolkit.spec import get_edition
    c = get_edition("2019").by_id["t3.public.natural"]
    note = wb[c.sheet][c.address].comment
    assert note is not None and "全角数字" in note.text and "导入自" in note.text
    c = get_edition("2019").by_id["t2.licensing.change"]
    assert "“+”" in wb[c.sheet][c.address].comment.text
    c = get_edition("2019").by_id["t2.rules.made"]
    assert wb[c.sheet][c.address].comment is None  # plain numbers need no note


def test_folder_import_one_line_per_file(tmp_path):
    src = tmp_path / "in"
    src.mkdir()
    for name in ("pipe_2021.md", "word_export_2019.html"):
        shutil.copy(FIX / name, src / name)
    shutil.copy(FIX / "published" / "r047.txt", src / "r047.txt")
    (src / "notes.xlsx.tmp").write_text("x")  # not a report: ignored
    out = tmp_path / "out"
    r = CliRunner().invoke(main, ["import", str(src), "-o", str(out)])
    assert r.exit_code == 1  # r047 is cut: the worst file decides
    lines = [ln for ln in r.stdout.splitlines() if ln.strip()]
    assert len(lines) == 3 and all("→" in ln for ln in lines)
    assert sorted(p.name for p in out.iterdir()) == ["pipe_2021.xlsx", "r047.xlsx", "word_export_2019.xlsx"]
    assert "有缺漏" in next(ln for ln in lines if ln.startswith("r047"))
    r = CliRunner().invoke(main, ["import", str(src), "-o", str(out)])
    assert r.exit_code == 2 and r.stdout.count("已存在") == 3  # nothing overwritten without --force


def test_exit_status_zero_complete_one_gaps_two_nothing(tmp_path):
    assert CliRunner().invoke(main, ["import", str(FIX / "tabs_2021.txt"), "--json"]).exit_code == 0
    assert CliRunner().invoke(main, ["import", str(FIX / "published" / "r021.txt"), "--json"]).exit_code == 1
    p = tmp_path / "x.txt"
    p.write_text("会议纪要\n", encoding="utf-8")
    assert CliRunner().invoke(main, ["import", str(p), "--json"]).exit_code == 2


def test_numbers_in_every_printed_form(tmp_path):
    """“251000元” (converted to 万元), thousands separators, “—”/“-”/“/” for none, “+” on 增/减,
    and a section-title variant; each interpreted cell says how it was read."""
    text = _pipe("2019")
    text = (text.replace("| 政府集中采购 | 9 | 27.5 |", "| 政府集中采购 | 1,234 | 251000元 |")
            .replace("| 行政强制 | 20 | -4 | 11 |", "| 行政强制 | — | - | / |")
            .replace("## 五、存在的主要问题及改进情况", "五、政府信息公开工作存在的主要问题及改进情况"))
    p = tmp_path / "r.md"
    p.write_text(text, encoding="utf-8")
    res = import_report(p)
    c = res.cells
    assert c["t2.procurement.projects"].value == 1234 and "千位分隔符" in c["t2.procurement.projects"].note
    assert c["t2.procurement.amount"].value == pytest.approx(25.1) and "元" in c["t2.procurement.amount"].note
    for col in ("prev_items", "change", "decisions"):
        assert c[f"t2.coercion.{col}"].value == 0 and c[f"t2.coercion.{col}"].status == "none"
        assert "表示没有" in c[f"t2.coercion.{col}"].note
    assert c["t2.licensing.change"].value == 10 and "“+”" in c["t2.licensing.change"].note
    assert res.texts["problems"].startswith("公开内容不够全面")


def test_unit_from_the_signature_never_from_a_sentence(tmp_path):
    text = _pipe("2021").replace("# 某某县某某镇人民政府2022年政府信息公开工作年度报告\n", "")
    text = text.replace("2022年，某某镇坚持", "2022年，我镇和某某县某某局坚持")
    p = tmp_path / "r.md"
    p.write_text(text, encoding="utf-8")
    res = import_report(p)
    assert res.unit == "某某县某某镇人民政府" and res.year == 2022  # signature; 统计期限
    p.write_text(text.replace("\n某某县某某镇人民政府\n2023年1月20日", ""), encoding="utf-8")
    res = import_report(p)
    assert res.unit == "" and any("没有识别到单位名称" in n for n in res.notes)
    assert res.exit_code == 1


@pytest.mark.parametrize("edition", ["2019", "2021"])
def test_rows_separated_by_spaces(tmp_path, edition):
    """Rows copied from a PDF viewer or a page: cells separated by spaces only, a group label
    and a row label on one line (“三、本年度办理结果 （一）予以公开 0 0 …”)."""
    lines = []
    for line in _pipe(edition).splitlines():
        if line.startswith("|---"):
            continue
        lines.append(" ".join(c.strip() for c in line.split("|") if c.strip()) if "|" in line else line)
    p = tmp_path / "spaced.txt"
    p.write_text("\n".join(lines) + "\n", encoding="utf-8")
    assert "三、本年度办理结果 （一）予以公开 " in p.read_text(encoding="utf-8")
    assert_every_cell(import_report(p), edition)


def test_label_and_year_variants(tmp_path):
    """Row labels printed without their numbering, a group label in the same cell as the row
    label, a year in Chinese numerals in the title."""
    text = (_pipe("2021").replace("| 一、本年新收政府信息公开申请数量 |", "| 本年新收政府信息公开申请数量 |")
            .replace("| 三、本年度办理结果 | （一）予以公开 |", "| 三、本年度办理结果（一）予以公开 |")
            .replace("| 4.保护第三方合法权益 |", "| 保护第三方合法权益 |")
            .replace("人民政府2022年政府信息公开", "人民政府二〇二二年政府信息公开")
            .replace("统计期限自2022年", "统计期限自本年"))
    assert text.count("二〇二二年") == 1 and "| 三、本年度办理结果（一）予以公开 |" in text
    p = tmp_path / "r.md"
    p.write_text(text, encoding="utf-8")
    res = import_report(p)
    assert not any("按位置" in n for n in res.notes), res.notes
    assert_every_cell(res, "2021")


@pytest.mark.libreoffice
def test_pdf_of_a_word_table_without_rules(tmp_path):
    """A Word table without borders prints as bare text lines in the PDF: labels wrap into
    pieces in narrow columns; rows are read from the lines and placed in the official order."""
    import docx
    import lo
    if lo.SOFFICE is None:
        pytest.skip("LibreOffice not installed")
    d = docx.Document(FIX / "merged_cells_2021.docx")
    for t in d.tables:
        t.style = None
    d.save(tmp_path / "unruled.docx")
    res = import_report(lo.convert(tmp_path / "unruled.docx", "pdf", tmp_path / "pdf"))
    assert_every_cell(res, "2021")
    assert any("按位置识别" in n for n in res.notes)


def test_gbk_page_with_a_meta_charset(tmp_path):
    page = (FIX / "word_export_2021.html").read_text(encoding="utf-8").replace("charset=utf-8", "charset=gb2312")
    p = tmp_path / "gbk.htm"
    p.write_bytes(page.encode("gb18030"))
    assert_every_cell(import_report(p), "2021")


def test_output_never_replaces_the_input(tmp_path, report_factory):
    path, _ = report_factory(edition="2021", seed=4)
    before = path.read_bytes()
    r = CliRunner().invoke(main, ["import", str(path), "-o", str(path), "--force"])
    assert r.exit_code == 2 and "不能与输入文件相同" in r.output
    assert path.read_bytes() == before


def test_table_four_row_broken_over_two_lines(tmp_path):
    p = tmp_path / "t4.txt"
    p.write_text("四、政府信息公开行政复议、行政诉讼情况\n行政复议 行政诉讼\n结果维持 结果纠正 其他结果 尚未审结 总计\n"
                 "0 1 0 0 1 0 0 0 0\n0 0 0 2 0 2\n五、存在的主要问题及改进情况\n无。\n", encoding="utf-8")
    res = import_report(p)
    got = [res.cells[f"t4.{g}.{leaf}"].value for g in ("review", "suit_direct", "suit_after_review")
           for leaf in ("upheld", "corrected", "other", "pending", "total")]
    assert got == [0, 1, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 2, 0, 2] and res.findings == []


@pytest.mark.parametrize("edition", ["2019", "2021"])
def test_edition_from_a_table_three_fragment(tmp_path, edition):
    """Only the end of table 三 printed (a flipbook page): the （六） rows tell the edition."""
    lines = _pipe(edition).splitlines()
    start = next(i for i, ln in enumerate(lines) if "（五）不予处理" in ln)
    end = next(i for i, ln in enumerate(lines) if ln.startswith("## 四、"))
    p = tmp_path / "fragment.md"
    p.write_text("\n".join(lines[start:end]) + "\n", encoding="utf-8")
    res = import_report(p)
    assert (res.edition, res.edition_source) == (edition, "labels")
    want = expected(edition)["values"]
    assert res.cells["t3.carry_forward.natural"].value == want["t3.carry_forward.natural"]
    assert res.cells["t3.new.natural"].status == "not_printed"
