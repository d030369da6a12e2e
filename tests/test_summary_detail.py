"""明细 is written as sheet XML directly (toolkit.merge.summary._DetailRows):
what it writes must be what XlsxWriter would have written, and input text stays text."""

from __future__ import annotations

import re
import zipfile

import openpyxl

from toolkit.merge.run import MergeResult, UnitResult, apply_merge_rules, data_columns, sum_units
from toolkit.merge.summary import DETAIL, write_summary

NAMES = ["<r>甲镇</r>", '=HYPERLINK("http://x","y")', "乙 & 丙 <镇>", " 丁镇 ", "戊\x07镇"]


def _summary(tmp_path):
    cols = data_columns("2021")
    result = MergeResult(folder=str(tmp_path), created="2026-01-01 00:00:00", name="测试区（汇总）")
    result.units = [UnitResult(file=str(tmp_path / f"{i}.xlsx"), unit=name, year=2024, edition="2021",
                               kind="template", values=tuple(float(j) / 8 if j % 5 == 0 else j for j in range(len(cols))))
                    for i, name in enumerate(NAMES)]
    apply_merge_rules(result, 2024)
    sum_units(result)
    out = tmp_path / "汇总.xlsx"
    write_summary(result, out)
    return out, cols


def test_detail_rows_read_back_exactly(tmp_path):
    out, cols = _summary(tmp_path)
    ws = openpyxl.load_workbook(out)[DETAIL]
    names = [ws.cell(4 + i, 1).value for i in range(len(NAMES))]
    assert names[:4] == NAMES[:4]
    assert names[4] in ("戊\x07镇", "戊_x0007_镇")  # a control character: Excel's _xHHHH_ escape
    ids = [c.value for c in ws[1]]
    first = ids.index(cols[0])
    for i in range(len(NAMES)):
        row = [ws.cell(4 + i, first + 1 + j).value for j in range(len(cols))]
        assert row == [float(j) / 8 if j % 5 == 0 else j for j in range(len(cols))]
    assert ws.max_row == 3 + len(NAMES)
    assert ws.cell(4, 1).font.name == ws.cell(3, 1).font.name  # styled by the XF index


def test_detail_text_from_inputs_is_never_markup_or_formula(tmp_path):
    out, _ = _summary(tmp_path)
    with zipfile.ZipFile(out) as zf:
        sheet = next(n for n in zf.namelist() if n.startswith("xl/worksheets/sheet")
                     and b"&lt;r&gt;" in zf.read(n))
        xml = zf.read(sheet).decode()
    assert "<f>" not in xml
    assert "<r>甲镇</r>" not in xml and "&lt;r&gt;甲镇&lt;/r&gt;" in xml
    assert re.search(r'<dimension ref="A1:[A-Z]+8"/>', xml)
    with zipfile.ZipFile(out) as zf:  # 明细 compressed like every other part
        assert zf.getinfo(sheet).compress_type == zipfile.ZIP_DEFLATED
