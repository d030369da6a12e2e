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
    return {ed: write_template(ARTIFACTS / f"template-{ed}.xlsx", ed) for ed in EDITIONS}


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


def _printed_labels(ws) -> list[str]:
    """Every label inside the sheet's print area."""
    area = str(ws.print_area).split("!")[-1].replace("$", "")
    c1, r1, c2, r2 = range_boundaries(area)
    return [c.value for row in ws.iter_rows(min_row=r1, max_row=r2, min_col=c1, max_col=c2)
            for c in row if isinstance(c.value, str) and not c.value.startswith("=")]


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
    info = subprocess.run(["pdfinfo", str(pdf)], check=True, capture_output=True, text=True).stdout
    pages = int(re.search(r"^Pages:\s+(\d+)", info, re.M).group(1))
    assert pages == len(sheets), "every sheet must print on exactly one page"
    for page, ws in enumerate(sheets, start=1):
        text = _page_text(pdf, page)
        missing = [lab for lab in _printed_labels(ws) if "".join(lab.split()) not in text]
        assert not missing, f"page {page} ({ws.title}): labels not found as text: {missing}"
    t3_page = [ws.title for ws in sheets].index("三、依申请公开") + 1
    assert "三、本年度办理结果" in _page_text(pdf, t3_page)
    # keep page images beside the PDF for a human look
    subprocess.run(["pdftoppm", "-png", "-r", "60", str(pdf), str(ARTIFACTS / f"page-{edition}")],
                   check=True, capture_output=True)
    assert len(list(ARTIFACTS.glob(f"page-{edition}-*.png"))) == pages


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
    assert names == sorted(f"template-{k}.png" for k in ("cover", "t2", "t3", "t4", "text"))
    for p in written:
        assert p.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n" and p.stat().st_size > 2000
    guide = (root / "docs" / "user-guide.md").read_text(encoding="utf-8")
    shown = set(re.findall(r"\]\(img/([^)]+\.png)\)", guide))
    assert shown == set(names)
    assert all((root / "docs" / "img" / n).exists() for n in shown)
