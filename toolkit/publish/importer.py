"""Import a published report (web page, PDF, Word, text, a workbook) into the template.

``import_report(path_or_bytes, *, filename=None) -> ImportResult`` is the stable
library entry point (also used by ``xxgk merge`` for reports units send as
documents).  Steps:

1. ``sources.read_document`` turns any format into blocks (paragraphs and tables
   with spans); traditional characters are converted to simplified.
2. ``recognize.tokens_of`` turns the blocks into one stream of cells/lines, each
   with where it was printed; ``recognize`` also holds the label keys.
3. ``identity`` finds the year and unit (title, self-naming sentence, 统计期限
   sentence, signature — never an arbitrary sentence).
4. ``tables`` finds the section titles, the edition (table labels first, else the
   year) and tables 二、三、四 by their labels; keeps printed totals and compares
   them with their printed parts (rule I-1); lists cells never printed; says where
   a cut report stops.  The result is a ``result.ImportResult``.
5. This module: the public functions, the narrative check of the imported report
   (its prose against its tables: ``engine.narrative.check_narrative``, 核实
   findings and the claims), the workbook (with notes on interpreted cells) and
   the command line's unit of work.

Exit status of ``xxgk import`` (``ImportResult.exit_code``): 0 complete, 1 imported
with gaps or findings, 2 nothing usable.
"""

from __future__ import annotations

from pathlib import Path

from ..engine.report import parse_number
from ..errors import XxgkError
from .. import spec as E
from ..spec import get_edition
from .identity import _plausible_unit, unit_type_of, year_and_unit  # noqa: F401  (public)
from .recognize import clean, key
from .result import CellRead, ImportResult, Imported  # noqa: F401  (public)
from .sources import Para, Table, read_document  # noqa: F401  (public)
from .sources.text import blocks_from_text  # noqa: F401  (public)
from .tables import IMPORT_RULE, recognise  # noqa: F401  (public)

# The longest narrative whose figures are checked against the tables (about 1 s); the
# three narrative sections of a real report are a few thousand characters.
NARRATIVE_MAX_CHARS = 100_000

# -- public API -------------------------------------------------------------------------------


def import_report(path_or_bytes, *, filename: str | None = None, unit: str = "",
                  year: int | None = None) -> ImportResult:
    """Recognise the published report in ``path_or_bytes`` (a path, or the bytes of a
    file named ``filename``): .html/.htm, .pdf, .docx, .doc, .txt/.md, .xlsx.

    Raises ``XxgkError`` (Chinese message) when the file cannot be read at all;
    otherwise returns an :class:`ImportResult` whose ``exit_code`` says whether
    it is complete (0), has gaps or findings (1), or holds nothing usable (2)."""
    name = filename or (str(path_or_bytes) if not isinstance(path_or_bytes, (bytes, bytearray)) else "（文档）")
    doc = read_document(path_or_bytes, filename=filename)
    found = {k: v for k, v in _info_rows(doc.blocks).items() if v not in (None, "")}
    unit = unit or found.get("unit_name") or ""
    year = year or (found.get("year") if isinstance(found.get("year"), int) else None)
    res = recognise(doc, name, unit=unit, year=year)
    res.info = {"unit_name": res.unit, "unit_type": found.get("unit_type") or unit_type_of(res.unit),
                "county": "", "year": res.year}
    res.info.update({k: v for k, v in found.items() if k not in res.info or not res.info[k]})
    _check_narrative(res)
    return res


def _check_narrative(res: ImportResult) -> None:
    """The report's prose against its own tables (T3-7, T4-5, T2-9, N-1; 核实).

    The values are the printed input cells (totals are summed from them); a
    total whose printed value disagrees with its printed parts (I-1) is left
    unknown, so the prose is never judged against a figure the report itself
    contradicts.  Cells not printed are unknown: their claims raise nothing.  A
    narrative longer than ``NARRATIVE_MAX_CHARS`` (no real report comes near it) is
    not checked, and the notes say so."""
    from ..engine.narrative import check_narrative
    size = sum(len(t or "") for t in res.texts.values())
    if size > NARRATIVE_MAX_CHARS:
        res.notes.append(f"正文共 {size} 字，超过 {NARRATIVE_MAX_CHARS} 字，未核对正文中的数字与表格是否一致")
        return
    contested = frozenset(f.culprit for f in res.findings if f.rule == IMPORT_RULE and f.culprit)
    res.claims, found = check_narrative(res.texts, _with_totals(res), res.edition, invalid=contested,
                                        year=res.year)
    res.findings += found
    res.notes += [f"{f.severity_label}（{f.rule}）：{f.message}" for f in found]


def _with_totals(res: ImportResult) -> dict:
    """The input values and every total the template computes from them (when all its
    parts are known), as the workbook ``import`` writes would hold them."""
    formulas = get_edition(res.edition).formulas
    values = dict(res.values)

    def total(cid):
        if cid not in values:
            parts = [total(p) if p in formulas else values.get(p) for p in formulas[cid]]
            ok = all(isinstance(v, (int, float)) and not isinstance(v, bool) for v in parts)
            values[cid] = sum(parts) if ok else None
        return values[cid]

    for cid in formulas:
        total(cid)
    return values


def _info_rows(blocks: list) -> dict:
    """Unit details laid out as ``label | value`` rows (a cover sheet, a form)."""
    fields = {key(label): (k, typ) for k, label, typ, _ in E.INFO_FIELDS}
    out: dict = {}
    for b in blocks:
        if not isinstance(b, Table):
            continue
        for r in b.rows:
            cells = [c for c in r if clean(c)]
            if len(cells) == 2 and key(cells[0]) in fields:
                k, typ = fields[key(cells[0])]
                value = clean(cells[1])
                if typ == "year":
                    number, status, _ = parse_number(value, "count")
                    value = number if status in ("ok", "text") and isinstance(number, int) else None
                out.setdefault(k, value)
    return out


def blocks_from_docx(path) -> list:
    from .sources.docx import blocks_from_docx_bytes
    return blocks_from_docx_bytes(Path(path).read_bytes(), str(path))


def import_document(path, unit: str = "", county: str = "", unit_type: str = "",
                    year: int | None = None) -> ImportResult:
    """``import_report`` with the cover details a user may give on the command line."""
    res = import_report(path, unit=unit, year=year)
    if not res.usable:
        raise XxgkError(f"{path}：没有找到年度报告的内容（既没有表二至表四，也没有“{E.SECTION_TITLES[0]}”等章节），"
                        "无法导入")
    res.info["unit_type"] = unit_type or res.info.get("unit_type") or unit_type_of(res.unit)
    res.info["county"] = county or res.info.get("county") or ""
    res.info["unit_name"] = unit or res.info.get("unit_name") or res.unit
    res.info["year"] = year or res.info.get("year") or res.year
    return res


def _comments(res: ImportResult) -> dict:
    """Cell notes for the workbook: cells whose printed text needed interpretation, and the
    I-1 findings on their total.  The narrative findings name no culprit cell, so they are
    no notes (``xxgk check`` finds them again on the workbook)."""
    out = {}
    for cid, c in res.cells.items():
        if c.note and c.status != "not_printed":
            out[cid] = f"导入自：{c.where}，印为“{c.text}”。{c.note}"
    for f in res.findings:
        out[f.culprit] = (out.get(f.culprit, "") + f"\n{f.severity_label}（{f.rule}）：{f.message}").strip()
    return out


def write_workbook(res: ImportResult, output, force: bool = False):
    from ..atomic import OutputExistsError, atomic_output
    from ..xlsx.template import write_filled_workbook
    output = Path(output)
    if output.exists() and not force:
        raise OutputExistsError(f"输出文件已存在：{output}（如需覆盖请加 --force）")
    values = {k: v for k, v in res.values.items() if v is not None and not isinstance(v, str)}
    overrides = {k: v for k, v in res.values.items() if isinstance(v, str)}
    info = {k: v for k, v in res.info.items() if v not in (None, "")}
    write_filled_workbook(output, res.edition, values, info, res.texts, overrides=overrides,
                          text_overrides=True)
    notes = _comments(res)
    if notes:
        import openpyxl
        from openpyxl.comments import Comment
        ed = get_edition(res.edition)
        wb = openpyxl.load_workbook(output)
        for cid, text in notes.items():
            c = ed.by_id.get(cid)
            if c is not None:
                comment = Comment(text[:2000], "xxgk导入")
                comment.width, comment.height = 300, 120
                wb[c.sheet][c.address].comment = comment
        with atomic_output(output) as tmp:
            wb.save(tmp)
    return output


def import_to_workbook(path, output, force: bool = False, **kw) -> ImportResult:
    """Import ``path`` and write a filled template to ``output`` (atomically)."""
    from ..atomic import OutputExistsError
    if Path(output).exists() and not force:
        raise OutputExistsError(f"输出文件已存在：{output}（如需覆盖请加 --force）")
    res = import_document(path, **kw)
    write_workbook(res, output, force=force)
    return res


# -- the command line's unit of work -----------------------------------------------------------

IMPORTABLE = (".html", ".htm", ".shtml", ".xhtml", ".pdf", ".docx", ".doc", ".txt", ".md", ".xlsx", ".xlsm")


def import_folder_items(folder) -> list:
    """The files of ``folder`` that ``import`` reads, in name order (no recursion, no hidden files)."""
    return sorted(p for p in Path(folder).iterdir()
                  if p.is_file() and p.suffix.lower() in IMPORTABLE and not p.name.startswith((".", "~$")))


def import_one(path, output=None, force: bool = False, verbose: bool = False, **kw) -> tuple:
    """Import one file: (exit code, one Chinese line — with notes when ``verbose``, JSON dict)."""
    from ..atomic import OutputExistsError
    path = Path(path)
    try:
        if output is not None and Path(output).exists() and not force:
            raise OutputExistsError(f"输出文件已存在：{output}（如需覆盖请加 --force）")
        if output is not None and Path(output).resolve() == path.resolve():
            raise XxgkError(f"{output}：输出文件不能与输入文件相同")
        res = import_report(path, unit=kw.get("unit", ""), year=kw.get("year"))
    except (XxgkError, OutputExistsError) as exc:
        return 2, f"{path.name}：错误：{exc}", {"source": str(path), "error": str(exc), "exit_code": 2}
    res.info["unit_type"] = kw.get("unit_type") or res.info.get("unit_type") or unit_type_of(res.unit)
    res.info["county"] = kw.get("county") or res.info.get("county") or ""
    data = res.to_dict()
    if not res.usable:
        return 2, f"{path.name}：没有找到年度报告的内容（既没有表格，也没有正文章节），未导入", data
    n = sum(1 for c in res.cells.values() if c.status in ("printed", "none"))
    blank = sum(1 for c in res.cells.values() if c.status == "blank")
    state = {0: "完整", 1: "有缺漏或问题，请核对", 2: "无可用内容"}[res.exit_code]
    line = (f"{path.name}：{res.unit or '（未识别单位名称）'} {res.year or '（未识别年度）'} 年度报告"
            f"（{res.edition} 版），读到 {n} 个数值" + (f"、{blank} 个空白格" if blank else "") + f"，{state}")
    if output is not None:
        try:
            write_workbook(res, output, force=force)
        except (XxgkError, OSError) as exc:
            return 2, f"{path.name}：错误：无法写入 {output}（{exc}）", data
        line += f" → {output}"
    if verbose:
        line += "".join(f"\n  注意：{note}" for note in res.notes)
        if output is not None:
            line += "\n请打开文件补全封面信息，然后运行 xxgk check 校验。"
    data["output"] = str(output) if output is not None else None
    return res.exit_code, line, data
