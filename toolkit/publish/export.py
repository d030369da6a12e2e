"""Export a checked workbook as the published report (Word .docx).

The document has the six sections of the national format; the three
tables are drawn from the spec's sheet layouts (same labels, same merged
cells), so the published tables are exactly the official ones.
"""

from __future__ import annotations

from pathlib import Path

from ..atomic import atomic_output
from ..engine.report import Report, _fmt, read_report
from .. import spec as E
from ..spec.model import SheetLayout

FONT = "仿宋_GB2312"
HEADING_FONT = "黑体"
TITLE_FONT = "方正小标宋简体"


def _cell_text(rep: Report, lc) -> str:
    if not lc.cell_id:
        return str(lc.value or "")
    c = rep.spec.by_id[lc.cell_id]
    if c.id in rep.values and (c.kind == "total" or rep.raw.get(c.id) is not None):
        return _fmt(rep.values[c.id])
    return "0" if c.kind == "input" else ""


def _set_font(run, name: str, size: float, bold: bool = False):
    from docx.oxml.ns import qn
    from docx.shared import Pt
    run.font.name = name
    run.font.size = Pt(size)
    run.font.bold = bold
    rpr = run._element.get_or_add_rPr()
    fonts = rpr.find(qn("w:rFonts"))
    if fonts is None:
        fonts = rpr.makeelement(qn("w:rFonts"), {})
        rpr.append(fonts)
    fonts.set(qn("w:eastAsia"), name)


def _paragraph(doc, text: str, font=FONT, size=16, bold=False, center=False, indent=True):
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.shared import Pt
    p = doc.add_paragraph()
    if center:
        p.alignment = WD_ALIGN_PARAGRAPH.CENTER
    elif indent:
        p.paragraph_format.first_line_indent = Pt(size * 2)
    _set_font(p.add_run(text), font, size, bold)
    return p


def _table(doc, rep: Report, lay: SheetLayout):
    """Draw a sheet layout (without its title row) as a Word table with its merges."""
    from docx.enum.table import WD_TABLE_ALIGNMENT
    from openpyxl.utils.cell import coordinate_from_string, column_index_from_string, range_boundaries
    cells = {}
    for addr, lc in lay.cells.items():
        col, row = coordinate_from_string(addr)
        if row == 1 or lc.role in ("hint", "signoff"):  # sign-off line: printed form only
            continue
        cells[(row, column_index_from_string(col))] = lc
    rows = sorted({r for r, _ in cells})
    first_row = rows[0]
    ncols = lay.max_col
    table = doc.add_table(rows=rows[-1] - first_row + 1, cols=ncols)
    table.style = "Table Grid"
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.shared import Cm
    from openpyxl.utils import get_column_letter
    widths = [lay.col_widths.get(get_column_letter(c), 9) for c in range(1, ncols + 1)]
    scale = 16.6 / sum(widths)
    table.autofit = False
    for i, col in enumerate(table.columns):
        col.width = Cm(widths[i] * scale)
    for row in table.rows:
        for i, cell in enumerate(row.cells):
            cell.width = Cm(widths[i] * scale)
    for (r, c), lc in cells.items():
        if c > ncols:
            continue
        cell = table.cell(r - first_row, c - 1)
        cell.text = ""
        para = cell.paragraphs[0]
        if lc.role in ("header", "input", "total") or lc.cell_id:
            para.alignment = WD_ALIGN_PARAGRAPH.CENTER
        _set_font(para.add_run(_cell_text(rep, lc)), FONT, 9, bold=lc.role == "header")
    for rng in lay.merges:
        min_col, min_row, max_col, max_row = range_boundaries(rng)
        if min_row == 1 or min_row > rows[-1]:  # title row; the printed form's sign-off line
            continue
        a = table.cell(min_row - first_row, min_col - 1)
        b = table.cell(max_row - first_row, max_col - 1)
        text = a.text
        merged = a.merge(b)
        # merge() concatenates paragraphs of the merged cells; keep the first text only.
        for p in merged.paragraphs[1:]:
            p._element.getparent().remove(p._element)
        if merged.text != text:
            merged.paragraphs[0].text = ""
            _set_font(merged.paragraphs[0].add_run(text), FONT, 9)
        if cells.get((min_row, min_col)) is not None and cells[(min_row, min_col)].role == "header":
            merged.paragraphs[0].alignment = WD_ALIGN_PARAGRAPH.CENTER
    return table


def narrative_findings(result) -> list:
    """Findings of the narrative checks (正文 against the tables) of a CheckResult: the
    published text must not contradict its own tables, so ``export`` shows them first."""
    from ..spec.catalogue import RULES
    rules = {r.id for r in RULES if any(c.startswith("narrative") for c in r.checks)}
    return [f for f in result.findings if f.rule in rules]


def export_docx(path: str | Path, output: str | Path, force: bool = False) -> Path:
    """Write the published report of the workbook at ``path`` to ``output``."""
    from docx import Document
    from docx.shared import Cm
    rep = read_report(path)
    doc = Document()
    for section in doc.sections:
        section.page_height, section.page_width = Cm(29.7), Cm(21.0)
        section.left_margin = section.right_margin = Cm(2.2)
    year = rep.year or ""
    _paragraph(doc, f"{rep.unit}{year}年政府信息公开工作年度报告", TITLE_FONT, 22, center=True)
    texts = {"overview": rep.texts.get("overview", ""), "problems": rep.texts.get("problems", ""),
             "other": rep.texts.get("other", "")}
    tables = {1: "t2", 2: "t3", 3: "t4"}
    text_keys = {0: "overview", 4: "problems", 5: "other"}
    for n, title in enumerate(E.SECTION_TITLES):
        _paragraph(doc, title, HEADING_FONT, 16, indent=True)
        if n in tables:
            _table(doc, rep, rep.spec.layout(tables[n]))
        else:
            for para in (texts[text_keys[n]] or "无。").split("\n"):
                if para.strip():
                    _paragraph(doc, para.strip())
    with atomic_output(output, force=force) as tmp:
        doc.save(str(tmp))
    return Path(output)
