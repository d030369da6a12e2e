"""LibreOffice headless as an independent engine: opens, recalculates, prints.

* the template opens without repair: converting it to xlsx succeeds and the
  result has the same sheets, labels, formulas, merges, locks, validations;
* random inputs written with openpyxl are recalculated by LibreOffice and
  every total equals the sum this test computes from the inputs;
* every sheet prints to PDF with an embedded CJK font and its labels come
  out of ``pdftotext`` as text.

Rendered files are kept in ``tests/artifacts/libreoffice/`` (git-ignored).
"""

from __future__ import annotations

import random
import re
import shutil
import subprocess
from pathlib import Path

import openpyxl
import pytest
from openpyxl.cell.cell import MergedCell
from openpyxl.utils.cell import range_boundaries

import lo
from lo import needs_libreoffice
from toolkit.spec import get_edition
from toolkit.xlsx.template import write_template
from workbook_facts import SHEET_META, dv_index, expected_totals

pytestmark = [pytest.mark.libreoffice, needs_libreoffice]

ARTIFACTS = Path(__file__).resolve().parent / "artifacts" / "libreoffice"
EDITIONS = ["2019", "2021"]
CJK_FONT = re.compile(r"WenQuanYi|Noto ?Sans ?CJK|Noto ?Serif ?CJK|SourceHan|Source ?Han|"
                      r"DroidSansFallback|SimSun|SimHei|AR ?PL|Unifont", re.I)


@pytest.fixture(scope="module")
def templates():
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    return {ed: write_template(ARTIFACTS / f"template-{ed}.xlsx", ed, force=True)  # our artifacts folder
            for ed in EDITIONS}


@pytest.fixture(scope="module")
def pdfs(templates):
    return {ed: lo.convert(path, "pdf", ARTIFACTS) for ed, path in templates.items()}


def _visible(wb):
    return [ws for ws in wb.worksheets if ws.sheet_state == "visible"]


def _values(ws) -> dict:
    return {c.coordinate: c.value for row in ws.iter_rows() for c in row if c.value is not None}


def _unlocked(ws) -> set:
    return {c.coordinate for row in ws.iter_rows() for c in row
            if not isinstance(c, MergedCell) and not c.protection.locked}


# ---------------------------------------------------------------------------
# Opening
# ---------------------------------------------------------------------------

@pytest.mark.parametrize("edition", EDITIONS)
def test_libreoffice_opens_template_without_repair(templates, edition):
    out = lo.convert(templates[edition], "xlsx:Calc MS Excel 2007 XML",
                     ARTIFACTS / f"roundtrip-{edition}")
    ours, theirs = openpyxl.load_workbook(templates[edition]), openpyxl.load_workbook(out)
    # the reader accepts the live-check formulas as LibreOffice writes them back
    from toolkit.engine.check import check
    assert not [f.message for f in check(out).findings if "校验公式" in f.message]
    assert theirs.sheetnames == ours.sheetnames
    assert [ws.title for ws in _visible(theirs)] == [ws.title for ws in _visible(ours)]
    assert theirs[SHEET_META].sheet_state != "visible"
    for ws in ours.worksheets:
        other = theirs[ws.title]
        assert _values(other) == _values(ws), f"{ws.title}: labels or formulas changed"
        assert {str(r) for r in other.merged_cells.ranges} == {str(r) for r in ws.merged_cells.ranges}
        assert _unlocked(other) == _unlocked(ws), f"{ws.title}: locks changed"
        assert set(dv_index(other)) == set(dv_index(ws)), f"{ws.title}: validations changed"
        assert other.protection.sheet


# ---------------------------------------------------------------------------
# Recalculation
# ---------------------------------------------------------------------------

def _random_inputs(edition: str, rng: random.Random) -> dict:
    """(sheet, address) -> value for every input, info and text cell."""
    out = {}
    for c in get_edition(edition).cells:
        if c.kind == "input":
            out[(c.sheet, c.address)] = {
                "count": lambda: rng.randint(0, 60),
                "signed": lambda: rng.randint(-20, 20),
                "amount": lambda: round(rng.uniform(0, 5000), 3),
            }[c.type]()
        elif c.kind == "info":
            out[(c.sheet, c.address)] = {"year": 2021 if edition == "2021" else 2020,
                                         "choice": "乡镇"}.get(c.type, f"测试{c.row_label}")
        elif c.kind == "text":
            out[(c.sheet, c.address)] = "本年度依法做好政府信息公开工作。"
    return out


@pytest.mark.parametrize("edition", EDITIONS)
def test_libreoffice_recalculates_every_total(templates, edition):
    rng = random.Random(f"xxgk-{edition}")
    inputs = _random_inputs(edition, rng)
    wb = openpyxl.load_workbook(templates[edition])
    expected = expected_totals(wb)
    assert not set(expected) & set(inputs), "a total cell is also an input"
    for (sheet, address), v in inputs.items():
        wb[sheet][address].value = v
    filled = ARTIFACTS / f"filled-{edition}.xlsx"
    wb.save(filled)

    def value(sheet, address, depth=0):
        """The test's own arithmetic: inputs as written, totals as sums."""
        if (sheet, address) in expected:
            sums = {sum(value(sheet, a, depth + 1) for a in option)
                    for option in expected[(sheet, address)]}
            assert len(sums) == 1, f"{sheet}!{address}: the two ways of summing disagree"
            return sums.pop()
        return inputs.get((sheet, address)) or 0

    calc = lo.recalculated_values(filled, ARTIFACTS / f"recalc-{edition}")
    wrong = {}
    for sheet, address in expected:
        want, got = value(sheet, address), calc[sheet][address].value
        if got != want:
            wrong[f"{sheet}!{address}"] = (want, got)
    assert not wrong, f"LibreOffice totals differ (expected, got): {wrong}"
    assert any(value(s, a) > 100 for s, a in expected)  # not a vacuous all-zero check
    for (sheet, address), v in inputs.items():
        assert calc[sheet][address].value == v, f"{sheet}!{address} changed"


# ---------------------------------------------------------------------------
# Printing
# ---------------------------------------------------------------------------

def _page_text(pdf: Path, page: int) -> str:
    out = subprocess.run(["pdftotext", "-f", str(page), "-l", str(page), str(pdf), "-"],
                         check=True, capture_output=True, text=True).stdout
    return "".join(out.split())


def _page_count(pdf: Path) -> int:
    info = subprocess.run(["pdfinfo", str(pdf)], check=True, capture_output=True, text=True).stdout
    return int(re.search(r"^Pages:\s+(\d+)", info, re.M).group(1))


def _pages_by_sheet(pdf: Path, names: list) -> dict:
    """sheet name -> its pages (the header names the sheet, toolkit.spec.live.HEADER)."""
    out = {n: [] for n in names}
    for page in range(1, _page_count(pdf) + 1):
        head = "".join(_page_text(pdf, page)[:60].split())
        name = max((n for n in names if n in head), key=len, default=None)
        assert name, f"page {page}: no sheet name in its header: {head}"
        out[name].append(page)
    return out


def _printed_labels(ws) -> list[str]:
    """Every label inside the sheet's print area."""
    area = str(ws.print_area).split("!")[-1].replace("$", "")
    c1, r1, c2, r2 = range_boundaries(area)
    return [c.value for row in ws.iter_rows(min_row=r1, max_row=r2, min_col=c1, max_col=c2)
            for c in row if isinstance(c.value, str) and not c.value.startswith("=")
            and not ws.column_dimensions[c.column_letter].hidden]


@pytest.mark.skipif(shutil.which("pdftotext") is None, reason="poppler-utils not installed")
@pytest.mark.parametrize("edition", EDITIONS)
def test_every_sheet_prints_with_cjk_text(templates, pdfs, edition):
    pdf = pdfs[edition]
    fonts = subprocess.run(["pdffonts", str(pdf)], check=True, capture_output=True,
                           text=True).stdout.splitlines()[2:]
    cjk = [line for line in fonts if CJK_FONT.search(line)]
    assert cjk, f"no CJK font in the PDF:\n{fonts}"
    assert all(line.split()[-5] == "yes" for line in cjk), f"CJK font not embedded: {cjk}"

    wb = openpyxl.load_workbook(templates[edition])
    sheets = _visible(wb)
    pages = _pages_by_sheet(pdf, [ws.title for ws in sheets])
    assert all(pages[ws.title] for ws in sheets), f"a sheet did not print: {pages}"
    assert len(pages["三、依申请公开"]) == 1, "table 三 must print on one page"
    for ws in sheets:
        text = "".join(_page_text(pdf, p) for p in pages[ws.title])
        missing = [lab for lab in _printed_labels(ws) if "".join(lab.split()) not in text]
        assert not missing, f"{ws.title}: labels not found as text: {missing}"
    t3_page = pages["三、依申请公开"][0]
    assert "三、本年度办理结果" in _page_text(pdf, t3_page)
    pages = sum(len(v) for v in pages.values())
    # keep page images beside the PDF for a human look
    subprocess.run(["pdftoppm", "-png", "-r", "60", str(pdf), str(ARTIFACTS / f"page-{edition}")],
                   check=True, capture_output=True)
    assert len(list(ARTIFACTS.glob(f"page-{edition}-*.png"))) == pages


# ---------------------------------------------------------------------------
# The printed form, filled (issue #16)
# ---------------------------------------------------------------------------

SECTION_3000 = "".join(f"第{i}句：本年度主动公开政府信息，持续推进政务公开标准化规范化建设。"
                       for i in range(1, 120))[:3000]
UNIT = "某某县某某镇人民政府"
LIGHT_RED = (1.0, 0.78, 0.81)  # FFC7CE, styles.CONDITIONAL_STYLES["error"]
LIGHT_GREEN = (0.78, 0.94, 0.81)  # C6EFCE, "pass"


@pytest.fixture(scope="module")
def filled_pdfs():
    """A 2021 report filled in, once with one rule broken (T3-1, 自然人) and once fixed;
    the 一、总体情况 section is 3,000 characters long.  Both printed in one soffice run."""
    from toolkit.demo.sample import sample_info, sample_texts, sample_values
    from toolkit.xlsx.template import write_filled_workbook
    rng = random.Random(16)
    values = sample_values("2021", rng)
    texts = sample_texts(UNIT, 2021, values, rng)
    texts["overview"] = SECTION_3000
    info = sample_info(UNIT, "乡镇", 2021)
    broken = dict(values)
    broken["t3.new.natural"] += 1
    out = ARTIFACTS / "filled"
    shutil.rmtree(out, ignore_errors=True)
    paths = [write_filled_workbook(out / "in" / f"{name}.xlsx", "2021", v, info, texts)
             for name, v in (("broken", broken), ("fixed", values))]
    prof = lo._profile()
    try:
        subprocess.run([lo.SOFFICE, f"-env:UserInstallation={prof.as_uri()}", "--headless",
                        "--norestore", "--convert-to", "pdf", "--outdir", str(out), *map(str, paths)],
                       capture_output=True, timeout=300)
    finally:
        shutil.rmtree(prof, ignore_errors=True)
    pdfs = {p.stem: out / f"{p.stem}.pdf" for p in paths}
    assert all(p.exists() for p in pdfs.values())
    for name, pdf in pdfs.items():
        subprocess.run(["pdftoppm", "-png", "-r", "60", str(pdf), str(out / name)], check=True)
    return pdfs


def _fills(page) -> list:
    return [tuple(round(x, 2) for x in r["non_stroking_color"]) for r in page.rects
            if r.get("non_stroking_color") and len(r["non_stroking_color"]) == 3]


@pytest.mark.skipif(shutil.which("pdftotext") is None, reason="poppler-utils not installed")
def test_filled_form_prints_like_an_official_form(filled_pdfs):
    import pdfplumber
    sheets = [lay.name for lay in get_edition("2021").layouts]
    pdf = filled_pdfs["fixed"]
    pages = _pages_by_sheet(pdf, sheets)
    with pdfplumber.open(pdf) as doc:
        # table 三: one landscape A4 page, every character at >= 9 pt
        (t3,) = pages["三、依申请公开"]
        page = doc.pages[t3 - 1]
        assert page.width > page.height and abs(page.width - 842) < 2
        sizes = [c["size"] for c in page.chars]
        assert min(sizes) >= 9.0, f"smallest printed text on table 三: {min(sizes):.1f} pt"
        total = len(doc.pages)
    # unit, year and page number on every table page
    for sheet in ("二、主动公开", "三、依申请公开", "四、复议诉讼"):
        for p in pages[sheet]:
            text = _page_text(pdf, p)
            assert UNIT in text and "报告年度：2021" in text, (sheet, p)
            assert f"第{p}页共{total}页" in text, (sheet, p, text[-30:])
            assert "单位负责人：" in text and "审核人：" in text and "填报人：张三" in text
    # sign-off block and legend on the cover
    cover = _page_text(pdf, pages["封面"][0])
    for word in ("单位负责人", "审核人", "填报人", "联系电话", "填报日期", "图例", "浅黄色：填报区"):
        assert word in cover, word


@pytest.mark.skipif(shutil.which("pdftotext") is None, reason="poppler-utils not installed")
def test_long_text_section_prints_in_full(filled_pdfs):
    """One paragraph per row, no row height: LibreOffice fits each row to its text on opening
    the .xlsx, and the section runs over as many pages as it needs (template version 2)."""
    sheets = [lay.name for lay in get_edition("2021").layouts]
    pdf = filled_pdfs["fixed"]
    pages = _pages_by_sheet(pdf, sheets)["正文"]
    assert len(pages) >= 2  # 3,000 characters do not fit on one page: the section runs on
    # the page header (report title, sheet name) and footer (page number) are not the body
    body = "".join(re.sub(r"第\d+页共\d+页$", "", _page_text(pdf, p)).removeprefix("政府信息公开工作年度报告正文")
                   for p in pages)
    assert SECTION_3000 in body


@pytest.mark.skipif(shutil.which("pdftotext") is None, reason="poppler-utils not installed")
def test_broken_rule_shows_red_on_cover_and_lights_cells(filled_pdfs):
    import pdfplumber
    sheets = [lay.name for lay in get_edition("2021").layouts]
    red_on_cover = {}
    for name, pdf in filled_pdfs.items():
        pages = _pages_by_sheet(pdf, sheets)
        cover = _page_text(pdf, pages["封面"][0])
        t3 = _page_text(pdf, pages["三、依申请公开"][0])
        with pdfplumber.open(pdf) as doc:
            cover_fills = _fills(doc.pages[pages["封面"][0] - 1])
            t3_fills = _fills(doc.pages[pages["三、依申请公开"][0] - 1])
        if name == "broken":
            assert "自动校验（勾稽关系）：有2处不符" in cover  # 自然人 and 总计 columns
            assert "本表勾稽关系：有2处不符" in t3
            assert LIGHT_RED in t3_fills
        else:
            assert "自动校验（勾稽关系）：全部通过" in cover and "本表勾稽关系：全部通过" in t3
            assert LIGHT_RED not in t3_fills and LIGHT_GREEN in cover_fills
        red_on_cover[name] = cover_fills.count(LIGHT_RED)
    # the legend sample is red in both; the status line only when a rule is broken
    assert red_on_cover["broken"] > red_on_cover["fixed"] >= 1, red_on_cover


# ---------------------------------------------------------------------------
# The documentation images
# ---------------------------------------------------------------------------

def test_docs_images_render(tmp_path):
    """docs/render_images.py still works, and the user guide shows every sheet it renders."""
    import importlib.util
    root = Path(__file__).resolve().parents[1]
    spec = importlib.util.spec_from_file_location("render_images", root / "docs" / "render_images.py")
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    written = mod.render("2021", dpi=50, outdir=tmp_path)
    names = sorted(p.name for p in written)
    assert names == sorted(f"template-{k}.png" for k in ("cover", "t2", "t3", "t4", "text", "checks"))
    for p in written:
        assert p.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n" and p.stat().st_size > 2000
    guide = (root / "docs" / "user-guide.md").read_text(encoding="utf-8")
    shown = set(re.findall(r"\]\(img/([^)]+\.png)\)", guide))
    assert shown == set(names)
    assert all((root / "docs" / "img" / n).exists() for n in shown)
