"""正文 as one paragraph per cell (template version 2), and workbooks of template version 1.

``fixtures/template_v1_filled_2021.xlsx`` was written by the template writer of main
before version 2 (see fixtures/README.md); its cells are read here with plain openpyxl,
not with the code under test.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import openpyxl
import pytest
from click.testing import CliRunner
from hypothesis import given, settings
from hypothesis import strategies as st

from toolkit.cli import main
from toolkit.engine.check import check
from toolkit.engine.report import read_report
from toolkit.errors import UnreadableWorkbook
from toolkit.fill.core import FillError, fill
from toolkit.spec import editions as E
from toolkit.spec import get_edition
from toolkit.spec.paragraphs import (MAX_LINES, MAX_ROW_PT, SectionTooLong, join_paragraphs,
                                     line_count, pack, row_height, split_section)

V1 = Path(__file__).parent / "fixtures" / "template_v1_filled_2021.xlsx"


# -- splitting and joining -------------------------------------------------------------------

def test_short_paragraphs_share_a_cell_and_come_back_exactly():
    text = "第一段。\n\n第二段：没有。\n"
    assert pack(text) == [text] and join_paragraphs(pack(text)) == text
    assert split_section("other", text) == [text, "", "", ""]


def test_a_long_paragraph_is_cut_after_a_sentence_end_below_the_limit():
    sentence = "本年度持续推进政务公开标准化规范化建设；"  # 20 characters, ends with ；
    text = sentence * 50  # 1,000 characters, one paragraph
    cells = pack(text)
    assert [len(c) for c in cells] == [800, 200]
    assert all(c.endswith("；") for c in cells) and "".join(cells) == text
    no_end = "字" * 1000  # no sentence end at all: cut at the limit, nothing dropped
    assert [len(c) for c in pack(no_end)] == [800, 200]
    with_end = "字" * 790 + "。" + "字" * 300
    assert [len(c) for c in pack(with_end)] == [791, 300]


def test_a_cell_of_many_short_lines_stays_printable():
    text = "\n".join(f"{i}." for i in range(100))
    cells = pack(text)
    assert join_paragraphs(cells) == text
    assert all(line_count(c) <= MAX_LINES and row_height(c) < MAX_ROW_PT for c in cells)
    assert row_height("字" * E.TEXT_PARAGRAPH_MAX) < MAX_ROW_PT  # the longest paragraph fits Excel's row


_CHARS = st.characters(blacklist_categories=("Cs",)) | st.sampled_from("。；！？\n字")


@settings(max_examples=300, deadline=None)
@given(text=st.text(_CHARS, max_size=3000))
def test_pack_then_join_keeps_every_character(text):
    cells = pack(text)
    back = join_paragraphs(cells)
    assert back.replace("\n", "") == text.replace("\n", "")  # nothing dropped or added
    if all(len(line) <= E.TEXT_PARAGRAPH_MAX for line in text.split("\n")):
        assert back == text  # only a cut paragraph gains a line break
    assert all(0 < len(c) <= E.TEXT_PARAGRAPH_MAX and row_height(c) < MAX_ROW_PT for c in cells)
    assert pack(back) == cells  # writing what was read changes nothing


def test_a_section_that_does_not_fit_is_refused_with_a_chinese_message():
    with pytest.raises(SectionTooLong) as exc:
        split_section("other", "字。" * 2000)
    assert str(exc.value).startswith("正文“六、其他需要报告的事项”共 4000 字")
    assert "模板只有 4 格" in str(exc.value) and "未写出文件" in str(exc.value)


def test_write_filled_workbook_refuses_a_section_too_long(tmp_path):
    from toolkit.xlsx.template import write_filled_workbook
    with pytest.raises(SectionTooLong):
        write_filled_workbook(tmp_path / "x.xlsx", "2021", {}, {}, {"overview": "字。" * 6000})
    assert not (tmp_path / "x.xlsx").exists()


def test_filled_paragraph_rows_get_a_height_that_is_not_custom(tmp_path):
    """LibreOffice keeps a row without a height at 15 pt when it opens an .xlsx (the text is
    cut in print), so writers store the fitted height, without ``customHeight``."""
    import zipfile
    out = tmp_path / "o.xlsx"
    fill(out, data={"text.overview": "字" * 700 + "\n短。", "info.year": 2021})
    with zipfile.ZipFile(out) as z:
        xml = z.read("xl/worksheets/sheet5.xml").decode()
    ed = get_edition("2021")
    first = ed.text_cells("overview")[0].address[1:]
    import re
    m = re.search(rf'<row r="{first}" ht="([0-9.]+)">', xml)  # a height, no customHeight
    assert m and float(m.group(1)) == row_height("字" * 700 + "\n短。") > 300
    second = ed.text_cells("overview")[1].address[1:]
    assert f'<row r="{second}">' in xml  # empty paragraphs: no height at all


# -- template version 1 ----------------------------------------------------------------------

def test_version_1_workbook_gets_a_clear_message_naming_file_version_and_fix(tmp_path):
    src = tmp_path / "老模板年报.xlsx"
    shutil.copy(V1, src)
    with pytest.raises(UnreadableWorkbook) as exc:
        read_report(src)
    msg = str(exc.value)
    assert msg.startswith(str(src)) and "第 1 版模板" in msg and f"第 {E.TEMPLATE_VERSION} 版" in msg
    assert "xxgk fill --from" in msg
    res = CliRunner().invoke(main, ["check", str(src)])
    assert res.exit_code == 2 and "老模板年报.xlsx" in res.output and "第 1 版模板" in res.output
    assert "Traceback" not in res.output


def test_fill_from_a_version_1_workbook_carries_everything_over(tmp_path):
    before = V1.read_bytes()
    out = tmp_path / "new.xlsx"
    res = CliRunner().invoke(main, ["fill", "--from", str(V1), "-o", str(out)])
    assert res.exit_code == 0, res.output
    assert V1.read_bytes() == before  # the input is never modified
    old = openpyxl.load_workbook(V1)
    new = openpyxl.load_workbook(out)
    ed = get_edition("2021")
    for c in ed.cells:
        if c.kind in ("input", "info"):
            assert new[c.sheet][c.address].value == old[c.sheet][c.address].value, c.id
    rep = read_report(out)
    for key, address in {"overview": "A4", "problems": "A7", "other": "A10"}.items():
        assert rep.texts[key] == old["正文"][address].value, key
    assert "\n第二段：" in rep.texts["overview"]
    assert check(out).verdict == "pass"


def test_fill_from_refuses_a_current_workbook(tmp_path):
    out = tmp_path / "a.xlsx"
    fill(out, data={"info.year": 2021})
    with pytest.raises(FillError, match="已是当前第 2 版模板，不需要转换"):
        fill(tmp_path / "b.xlsx", old=out)


def test_export_prints_a_section_as_its_paragraphs(tmp_path, report_factory):
    """Paragraph cells (and the lines within one) become the paragraphs of the Word report,
    in order, the long section in full; import reads the same section text back."""
    import docx
    from toolkit.publish.export import export_docx
    from toolkit.publish.importer import import_document
    long = "本年度持续推进政务公开标准化规范化建设，成效明显。" * 60  # 1,500 characters
    texts = {"overview": f"第一段：总体情况。\n第二段：依申请公开。\n{long}",
             "problems": "存在问题：公开深度不够。", "other": "本年度未收取信息处理费。"}
    path, _ = report_factory(texts=texts)
    rep = read_report(path)
    assert [t for _, t in rep.paragraphs("overview")][:2] == ["第一段：总体情况。\n第二段：依申请公开。", long[:800]]
    out = export_docx(path, tmp_path / "r.docx")
    paras = [p.text for p in docx.Document(str(out)).paragraphs]
    start = paras.index("第一段：总体情况。")
    assert paras[start:start + 4] == ["第一段：总体情况。", "第二段：依申请公开。", long[:800], long[800:]]
    assert import_document(out).texts["overview"] == rep.texts["overview"]


def test_import_of_a_report_whose_section_does_not_fit_says_so(tmp_path):
    src = (Path(__file__).parent / "fixtures" / "import" / "seed_lanlongkou_2020.txt").read_text(encoding="utf-8")
    at = src.index("\n", src.index("一、总体情况")) + 1
    long = "\n".join(["本年度持续推进政务公开标准化规范化建设，成效明显。" * 30] * 14)  # 14 × 750
    doc = tmp_path / "long.txt"
    doc.write_text(src[:at] + long + "\n" + src[at:], encoding="utf-8")
    out = tmp_path / "long.xlsx"
    res = CliRunner().invoke(main, ["import", str(doc), "-o", str(out)])
    assert res.exit_code == 2 and not out.exists()
    assert "正文“一、总体情况”共" in res.output and "模板只有 12 格" in res.output
    assert "Traceback" not in res.output


def test_import_of_a_filled_template_skips_the_paragraph_hints(tmp_path):
    from toolkit.publish.importer import import_document
    out = tmp_path / "o.xlsx"
    fill(out, data={"text.overview": "第一段。\n" + "字。" * 500, "text.problems": "问题。", "info.year": 2021})
    res = import_document(out)
    assert res.texts["overview"] == read_report(out).texts["overview"]
    assert not any("每格填写一段" in t for t in res.texts.values())
