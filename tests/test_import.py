"""Importing published reports: the seed (flattened text) and the same report as .docx."""

from __future__ import annotations

import zipfile
from pathlib import Path
from xml.sax.saxutils import escape

import pytest
from click.testing import CliRunner

from test_seed import T2, T4
from toolkit.engine.check import check
from toolkit.cli import main
from toolkit.publish.importer import Table, blocks_from_text, import_document
from toolkit.spec import get_edition

# The seed report (shared/seeds/000_6d9714ad5485777f.txt), vendored: see tests/fixtures/import/SOURCES.md.
SEED = Path(__file__).resolve().parent / "fixtures" / "import" / "seed_lanlongkou_2020.txt"
needs_seed = pytest.mark.skipif(not SEED.exists(), reason="seed fixture missing")


def _expected_values():
    """The seed's figures as transcribed by hand in test_seed (table 三 all zero)."""
    from toolkit.engine.report import parse_number
    ed = get_edition("2019")
    out = {c.id: 0 for c in ed.inputs() if c.table == "t3"}
    for cid, raw in T2.items():
        out[cid] = parse_number(raw, ed.by_id[cid].type)[0]
    out.update(T4)
    return out


def _compare(values):
    expected = _expected_values()
    for cid, want in expected.items():
        got = values.get(cid)
        assert (got or 0) == pytest.approx(want), cid


@needs_seed
def test_seed_text_is_recognised():
    imp = import_document(SEED)
    assert imp.edition == "2019"
    assert imp.info["unit_name"] == "拦隆口镇" and imp.info["year"] == 2020
    assert imp.info["unit_type"] == "乡镇"
    _compare(imp.values)
    # Cells printed empty in the seed stay blank (not silently zero).
    assert imp.values["t4.review.upheld"] is None
    assert imp.texts["other"] == "无。"
    assert imp.findings == [] and imp.complete and imp.exit_code == 0  # no table error, nothing missing
    assert imp.texts["overview"].startswith("2020 年，拦隆口镇坚持")
    # The two unlabeled rows of （三）不予公开 are mapped by position and said so.
    assert any("按位置识别为“（三）2”" in n for n in imp.notes)


@needs_seed
def test_seed_imports_into_a_workbook_that_checks(tmp_path):
    out = tmp_path / "拦隆口镇2020.xlsx"
    res = CliRunner().invoke(main, ["import", str(SEED), "-o", str(out), "--county", "湟中区"])
    assert res.exit_code == 0, res.output
    assert "2019 版" in res.output
    result = check(out)
    errors = [f for f in result.findings if f.severity == "error"]
    # Only the cover fields the document does not contain are missing.
    assert {f.cells[0].cell_id for f in errors} == {"info.preparer", "info.phone", "info.date"}
    _compare(result.report.values)
    assert result.report.values["t4.suit_direct.total"] == 1
    res2 = CliRunner().invoke(main, ["import", str(SEED), "-o", str(out)])
    assert res2.exit_code != 0 and "已存在" in res2.output


def _docx_from_blocks(blocks, path):
    """A minimal .docx with the same paragraphs and tables."""
    body = []
    for b in blocks:
        if isinstance(b, Table):
            rows = "".join(
                "<w:tr>" + "".join(
                    "<w:tc>" + "".join(f"<w:p><w:r><w:t xml:space=\"preserve\">{escape(line)}</w:t></w:r></w:p>"
                                       for line in cell.split("\n")) + "</w:tc>" for cell in row) + "</w:tr>"
                for row in b.rows)
            body.append(f"<w:tbl>{rows}</w:tbl>")
        else:
            body.append(f"<w:p><w:r><w:t xml:space=\"preserve\">{escape(b)}</w:t></w:r></w:p>")
    doc = ('<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
           '<w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main">'
           f'<w:body>{"".join(body)}</w:body></w:document>')
    with zipfile.ZipFile(path, "w") as zf:
        zf.writestr("[Content_Types].xml", '<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="xml" ContentType="application/xml"/><Override PartName="/word/document.xml" ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/></Types>')
        zf.writestr("word/document.xml", doc)
    return path


@needs_seed
def test_same_report_as_docx(tmp_path):
    blocks = blocks_from_text(SEED.read_text(encoding="utf-8"))
    docx = _docx_from_blocks(blocks, tmp_path / "report.docx")
    imp = import_document(docx)
    assert imp.edition == "2019" and imp.info["unit_name"] == "拦隆口镇"
    _compare(imp.values)


def test_not_a_report_is_refused(tmp_path):
    p = tmp_path / "x.txt"
    p.write_text("会议纪要\n今天开会。\n", encoding="utf-8")
    res = CliRunner().invoke(main, ["import", str(p), "-o", str(tmp_path / "o.xlsx")])
    assert res.exit_code == 2  # nothing usable (documented in docs/import.md)
    assert "没有找到年度报告的内容" in res.output and "Traceback" not in res.output
    assert not (tmp_path / "o.xlsx").exists()


def test_export_then_import_round_trip(tmp_path, report_factory):
    """A workbook exported as the published .docx imports back to the same values."""
    from toolkit.publish.export import export_docx
    for edition in ("2019", "2021"):
        path, values = report_factory(edition=edition, seed=11)
        docx = export_docx(path, tmp_path / f"report-{edition}.docx")
        imp = import_document(docx)
        assert imp.edition == edition
        assert imp.notes == []
        for cid, v in values.items():
            assert (imp.values.get(cid) or 0) == pytest.approx(v), (edition, cid)
        rep = check(path).report
        assert imp.texts["overview"] == rep.texts["overview"]
        assert imp.info["unit_name"] == "某某镇人民政府" and imp.info["unit_type"] == "乡镇"


def test_export_refuses_a_report_with_errors(tmp_path, report_factory):
    path, _ = report_factory(overrides={"t3.public.natural": "无"})
    out = tmp_path / "r.docx"
    res = CliRunner().invoke(main, ["export", str(path), "-o", str(out)])
    assert res.exit_code == 1 and "校验发现" in res.output and not out.exists()
    res = CliRunner().invoke(main, ["export", str(path), "-o", str(out), "--force"])
    assert res.exit_code == 0 and out.exists()


@pytest.mark.libreoffice
def test_exported_report_renders_in_libreoffice(tmp_path, report_factory):
    import subprocess
    import lo
    if lo.SOFFICE is None:
        pytest.skip("LibreOffice not installed")
    from toolkit.publish.export import export_docx
    path, _ = report_factory(edition="2021", seed=5)
    docx = export_docx(path, tmp_path / "报告.docx")
    pdf = lo.convert(docx, "pdf", tmp_path / "pdf")
    text = subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, text=True).stdout
    compact = "".join(text.split())
    for label in ("一、总体情况", "二、主动公开政府信息情况", "本年制发件数", "（七）总计",
                  "3.其他", "四、结转下年度继续办理", "未经复议直接起诉", "六、其他需要报告的事项"):
        assert label in compact, label


def test_label_variants_from_published_reports_are_recognised(tmp_path, report_factory):
    """FORMAT.md §5.4 lists spellings found in real reports; they import with a note."""
    from toolkit.publish.export import export_docx
    path, values = report_factory(edition="2021", seed=12)
    docx = export_docx(path, tmp_path / "r.docx")
    with zipfile.ZipFile(docx) as zf:
        members = {i.filename: zf.read(i) for i in zf.infolist()}
    xml = members["word/document.xml"].decode()
    assert ">行政规范性文件<" in xml and ">行政事业性收费<" in xml
    xml = xml.replace(">行政规范性文件<", ">规范性文件<").replace(">行政事业性收费<", ">行政事业型收费<")
    members["word/document.xml"] = xml.encode()
    variant = tmp_path / "variant.docx"
    with zipfile.ZipFile(variant, "w") as zf:
        for name, blob in members.items():
            zf.writestr(name, blob)
    imp = import_document(variant)
    for cid in ("t2.normative.issued", "t2.normative.in_force", "t2.fees.amount"):
        assert imp.values[cid] == pytest.approx(values[cid]), cid
    assert any("“行政事业型收费”为非标准写法，已按“行政事业性收费”识别" in n for n in imp.notes)


def test_damaged_template_is_repaired_by_import(tmp_path, report_factory):
    """A workbook whose rows were shifted (rows inserted in 表三) cannot be read at the
    template's addresses; import finds the rows by label and position instead."""
    import openpyxl
    path, values = report_factory(edition="2021", seed=13)
    wb = openpyxl.load_workbook(path)
    ws = wb["三、依申请公开"]
    ws.protection.sheet = False
    ws.insert_rows(8, amount=2)
    wb.save(path)
    assert any(f.rule == "S-2" for f in check(path).findings)
    out = tmp_path / "repaired.xlsx"
    res = CliRunner().invoke(main, ["import", str(path), "-o", str(out)])
    assert res.exit_code == 0, res.output
    result = check(out)
    assert [f.message for f in result.findings if f.severity == "error"] == []
    for cid, v in values.items():
        assert result.report.values[cid] == pytest.approx(v), cid
    assert result.report.unit == "某某镇人民政府" and result.report.year == 2021


def test_an_offices_own_excel_layout_imports(tmp_path, report_factory):
    """One sheet, the report as paragraphs and tables, as offices make their own Excel."""
    import openpyxl
    from toolkit.publish.export import export_docx
    from toolkit.publish.importer import blocks_from_docx
    for edition in ("2019", "2021"):
        path, values = report_factory(edition=edition, seed=14)
        blocks = blocks_from_docx(export_docx(path, tmp_path / f"r{edition}.docx"))
        wb = openpyxl.Workbook()
        ws = wb.active
        row = 1
        for b in blocks:
            if isinstance(b, Table):
                for cells in b.rows:
                    for j, text in enumerate(cells, start=1):
                        ws.cell(row, j, float(text) if text.replace(".", "", 1).isdigit() else (text or None))
                    row += 1
            else:
                ws.cell(row, 1, b)
                row += 1
        own = tmp_path / f"own{edition}.xlsx"
        wb.save(own)
        imp = import_document(own)
        assert imp.edition == edition
        for cid, v in values.items():
            assert (imp.values.get(cid) or 0) == pytest.approx(v), (edition, cid)
