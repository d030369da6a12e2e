"""``xxgk fill``: data in, the same data out; the template untouched around it."""

from __future__ import annotations

import hashlib
import json
import random
import re
import zipfile
from pathlib import Path

import openpyxl
import pytest
import yaml
from click.testing import CliRunner
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from toolkit.engine.check import check
from toolkit.cli import main
from toolkit.fill.core import FillError, fill
from toolkit.engine.report import read_report
from toolkit.demo.sample import sample_info, sample_texts, sample_values, write_sample_workbook
from toolkit.spec import editions as E
from toolkit.spec import get_edition
from toolkit.spec.paragraphs import pack, section_label
from toolkit.xlsx.template import build_template

ROOT = Path(__file__).resolve().parent.parent
PARTIES = ["natural", "commercial", "research", "nonprofit", "legal", "other"]
UNIT_TYPES = ["乡镇", "街道", "县级政府部门", "县级人民政府", "其他"]


def _sha(path: Path) -> str:
    return hashlib.sha256(Path(path).read_bytes()).hexdigest()


def _write_json(path: Path, doc) -> Path:
    path.write_text(json.dumps(doc, ensure_ascii=False), encoding="utf-8")
    return path


# ---------------------------------------------------------------------------
# Round trip (hypothesis)
# ---------------------------------------------------------------------------

_TEXT = st.text(alphabet=st.characters(blacklist_categories=("Cs", "Cc")) | st.sampled_from("\n\t"),
                max_size=60)
# Info values are read back stripped: generate them without outer whitespace.
_INFO_TEXT = st.text(alphabet=st.characters(blacklist_categories=("Cs", "Cc", "Zs", "Zl", "Zp")),
                     min_size=1, max_size=30)


def _value_strategy(cell):
    if cell.type == "count":
        return st.integers(0, 10**7)
    if cell.type == "signed":
        return st.integers(-10**6, 10**6)
    if cell.type == "amount":
        return st.one_of(st.integers(0, 10**6),
                         st.floats(0, 1e6, allow_nan=False, allow_infinity=False).map(lambda x: round(x, 4)))
    raise AssertionError(cell.type)


@st.composite
def _report_data(draw, edition):
    ed = get_edition(edition)
    doc = {}
    for c in ed.inputs():
        doc[c.id] = draw(_value_strategy(c))
    doc["info.unit_name"] = draw(st.one_of(_INFO_TEXT, st.just("=1+1"), _INFO_TEXT.map(lambda s: "=" + s)))
    doc["info.unit_type"] = draw(st.sampled_from(UNIT_TYPES))
    doc["info.county"] = draw(_INFO_TEXT)
    doc["info.year"] = draw(st.integers(2019, 2020) if edition == "2019" else st.integers(2021, 2030))
    doc["info.phone"] = draw(st.one_of(_INFO_TEXT, st.just("0971-1234567")))
    for key, _label, _hint in E.TEXT_SECTIONS:
        doc[f"text.{key}"] = draw(st.one_of(_TEXT, _TEXT.map(lambda s: "=" + s), _SECTION))
    return doc


# A whole 正文 section: paragraphs, some longer than one cell holds (800 characters);
# at most 4 cells, what the smallest section (六) has.
_SENTENCES = "".join(f"第{i}句：本年度主动公开政府信息，推进政务公开标准化规范化建设。" for i in range(60))
_PARAGRAPH = st.one_of(_TEXT, st.integers(0, 1500).map(lambda n: _SENTENCES[:n]))
_SECTION = st.lists(_PARAGRAPH, min_size=1, max_size=2).map("\n".join)


def _key(ed, k, by_path):
    if k.startswith("text."):  # a section: text.overview or 正文/一、总体情况
        section = k.split(".", 1)[1]
        return f"{ed.text_cells(section)[0].sheet}/{section_label(section)}" if by_path else k
    return ed.by_id[k].path if by_path else k


def _round_trip(tmp_path, edition, doc, by_path: bool):
    ed = get_edition(edition)
    keyed = {_key(ed, k, by_path): v for k, v in doc.items()}
    data = _write_json(tmp_path / "data.json", keyed)
    out = tmp_path / "out.xlsx"
    result = fill(out, data=data, force=True)
    assert result.edition == edition
    rep = read_report(out)
    assert rep.edition == edition
    for k, v in doc.items():
        if k.startswith("text."):
            # One paragraph per cell: the same text, with a line break where a paragraph
            # over 800 characters was cut at a sentence end; nothing else changes.
            section = k.split(".", 1)[1]
            got = rep.texts[section]
            assert got.replace("\n", "") == v.replace("\n", ""), k
            if max(len(line) for line in v.split("\n")) <= E.TEXT_PARAGRAPH_MAX:
                assert got == v, k
            assert all(len(t) <= E.TEXT_PARAGRAPH_MAX for _, t in rep.paragraphs(section)), k
            assert pack(got) == pack(v)  # reading and writing again changes nothing
            continue
        c = ed.by_id[k]
        if c.kind == "input":
            assert rep.values[k] == v, k
            assert type(rep.raw[k]) in (int, float), k  # a number, not text
        elif c.kind == "info":
            assert rep.info[c.row] == v, k
    assert not rep.invalid
    assert not [f for f in rep.findings if f.rule.startswith("S-")], rep.findings
    # text starting with "=" is text, never a formula
    wb = openpyxl.load_workbook(out)
    for k, v in doc.items():
        c = ed.text_cells(k.split(".", 1)[1])[0] if k.startswith("text.") else ed.by_id[k]
        if isinstance(v, str) and v.startswith("="):  # "" means "not given": the cell stays empty
            cell = wb[c.sheet][c.address]
            assert cell.data_type == "s" and cell.value == v, k
    return rep


@pytest.mark.parametrize("edition", ["2019", "2021"])
def test_round_trip_any_values(tmp_path_factory, edition):
    @settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
    @given(doc=_report_data(edition), by_path=st.booleans())
    def run(doc, by_path):
        _round_trip(tmp_path_factory.mktemp("rt"), edition, doc, by_path)
    run()


@pytest.mark.parametrize("edition", ["2019", "2021"])
def test_round_trip_rule_satisfying_reports_pass_check(tmp_path_factory, edition):
    @settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
    @given(seed=st.integers(0, 2**32 - 1), scale=st.sampled_from([0.0, 0.5, 1.0, 4.0]),
           unit_type=st.sampled_from(UNIT_TYPES))
    def run(seed, scale, unit_type):
        rng = random.Random(seed)
        year = 2020 if edition == "2019" else 2022
        values = sample_values(edition, rng, scale=scale, unit_type=unit_type)
        info = sample_info("某某镇人民政府", unit_type, year)
        texts = sample_texts("某某镇人民政府", year, values, rng)
        doc = dict(values)
        doc.update({f"info.{k}": v for k, v in info.items()})
        doc.update({f"text.{k}": v for k, v in texts.items()})
        tmp = tmp_path_factory.mktemp("ok")
        rep = _round_trip(tmp, edition, doc, by_path=False)
        result = check(tmp / "out.xlsx")
        errors = [f.message for f in result.findings if f.severity == "error"]
        assert errors == [] and result.exit_code == 0
        assert rep.year == year
    run()


def test_csv_yaml_json_give_the_same_workbook_values(tmp_path):
    doc = {"t3.new.natural": 4, "t3.public.natural": 3, "t3.carry_forward.natural": 1,
           "t2.fees.amount": 12.5, "info.unit_name": "某某镇人民政府", "info.year": 2022,
           "info.phone": "0971-1234567", "text.other": "本年度未收取信息处理费，\n无其他事项。"}
    ed = get_edition("2021")
    _write_json(tmp_path / "d.json", doc)
    (tmp_path / "d.yaml").write_text(yaml.safe_dump(doc, allow_unicode=True), encoding="utf-8")
    # CSV as Chinese Excel saves it (GB18030), keyed by label paths, with a quoted multi-line value
    lines = ["key,value"]
    for k, v in doc.items():
        text = str(v).replace('"', '""')
        lines.append(f'{_key(ed, k, True)},"{text}"')
    (tmp_path / "d.csv").write_bytes(("\r\n".join(lines) + "\r\n").encode("gb18030"))
    results = {}
    for name in ("d.json", "d.yaml", "d.csv"):
        out = tmp_path / (name + ".xlsx")
        fill(out, data=tmp_path / name)
        wb = openpyxl.load_workbook(out)
        cell = {**ed.by_id, "text.other": ed.text_cells("other")[0]}  # a short section: one cell
        results[name] = {k: wb[cell[k].sheet][cell[k].address].value for k in doc}
    assert results["d.json"] == doc
    assert results["d.yaml"] == doc
    assert results["d.csv"] == doc


def test_csv_utf8_bom_and_chinese_header(tmp_path):
    (tmp_path / "d.csv").write_bytes("\ufeff键,值\nt3.new.natural,7\ninfo.unit_name,某某街道办事处\n".encode("utf-8"))
    out = tmp_path / "o.xlsx"
    fill(out, data=tmp_path / "d.csv")
    rep = read_report(out)
    assert rep.values["t3.new.natural"] == 7 and rep.unit == "某某街道办事处"


# ---------------------------------------------------------------------------
# Refusals: nothing written, keys named
# ---------------------------------------------------------------------------

REFUSED = [
    ({"t3.new.naturl": 1}, "未知的键“t3.new.naturl”，是否应为“t3.new.natural”？"),
    ({"foo": 1}, "未知的键“foo”（可用的键见 xxgk cells 的输出）"),
    ({"t2.fees.prev_items": 1}, "键“t2.fees.prev_items”是 2019 版表格的栏目，本报告使用 2021 版表格"),
    ({"t3.new.natural": "abc"}, "键“t3.new.natural”（三、依申请公开!D5，一·自然人）的值 “abc” 应为整数（阿拉伯数字，不带单位）"),
    ({"t3.new.natural": -1}, "键“t3.new.natural”（三、依申请公开!D5，一·自然人）的值 -1 不能为负数"),
    ({"t3.new.natural": 1.5}, "的值 1.5 应为整数"),
    ({"t3.new.natural": True}, "的值 True 不能是 true/false"),
    ({"t3.new.natural": "12件"}, "的值 “12件” 应为整数（阿拉伯数字，不带单位）"),
    ({"t3.new.total": 5}, "键“t3.new.total”是自动合计单元格（三、依申请公开!J5，一·总计，公式），不能填写；请填写它的各组成项"),
    ({"三、依申请公开!A5": "x"}, "键“三、依申请公开!A5”是栏目名称（标签）单元格“一、本年新收政府信息公开申请数量”，不能填写"),
    ({"三、收到和处理政府信息公开申请情况/一、本年新收政府信息公开申请数量": 3},
     "键“三、收到和处理政府信息公开申请情况/一、本年新收政府信息公开申请数量”是栏目名称（标签），不是填写单元格"),
    ({"info.unit_type": "乡"}, "的值 “乡” 应为以下之一：乡镇、街道、县级政府部门、县级人民政府、其他"),
    ({"info.year": 1999}, "报告年度应为 2019 至 2100 之间的四位数字"),
    ({"text.overview": "a\x01b"}, "含有无法写入 Excel 的控制字符"),
    ({"text.overview": 3.5}, "的值 3.5 应为文本"),
    ({"t2.fees.amount": float("inf")}, "的值 inf 应为数字"),
    ({"t3.new.natural": 1, "三、收到和处理政府信息公开申请情况/一、本年新收政府信息公开申请数量/自然人": 1},
     "键“三、收到和处理政府信息公开申请情况/一、本年新收政府信息公开申请数量/自然人”与键“t3.new.natural”指向同一个单元格（三、依申请公开!D5）"),
]


@pytest.mark.parametrize("doc,message", REFUSED, ids=[str(i) for i in range(len(REFUSED))])
def test_data_refused_nothing_written(tmp_path, doc, message):
    data = tmp_path / "d.json"
    data.write_text(json.dumps({"t3.new.other": 2, **doc}, ensure_ascii=False), encoding="utf-8")
    out = tmp_path / "out.xlsx"
    with pytest.raises(FillError) as exc:
        fill(out, data=data, edition="2021")
    assert message in str(exc.value)
    assert "数据文件“d.json”" in str(exc.value)
    assert not out.exists() and not list(tmp_path.glob(".~xxgk-*"))


def test_all_refusals_listed_together(tmp_path):
    data = _write_json(tmp_path / "d.json", {"bad.key": 1, "t3.new.natural": -2, "t4.review.total": 1})
    with pytest.raises(FillError) as exc:
        fill(tmp_path / "o.xlsx", data=data)
    assert len(exc.value.problems) == 3 and "（3 处问题）" in str(exc.value)


@pytest.mark.parametrize("name,content,message", [
    ("d.json", '{"t3.new.natural": 1, "t3.new.natural": 2}', "键“t3.new.natural”出现了多次"),
    ("d.json", "[1, 2]", "内容应为一个对象"),
    ("d.json", "{oops", "不是有效的 JSON（第 1 行第 2 列"),
    ("d.yaml", "t3.new.natural: 1\nt3.new.natural: 2\n", "键“t3.new.natural”出现了多次（第 2 行）"),
    ("d.csv", "cell,number\nt3.new.natural,1\n", "第 1 行应为表头“key,value”（或“键,值”），实际为“cell,number”"),
    ("d.csv", "key,value\nt3.new.natural,1,2\n", "第 2 行应有 2 列（键,值），实际有 3 列"),
    ("d.csv", "key,value\nt3.new.natural,1\nt3.new.natural,1\n", "第 3 行：键“t3.new.natural”与第 2 行重复"),
    ("d.txt", "t3.new.natural=1", "格式不支持"),
])
def test_bad_data_files(tmp_path, name, content, message):
    (tmp_path / name).write_text(content, encoding="utf-8")
    out = tmp_path / "o.xlsx"
    with pytest.raises(FillError) as exc:
        fill(out, data=tmp_path / name)
    assert message in str(exc.value)
    assert not out.exists()


def test_year_and_edition(tmp_path):
    r = fill(tmp_path / "a.xlsx", year=2020)
    assert r.edition == "2019" and read_report(tmp_path / "a.xlsx").edition == "2019"
    r = fill(tmp_path / "b.xlsx", year=2021)
    assert r.edition == "2021"
    with pytest.raises(FillError) as exc:
        fill(tmp_path / "c.xlsx", year=2022, edition="2019")
    assert "2022 年度报告应使用 2021 版表格，与指定的 2019 版不一致" in str(exc.value)
    # the year in the data decides too
    data = _write_json(tmp_path / "d.json", {"info.year": 2019})
    assert fill(tmp_path / "d.xlsx", data=data).edition == "2019"
    # --year and the data disagree: both named
    with pytest.raises(FillError) as exc:
        fill(tmp_path / "e.xlsx", data=data, year=2020)
    assert "--year 参数给出 2020，数据文件“d.json”给出 2019，两者不一致" in str(exc.value)
    assert not (tmp_path / "c.xlsx").exists() and not (tmp_path / "e.xlsx").exists()


# ---------------------------------------------------------------------------
# Last year's workbook
# ---------------------------------------------------------------------------

def _prev_workbook(path, edition, year, values):
    ed = get_edition(edition)
    full = {c.id: 0 for c in ed.inputs()}
    full.update(values)
    info = sample_info("某某镇人民政府", "乡镇", year, county="某某区")
    info["preparer"], info["phone"] = "李四", "0971-7654321"
    write_sample_workbook(path, edition, full, info, {"overview": "上年概述", "problems": "无", "other": "无"})
    return path


CARRY = {"t3.carry_forward.natural": 2, "t3.carry_forward.commercial": 1, "t3.carry_forward.legal": 3,
         # consistent table 三 for last year (not needed by fill, keeps the file realistic)
         "t3.new.natural": 2, "t3.new.commercial": 1, "t3.new.legal": 3}


def _cover_and_t3(out: Path) -> tuple[dict, dict]:
    wb = openpyxl.load_workbook(out)
    cover = {r[0].value: r[1].value for r in wb["封面"].iter_rows(min_row=12, max_row=18)}
    ws = wb["三、依申请公开"]
    carried = [ws.cell(6, col).value for col in range(4, 10)]  # 二、上年结转 row, D:I
    return cover, {"carried": carried, "wb": wb}


def test_previous_2021_to_2022(tmp_path):
    prev = _prev_workbook(tmp_path / "2021.xlsx", "2021", 2021, {
        **CARRY, "t2.rules.in_force": 0, "t2.normative.in_force": 17, "t2.normative.issued": 4})
    before = _sha(prev)
    out = tmp_path / "2022.xlsx"
    r = fill(out, previous=prev)
    assert r.year == 2022 and r.edition == "2021"
    cover, t3 = _cover_and_t3(out)
    assert cover == {"单位名称": "某某镇人民政府", "单位类型": "乡镇", "所属区县": "某某区", "报告年度": 2022,
                     "填报人": "李四", "联系电话": "0971-7654321", "填报日期": None}
    assert t3["carried"] == [2, 1, 0, 0, 3, 0]
    ws = t3["wb"]["二、主动公开"]
    # last year's 现行有效件数 shown beside the cells as notes; table 二 itself stays empty
    assert "17" in ws["D5"].comment.text and "现行有效件数" in ws["D5"].comment.text
    assert ws["D4"].comment is not None and "为 0" in ws["D4"].comment.text
    assert all(ws[a].value is None for a in ("B4", "C4", "D4", "B5", "C5", "D5", "B8", "B15"))
    assert _sha(prev) == before
    # the output passes the cross-year rule T3-6 against last year
    res = check(out, previous=prev)
    assert not [f for f in res.findings if f.rule == "T3-6"]


def test_previous_2019_to_2020(tmp_path):
    values = {**CARRY,
              "t2.licensing.prev_items": 10, "t2.licensing.change": -3,
              "t2.other_services.prev_items": 5, "t2.other_services.change": 2,
              "t2.penalty.prev_items": 0, "t2.penalty.change": 4,
              "t2.coercion.prev_items": 7, "t2.coercion.change": 0,
              "t2.fees.prev_items": 3, "t2.fees.change": -3}
    prev = _prev_workbook(tmp_path / "2019.xlsx", "2019", 2019, values)
    out = tmp_path / "2020.xlsx"
    r = fill(out, previous=prev, year=2020)
    assert r.edition == "2019"
    cover, t3 = _cover_and_t3(out)
    assert t3["carried"] == [2, 1, 0, 0, 3, 0]
    ws = t3["wb"]["二、主动公开"]
    # 上一年项目数量 (column B) = last year's 上一年项目数量 + 本年增/减, worked out by hand
    assert {a: ws[a].value for a in ("B8", "B9", "B12", "B13", "B16")} == {
        "B8": 7, "B9": 7, "B12": 4, "B13": 7, "B16": 0}
    assert all(ws[a].value is None for a in ("C8", "D8", "B4", "B19", "C19"))
    assert not any(ws[a].comment for a in ("D4", "D5"))
    res = check(out, previous=prev)
    assert not [f for f in res.findings if f.rule in ("T3-6", "T2-5")]


def test_previous_across_edition_change_2020_to_2021(tmp_path):
    prev = _prev_workbook(tmp_path / "2020.xlsx", "2019", 2020, {
        **CARRY, "t3.other.natural": 0, "t2.licensing.prev_items": 9, "t2.rules.total": 3})
    out = tmp_path / "2021.xlsx"
    r = fill(out, previous=prev)
    assert r.year == 2021 and r.edition == "2021"
    cover, t3 = _cover_and_t3(out)
    assert t3["carried"] == [2, 1, 0, 0, 3, 0]
    assert cover["报告年度"] == 2021 and cover["单位名称"] == "某某镇人民政府"
    ws = t3["wb"]["二、主动公开"]
    for row in ws.iter_rows(min_row=3, max_row=16, min_col=2, max_col=4):
        for cell in row:
            if cell.coordinate in ("B4", "C4", "D4", "B5", "C5", "D5", "B8", "B11", "B12", "B15"):
                assert cell.value is None and cell.comment is None  # table 二 not carried
    assert set(r.values) == {"info.year", "info.unit_name", "info.unit_type", "info.county",
                             "info.preparer", "info.phone"} | {f"t3.carried_in.{p}" for p in PARTIES}


def test_previous_of_wrong_year_refused(tmp_path):
    prev = _prev_workbook(tmp_path / "2019.xlsx", "2019", 2019, CARRY)
    with pytest.raises(FillError) as exc:
        fill(tmp_path / "o.xlsx", previous=prev, year=2021)
    assert "报告年度为 2019 年，不是 2021 年的上一年度，请换用 2020 年度的报告" in str(exc.value)


def test_previous_unreadable(tmp_path):
    bad = tmp_path / "prev.xlsx"
    bad.write_bytes(b"")
    with pytest.raises(FillError) as exc:
        fill(tmp_path / "o.xlsx", previous=bad, year=2021)
    assert "上一年度报告无法读取" in str(exc.value) and "文件为空" in str(exc.value)


def test_sources_combine_and_conflicts_named(tmp_path):
    prev = _prev_workbook(tmp_path / "2020.xlsx", "2019", 2020, CARRY)
    # a register whose requests open on 1 January 2021 disagree with last year's 结转
    from datetime import date
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "登记台账"
    ws.append(["序号/申请编号", "收到日期", "申请人类型", "申请内容摘要", "办理结果", "办结日期", "备注"])
    for kind in ["自然人", "自然人", "商业企业", "法律服务机构", "法律服务机构", "法律服务机构"]:
        ws.append([None, date(2020, 12, 1), kind, "x"])
    ws.append([None, date(2021, 2, 1), "自然人", "y", "（一）予以公开", date(2021, 2, 5)])
    wb.save(tmp_path / "reg.xlsx")
    data = _write_json(tmp_path / "d.json", {"t2.licensing.decisions": 12, "info.phone": "0971-7654321"})
    out = tmp_path / "2021.xlsx"
    r = fill(out, previous=prev, register=tmp_path / "reg.xlsx", data=data)
    assert r.values["t3.carried_in.natural"] == 2
    assert set(r.sources["t3.carried_in.natural"]) == {"上一年度报告“2020.xlsx”", "登记台账“reg.xlsx”"}
    assert r.values["t3.public.natural"] == 1 and r.values["t2.licensing.decisions"] == 12
    assert r.sources["info.phone"] == ["数据文件“d.json”", "上一年度报告“2020.xlsx”"]
    # one more open request in the register: 3 natural persons vs last year's 2
    ws.append([None, date(2020, 12, 2), "自然人", "z"])
    wb.save(tmp_path / "reg.xlsx")
    out2 = tmp_path / "2021b.xlsx"
    with pytest.raises(FillError) as exc:
        fill(out2, previous=prev, register=tmp_path / "reg.xlsx", data=data)
    assert ("三、依申请公开!D6（t3.carried_in.natural，三、收到和处理政府信息公开申请情况/二、上年结转政府信息公开申请数量/自然人）："
            "上一年度报告“2020.xlsx”给出 2，登记台账“reg.xlsx”给出 3，两者不一致") in str(exc.value)
    assert not out2.exists()
    # the data and the register disagree on a table-三 cell
    data2 = _write_json(tmp_path / "d2.json", {"t3.public.natural": 5})
    with pytest.raises(FillError) as exc:
        fill(tmp_path / "c.xlsx", register=tmp_path / "reg.xlsx", data=data2, year=2021)
    assert "数据文件“d2.json”给出 5，登记台账“reg.xlsx”给出 1" in str(exc.value)
    # --unit against last year's unit name
    with pytest.raises(FillError) as exc:
        fill(tmp_path / "d.xlsx", previous=prev, unit="某某街道办事处")
    assert "--unit 参数给出 “某某街道办事处”，上一年度报告“2020.xlsx”给出 “某某镇人民政府”" in str(exc.value)


# ---------------------------------------------------------------------------
# Outputs and inputs
# ---------------------------------------------------------------------------

def test_existing_output_and_force(tmp_path):
    out = tmp_path / "o.xlsx"
    out.write_bytes(b"keep me")
    from toolkit.atomic import OutputExistsError
    with pytest.raises(OutputExistsError):
        fill(out, year=2021)
    assert out.read_bytes() == b"keep me"
    fill(out, year=2021, force=True)
    assert read_report(out).year == 2021


def test_output_may_not_be_an_input(tmp_path):
    prev = _prev_workbook(tmp_path / "2021.xlsx", "2021", 2021, CARRY)
    before = _sha(prev)
    with pytest.raises(FillError) as exc:
        fill(prev, previous=prev, force=True)
    assert "就是上一年度报告本身" in str(exc.value)
    assert _sha(prev) == before


def test_output_extension_follows_template(tmp_path):
    with pytest.raises(FillError) as exc:
        fill(tmp_path / "o.xlsm", year=2021)
    assert "请输出为 .xlsx 文件" in str(exc.value)


def test_custom_template_must_match_edition(tmp_path):
    tpl = tmp_path / "t2019.xlsx"
    build_template("2019").save(tpl)
    with pytest.raises(FillError) as exc:
        fill(tmp_path / "o.xlsx", template=tpl, year=2022)
    assert "模板是 2019 版，而本报告应使用 2021 版表格" in str(exc.value)
    assert fill(tmp_path / "o.xlsx", template=tpl).edition == "2019"  # edition from the template
    plain = tmp_path / "plain.xlsx"
    openpyxl.Workbook().save(plain)
    with pytest.raises(FillError) as exc:
        fill(tmp_path / "p.xlsx", template=plain)
    assert "模板文件无法使用" in str(exc.value)


# ---------------------------------------------------------------------------
# The template survives: protection, validations, formulas, names, states
# ---------------------------------------------------------------------------

def _facts(path: Path) -> dict:
    """Everything fill must leave alone, read back with openpyxl."""
    wb = openpyxl.load_workbook(path, keep_vba=str(path).endswith(".xlsm"))
    out = {"sheets": wb.sheetnames, "lock": bool(wb.security and wb.security.lockStructure),
           "names": sorted((n, str(d.attr_text)) for n, d in wb.defined_names.items()), "ws": {}}
    for ws in wb.worksheets:
        p = ws.protection
        out["ws"][ws.title] = {
            "state": ws.sheet_state,
            "protection": {k: getattr(p, k) for k in ("sheet", "objects", "scenarios", "formatCells",
                                                      "formatColumns", "formatRows", "insertRows",
                                                      "deleteRows", "selectLockedCells",
                                                      "selectUnlockedCells", "password")},
            "merges": sorted(str(r) for r in ws.merged_cells.ranges),
            "validations": sorted((str(dv.sqref), dv.type, dv.operator, dv.formula1, dv.formula2,
                                   dv.error, dv.prompt, dv.errorStyle) for dv in ws.data_validations.dataValidation),
            "print": (ws.print_area, ws.print_title_rows, ws.freeze_panes),
            "codename": ws.sheet_properties.codeName,
            "locked": {c.coordinate: c.protection.locked for row in ws.iter_rows() for c in row},
            "formulas": {c.coordinate: c.value for row in ws.iter_rows() for c in row
                         if c.data_type == "f"},
            "values": {c.coordinate: c.value for row in ws.iter_rows() for c in row if c.value is not None},
        }
    return out


def _full_doc(edition, year):
    rng = random.Random(7)
    values = sample_values(edition, rng, scale=2.0)
    doc = dict(values)
    doc.update({f"info.{k}": v for k, v in sample_info("某某镇人民政府", "乡镇", year).items()})
    doc.update({f"text.{k}.1": v for k, v in sample_texts("某某镇人民政府", year, values, rng).items()})
    doc["text.problems.1"] = "=HYPERLINK(\"http://example.com\")"
    return doc


@pytest.mark.parametrize("edition,year", [("2019", 2020), ("2021", 2022)])
def test_template_survives(tmp_path, edition, year):
    tpl = tmp_path / "template.xlsx"
    build_template(edition).save(tpl)
    doc = _full_doc(edition, year)
    out = tmp_path / "filled.xlsx"
    fill(out, data=_write_json(tmp_path / "d.json", doc))
    a, b = _facts(tpl), _facts(out)
    ed = get_edition(edition)
    written = {(ed.by_id[k].sheet, ed.by_id[k].address) for k in doc}
    assert a["sheets"] == b["sheets"] and a["lock"] and b["lock"] and a["names"] == b["names"]
    for name, fa in a["ws"].items():
        fb = b["ws"][name]
        for key in ("state", "protection", "merges", "validations", "print", "codename", "locked",
                    "formulas"):
            assert fa[key] == fb[key], (name, key)
        # labels and meta unchanged; only the written cells differ, and they hold the data
        changed = {addr for addr in set(fa["values"]) | set(fb["values"])
                   if fa["values"].get(addr) != fb["values"].get(addr)}
        assert changed <= {addr for sheet, addr in written if sheet == name}, (name, changed)
    for k, v in doc.items():
        c = ed.by_id[k]
        assert b["ws"][c.sheet]["values"].get(c.address) == v, k
    assert b["ws"]["xxgk"]["state"] == "veryHidden"
    # the filled text starting with "=" is stored as text
    with zipfile.ZipFile(out) as z:
        sheet_xml = z.read("xl/worksheets/sheet5.xml").decode("utf-8")
    assert "HYPERLINK" in sheet_xml and "<f>" not in sheet_xml


def _macro_templates():
    root = ROOT / "workbook_template.xlsm"
    yield pytest.param(root, id="repo-root-xlsm", marks=pytest.mark.skipif(
        not root.exists(), reason="workbook_template.xlsm not (yet) at the repository root"))
    yield pytest.param(None, id="built-macro-template")


def _vml_macros(path: Path) -> dict:
    """sheet name -> sorted macros bound to its buttons (from the VML drawings)."""
    out = {}
    with zipfile.ZipFile(path) as z:
        wb_xml = z.read("xl/workbook.xml").decode()
        rels = z.read("xl/_rels/workbook.xml.rels").decode()
        for name, rid in re.findall(r'<sheet [^>]*name="([^"]+)"[^>]*r:id="([^"]+)"', wb_xml):
            target = re.search(rf'Id="{rid}"[^>]*Target="([^"]+)"|Target="([^"]+)"[^>]*Id="{rid}"', rels)
            part = (target.group(1) or target.group(2)).lstrip("/")
            part = part if part.startswith("xl/") else "xl/" + part
            rel_name = part.replace("worksheets/", "worksheets/_rels/") + ".rels"
            if rel_name not in z.namelist():
                continue
            for vml in re.findall(r'Target="([^"]+\.vml)"', z.read(rel_name).decode()):
                vml_part = "xl/" + vml.replace("../", "") if not vml.startswith("/") else vml.lstrip("/")
                text = z.read(vml_part).decode()
                ids = re.findall(r'\bid="(_x0000_s\d+)"', text)
                assert len(ids) == len(set(ids)), f"duplicate shape ids in {vml_part}"
                macros = re.findall(r"FmlaMacro>([^<]+)<", text)
                if macros:
                    out[name] = sorted(macros)
    return out


@pytest.mark.parametrize("source", list(_macro_templates()))
def test_macro_template_survives(tmp_path, source):
    if source is None:
        mt = pytest.importorskip("toolkit.xlsx.macro_template")
        source = tmp_path / "macro.xlsm"
        try:
            mt.build_macro_template(source, "2021")
        except Exception as exc:  # the macro builder belongs to another issue
            pytest.skip(f"macro template could not be built here: {exc}")
    tpl_edition = read_report(source).edition
    prev_year = 2021 if tpl_edition == "2021" else 2019
    prev = _prev_workbook(tmp_path / "prev.xlsx", tpl_edition, prev_year, {
        **CARRY, **({"t2.normative.in_force": 9} if tpl_edition == "2021" else {})})
    out = tmp_path / "filled.xlsm"
    before = _sha(source)
    r = fill(out, previous=prev, template=source,
             data=_write_json(tmp_path / "d.json", {"t4.review.upheld": 1, "t3.new.natural": 2}))
    assert _sha(source) == before
    if tpl_edition == "2021":
        assert r.notes  # a note lands on a sheet that carries buttons
    with zipfile.ZipFile(source) as a, zipfile.ZipFile(out) as b:
        assert a.read("xl/vbaProject.bin") == b.read("xl/vbaProject.bin")
        ct = b.read("[Content_Types].xml").decode()
        assert "macroEnabled.main+xml" in ct
    macros = _vml_macros(source)
    assert macros, "the template has buttons"
    assert _vml_macros(out) == macros
    fa, fb = _facts(source), _facts(out)
    assert fa["sheets"] == fb["sheets"] and fb["lock"] and fa["names"] == fb["names"]
    for name in fa["ws"]:
        for key in ("state", "merges", "validations", "codename", "locked", "formulas"):
            assert fa["ws"][name][key] == fb["ws"][name][key], (name, key)
        assert fb["ws"][name]["protection"]["sheet"] == fa["ws"][name]["protection"]["sheet"]
    rep = read_report(out)
    assert rep.values["t3.carried_in.natural"] == 2 and rep.values["t4.review.upheld"] == 1
    assert rep.has_vba


# ---------------------------------------------------------------------------
# CLI
# ---------------------------------------------------------------------------

def test_cli_fill_success_and_force(tmp_path):
    runner = CliRunner()
    data = _write_json(tmp_path / "d.json", {"t3.new.natural": 1, "t3.public.natural": 1})
    out = tmp_path / "报告.xlsx"
    args = ["fill", "--data", str(data), "--year", "2022", "--unit", "某某镇人民政府", "-o", str(out)]
    res = runner.invoke(main, args)
    assert res.exit_code == 0, res.output
    assert "已写出 2022 年度报告（2021 版表格）" in res.output and "xxgk check" in res.output
    rep = read_report(out)
    assert rep.unit == "某某镇人民政府" and rep.values["t3.results_total.total"] == 1
    before = _sha(out)
    res = runner.invoke(main, args)
    assert res.exit_code == 1 and "输出文件已存在" in res.output and "--force" in res.output
    assert _sha(out) == before
    res = runner.invoke(main, args + ["--force"])
    assert res.exit_code == 0


def test_cli_refusal_message(tmp_path):
    data = _write_json(tmp_path / "d.json", {"t3.new.total": 3, "t3.new.naturel": 1})
    out = tmp_path / "o.xlsx"
    res = CliRunner().invoke(main, ["fill", "--data", str(data), "-o", str(out)])
    assert res.exit_code == 1
    assert "无法填写，未写出任何文件（2 处问题）" in res.output
    assert "键“t3.new.total”是自动合计单元格" in res.output
    assert "未知的键“t3.new.naturel”，是否应为“t3.new.natural”？" in res.output
    assert "Traceback" not in res.output and not out.exists()


def test_cli_missing_inputs(tmp_path):
    runner = CliRunner()
    # a missing input path is a usage error (exit 2) like in every command (issue #12)
    for opt, name in (("--register", "无.xlsx"), ("--template", "无.xlsm"), ("--data", "无.json")):
        res = runner.invoke(main, ["fill", opt, str(tmp_path / name), "-o", str(tmp_path / "o.xlsx")])
        assert res.exit_code == 2 and f"“{tmp_path / name}”不存在" in res.output, res.output
    reg = tmp_path / "reg.xlsx"
    reg.write_bytes(b"")  # exists: the library then says what else is missing
    res = runner.invoke(main, ["fill", "--register", str(reg), "-o", str(tmp_path / "o.xlsx")])
    assert res.exit_code == 1 and "使用登记台账时需要知道报告年度" in res.output
    res = runner.invoke(main, ["fill", "--year", "2021"])
    assert res.exit_code == 2  # usage error: -o is required
    res = runner.invoke(main, ["fill", "--year", "二〇二一", "-o", str(tmp_path / "o.xlsx")])
    assert res.exit_code == 1 and "报告年度“二〇二一”应为整数" in res.output


def test_cli_help_is_chinese_with_example():
    res = CliRunner().invoke(main, ["fill", "--help"])
    assert res.exit_code == 0 and "示例" in res.output and "xxgk fill --register" in res.output
    res = CliRunner().invoke(main, ["register-template", "--help"])
    assert res.exit_code == 0 and "示例" in res.output


def test_previous_and_unit_spelled_differently_are_one_unit(tmp_path):
    """--unit with a full-width space or an invisible character names the same unit as last
    year's cover (toolkit.names): no conflict, the --unit spelling is kept; another unit conflicts."""
    prev = _prev_workbook(tmp_path / "2021.xlsx", "2021", 2021, dict(CARRY))
    r = fill(tmp_path / "a.xlsx", previous=prev, unit="某某镇\u3000人民政府\u200b")
    assert r.year == 2022
    cover, _ = _cover_and_t3(tmp_path / "a.xlsx")
    assert cover["单位名称"] == "某某镇\u3000人民政府\u200b"
    with pytest.raises(FillError, match="两者不一致"):
        fill(tmp_path / "b.xlsx", previous=prev, unit="另一个镇人民政府")


# ---------------------------------------------------------------------------
# 正文: one paragraph per cell (template version 2)
# ---------------------------------------------------------------------------

def test_section_is_packed_into_paragraph_cells(tmp_path):
    text = "第一段。\n第二段。\n" + _SENTENCES[:1500]
    fill(tmp_path / "o.xlsx", data={"text.overview": text, "info.year": 2021})
    ws = openpyxl.load_workbook(tmp_path / "o.xlsx")["正文"]
    ed = get_edition("2021")
    got = [ws[c.address].value for c in ed.text_cells("overview")]
    # the two short paragraphs share a cell; the long one is cut after a sentence end
    assert got[0].startswith("第一段。\n第二段。\n第0句") and got[0].endswith("。")
    assert all(len(t or "") <= 800 for t in got) and got[3] is None
    assert "".join(t for t in got if t).replace("\n", "") == text.replace("\n", "")


def test_section_too_long_for_the_template_is_refused(tmp_path):
    with pytest.raises(FillError) as exc:
        fill(tmp_path / "o.xlsx", data={"text.other": _SENTENCES * 2, "info.year": 2021})
    msg = str(exc.value)
    assert "正文“六、其他需要报告的事项”" in msg and "模板只有 4 格" in msg and "未写出文件" in msg
    assert not (tmp_path / "o.xlsx").exists()


def test_one_paragraph_cell_over_the_limit_is_refused(tmp_path):
    with pytest.raises(FillError, match="一格最多 800 字；请分段写在下一格"):
        fill(tmp_path / "o.xlsx", data={"text.overview.2": "字" * 801, "info.year": 2021})
