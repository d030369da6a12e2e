"""Regression tests for the import defects found by the adversarial run (issue #11):
a form feed, a .docx with a DTD, broken XML, a bad deflate stream, an .xlsx with a cell
in column XFD, a small .docx that inflates to a huge document, long text.  Each gives
a clear Chinese message or imports — never a traceback — and every reader is bounded."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

import pytest
from click.testing import CliRunner

from toolkit.cli import main
from toolkit.errors import XxgkError
from toolkit.publish import sources
from toolkit.publish.importer import import_report

FIX = Path(__file__).resolve().parent / "fixtures" / "import"
CT = ('<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
      '<Default Extension="xml" ContentType="application/xml"/></Types>')
W = 'xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"'


def _docx(document_xml: bytes, path: Path, method=zipfile.ZIP_DEFLATED) -> Path:
    with zipfile.ZipFile(path, "w", method) as zf:
        zf.writestr("[Content_Types].xml", CT)
        zf.writestr("word/document.xml", document_xml)
    return path


def _run(path: Path):
    res = CliRunner().invoke(main, ["import", str(path), "--json"])
    assert "Traceback" not in res.output and not isinstance(res.exception, (KeyError, TypeError, ValueError,
                                                                            MemoryError, RecursionError))
    return res


def test_form_feed_and_other_line_breaks(tmp_path):
    text = (FIX / "pipe_2021.md").read_text(encoding="utf-8")
    for sep in ("\f", "\v", "\x1c", "\u2028", "\x85", "\r"):
        p = tmp_path / f"ff{ord(sep)}.txt"
        p.write_text(text.replace("\n## 三、", f"\n{sep}## 三、").replace("| 规章 |", f"| 规章{sep} |"),
                     encoding="utf-8")
        res = import_report(p)
        assert res.cells["t2.rules.issued"].value == 7 and res.complete, sep
        assert _run(p).exit_code == 0


def test_docx_with_a_dtd_is_refused_clearly(tmp_path):
    xml = (f'<?xml version="1.0"?><!DOCTYPE w:document [<!ENTITY a "aaaa">]>'
           f'<w:document {W}><w:body><w:p><w:r><w:t>&a;</w:t></w:r></w:p></w:body></w:document>').encode()
    res = _run(_docx(xml, tmp_path / "dtd.docx"))
    assert res.exit_code == 2 and "DTD" in res.output


def test_docx_with_broken_xml(tmp_path):
    xml = f'<w:document {W}><w:body><w:p><w:r><w:t>一、总体情况</w:t></w:r>'.encode()
    res = _run(_docx(xml, tmp_path / "broken.docx"))
    assert res.exit_code == 2 and "已损坏" in res.output


def test_docx_with_a_bad_deflate_stream(tmp_path):
    good = (FIX / "merged_cells_2021.docx").read_bytes()
    zf = zipfile.ZipFile(io.BytesIO(good))
    info = zf.getinfo("word/document.xml")
    data = bytearray(good)
    start = info.header_offset + 30 + len(info.filename.encode()) + len(info.extra)
    for i in range(start + 10, start + 200):
        data[i] ^= 0x5A  # garble the compressed stream
    p = tmp_path / "deflate.docx"
    p.write_bytes(bytes(data))
    res = _run(p)
    assert res.exit_code == 2 and ("已损坏" in res.output or "无法解压" in res.output)


def test_docx_that_inflates_to_a_huge_document_is_refused(tmp_path, monkeypatch):
    """The 85 KB .docx that took 1.2 GB: the document part is capped while it is read."""
    monkeypatch.setattr(sources, "MAX_XML_BYTES", 2_000_000)
    from toolkit.publish.sources import docx as docxmod
    monkeypatch.setattr(docxmod, "MAX_XML_BYTES", 2_000_000)
    para = "<w:p><w:r><w:t>一</w:t></w:r></w:p>"
    xml = f'<w:document {W}><w:body>{para * 200_000}</w:body></w:document>'.encode()
    p = _docx(xml, tmp_path / "bomb.docx")
    assert p.stat().st_size < 100_000
    res = _run(p)
    assert res.exit_code == 2 and "过大" in res.output


def test_docx_paragraph_and_cell_counts_are_capped(tmp_path, monkeypatch):
    from toolkit.publish.sources import docx as docxmod
    monkeypatch.setattr(docxmod, "MAX_CELLS", 1000)
    cells = "<w:tc><w:p><w:r><w:t>0</w:t></w:r></w:p></w:tc>" * 1500
    xml = f'<w:document {W}><w:body><w:tbl><w:tr>{cells}</w:tr></w:tbl></w:body></w:document>'.encode()
    with pytest.raises(XxgkError, match="过大"):
        import_report(_docx(xml, tmp_path / "cells.docx"))


def test_xlsx_with_a_cell_in_column_xfd(tmp_path, report_factory):
    """Only occupied columns are kept: a cell in XFD costs one cell, not 16,384 per row;
    a workbook whose declared size is absurd gets the reader's clear refusal."""
    import openpyxl
    from toolkit.publish.sources.xlsx import blocks_from_book
    from toolkit.xlsx.reader import RawBook, RawCell, RawSheet
    sheet = RawSheet("表")
    sheet.cells = {f"A{r}": RawCell(f"行{r}") for r in range(1, 2001)}
    sheet.cells.update({f"B{r}": RawCell(r) for r in range(1, 2001)})
    sheet.cells["XFD1"] = RawCell("备注")
    book = RawBook.__new__(RawBook)
    book.sheet_names, book.sheets, book.sheet_states = ["表"], {"表": sheet}, {"表": "visible"}
    blocks = blocks_from_book(book, "x.xlsx")
    assert {len(r) for b in blocks for r in b.rows} == {3}
    path, values = report_factory(edition="2021", seed=3)
    wb = openpyxl.load_workbook(path)
    for ws in wb.worksheets:
        ws.protection.sheet = False
    wb["三、依申请公开"]["XFD40"] = "备注"
    wb.save(path)
    res = _run(path)
    assert res.exit_code == 2 and "尺寸异常" in res.output


def test_long_text_is_linear_and_oversized_text_is_refused(tmp_path, monkeypatch):
    # a long single cell, many lines and a long line: read in one pass
    body = (FIX / "pipe_2021.md").read_text(encoding="utf-8")
    p = tmp_path / "long.txt"
    p.write_text(body + ("公开" * 200_000 + "\n") + ("| 规章 | 1 |\n" * 20_000) + "\t" + "x" * 300_000,
                 encoding="utf-8")
    res = import_report(p)
    assert res.cells["t2.rules.issued"].value == 7  # the first 规章 row is the table's
    monkeypatch.setattr(sources, "MAX_TEXT_CHARS", 100_000)
    from toolkit.publish.sources import text as textmod
    monkeypatch.setattr(textmod, "MAX_TEXT_CHARS", 100_000)
    res = _run(p)
    assert res.exit_code == 2 and "过大" in res.output


def test_oversized_file_is_refused_before_reading(tmp_path, monkeypatch):
    monkeypatch.setattr(sources, "MAX_FILE_BYTES", 1000)
    p = tmp_path / "big.html"
    p.write_text("<p>" + "一" * 2000 + "</p>", encoding="utf-8")
    with pytest.raises(XxgkError, match="过大"):
        import_report(p)


def test_deeply_nested_html_and_damaged_pdf(tmp_path):
    p = tmp_path / "deep.html"
    p.write_text("<html><body>" + "<div>" * 20_000 + "一、总体情况" + "</div>" * 20_000 + "</body></html>",
                 encoding="utf-8")
    _run(p)
    q = tmp_path / "bad.pdf"
    q.write_bytes(b"%PDF-1.7\n" + b"\x00garbage" * 100)
    res = _run(q)
    assert res.exit_code == 2 and "PDF" in res.output


def test_empty_and_binary_files(tmp_path):
    e = tmp_path / "empty.txt"
    e.write_bytes(b"")
    assert "空的" in _run(e).output
    b = tmp_path / "junk.docx"
    b.write_bytes(b"PK\x03\x04" + b"\xff" * 100)
    assert _run(b).exit_code == 2


def test_xxgk_workbook_imports_without_its_check_sheets(tmp_path, report_factory):
    """The live-check sheet (校验) and check --annotate's 校验结果 are xxgk's own, not report
    text: importing a filled template takes nothing from them (section 六 stays the unit's)."""
    from toolkit.marks.annotate import annotate_file
    from toolkit.publish.importer import import_report
    path, _ = report_factory(edition="2021", seed=5, overrides={"t3.new.natural": 999})
    marked = tmp_path / "marked.xlsx"
    annotate_file(path, marked)
    for p in (path, marked):
        imp = import_report(p)
        text = "\n".join(imp.texts.values())
        assert "勾稽" not in text and "校验" not in text, text[-300:]
        assert imp.texts["other"].strip()
