"""Import a published report (Word ``.docx`` or flattened text) into the template.

Offices have years of reports as Word files and web pages.  This reads the
six sections and the three tables out of such a document, driven by the
spec: table rows are matched to the official rows by label where a label
is present and by position inside the official row order where it is not
(flattened copies lose labels of row-spanned cells), and the edition is
recognised from the table-二 headers and the number of table-三 rows.

The document is first turned into a neutral list of blocks — paragraphs
and tables (rows of cell texts) — by one small adapter per format.
"""

from __future__ import annotations

import re
import unicodedata
import zipfile
from dataclasses import dataclass, field
from pathlib import Path

from ..errors import XxgkError
from ..engine.report import parse_number
from ..spec import data as E
from ..spec import edition_for_year, get_edition

W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"


@dataclass
class Table:
    rows: list  # list[list[str]]


@dataclass
class Imported:
    """What was recognised in a document."""

    edition: str
    values: dict = field(default_factory=dict)  # input cell id -> number / None (blank)
    raw: dict = field(default_factory=dict)  # input cell id -> text as found
    info: dict = field(default_factory=dict)
    texts: dict = field(default_factory=dict)
    notes: list = field(default_factory=list)  # Chinese remarks for the user


def _clean(text: str) -> str:
    return unicodedata.normalize("NFKC", text or "").replace("\u3000", " ").strip()


def _key(label: str) -> str:
    """Comparison key for labels: width-folded, no spaces or line breaks."""
    return re.sub(r"\s+", "", _clean(label))


# -- format adapters -----------------------------------------------------------------


def blocks_from_text(text: str) -> list:
    """Flattened text: table cells are lines starting with a tab, rows end at a blank line."""
    blocks: list = []
    current: list | None = None
    row: list | None = None
    for line in text.replace("\r\n", "\n").split("\n"):
        if line.startswith("\t"):
            if current is None:
                current = []
                blocks.append(Table(current))
            if row is None:
                row = []
                current.append(row)
            row.append(line[1:])
        elif line.strip() == "":
            row = None
            if current is not None and blocks and isinstance(blocks[-1], Table) and not line:
                pass
        else:
            if row is not None and row:  # a line break inside a cell
                row[-1] += "\n" + line
                continue
            current = None
            row = None
            blocks.append(line)
    # Tables separated only by blank lines stay one table; a paragraph ends a table.
    return blocks


def blocks_from_docx(path: Path) -> list:
    from defusedxml.ElementTree import fromstring
    try:
        with zipfile.ZipFile(path) as zf:
            info = zf.getinfo("word/document.xml")
            if info.file_size > 50 * 1024 * 1024:
                raise XxgkError(f"{path}：文档过大，无法导入")
            root = fromstring(zf.read(info))
    except (zipfile.BadZipFile, KeyError):
        raise XxgkError(f"{path}：不是有效的 Word（.docx）文件") from None
    body = root.find(W + "body")
    blocks: list = []

    def para_text(p):
        return "".join(t.text or "" for t in p.iter(W + "t"))

    for el in body if body is not None else []:
        if el.tag == W + "p":
            blocks.append(para_text(el))
        elif el.tag == W + "tbl":
            rows = []
            for tr in el.iter(W + "tr"):
                cells = []
                for tc in tr.findall(W + "tc"):
                    cells.append("\n".join(para_text(p) for p in tc.findall(W + "p")))
                rows.append(cells)
            blocks.append(Table(rows))
    return blocks


def blocks_from_xlsx(path: Path) -> list:
    """Any workbook laid out like the official tables (an office's own Excel version, an
    older or damaged template): each sheet's rows in order; a row holding one text
    cell is a paragraph, other rows are table rows.  Read with the guarded reader."""
    from openpyxl.utils.cell import coordinate_from_string, column_index_from_string
    from ..errors import UnreadableWorkbook
    from ..xlsx.reader import read_workbook
    try:
        book = read_workbook(path)
    except UnreadableWorkbook as exc:
        raise XxgkError(str(exc)) from None
    blocks: list = []
    for name in book.sheet_names:
        sheet = book.sheets.get(name)
        if sheet is None or book.sheet_states.get(name) != "visible":
            continue
        grid: dict = {}
        for addr, cell in sheet.cells.items():
            if cell.value is None or cell.value == "":
                continue
            col, row = coordinate_from_string(addr)
            grid.setdefault(row, {})[column_index_from_string(col)] = cell.value
        if not grid:
            continue
        width = max(max(cols) for cols in grid.values())
        table = None
        for r in sorted(grid):
            cells = grid[r]
            if len(cells) == 1 and 1 in cells and isinstance(cells[1], str):
                blocks.append(next(iter(cells.values())))
                table = None
                continue
            if table is None:
                table = Table([])
                blocks.append(table)
            table.rows.append(["" if cells.get(c) is None else
                               (_fmt_number(cells[c]) if not isinstance(cells[c], str) else cells[c])
                               for c in range(1, width + 1)])
    return blocks


def _fmt_number(v) -> str:
    if isinstance(v, bool):
        return str(v)
    if isinstance(v, float) and v.is_integer():
        return str(int(v))
    return str(v)


def read_blocks(path: str | Path) -> list:
    path = Path(path)
    if path.suffix.lower() in (".xlsx", ".xlsm"):
        return blocks_from_xlsx(path)
    data = path.read_bytes()[:4]
    if data[:2] == b"PK":
        return blocks_from_docx(path)
    for enc in ("utf-8-sig", "gb18030"):
        try:
            return blocks_from_text(path.read_text(encoding=enc))
        except UnicodeDecodeError:
            continue
    raise XxgkError(f"{path}：无法识别文件编码（支持 UTF-8、GBK 文本和 .docx）")


# -- recognising the report ------------------------------------------------------------


def _sections(blocks: list) -> dict:
    """Section title index -> (start, end) block indices."""
    titles = [_key(t) for t in E.SECTION_TITLES]
    found = {}
    for i, b in enumerate(blocks):
        if isinstance(b, str):
            k = _key(b)
            for n, t in enumerate(titles):
                if k.startswith(t) and n not in found:
                    found[n] = i
    order = sorted(found.items(), key=lambda kv: kv[1])
    spans = {}
    for j, (n, start) in enumerate(order):
        end = order[j + 1][1] if j + 1 < len(order) else len(blocks)
        spans[n] = (start, end)
    return spans


def _tables_in(blocks, span) -> list:
    return [b for b in blocks[span[0]:span[1]] if isinstance(b, Table)] if span else []


def _values_of(row: list, n: int) -> list:
    """The last ``n`` value cells of a row (ignoring trailing empty cells and a trailing
    remark outside the table, such as a unit note beside the grid)."""
    cells = [c for c in row]
    while len(cells) > n and (_clean(cells[-1]) == "" or
                              (_is_label(cells[-1]) and len(_clean(cells[-1])) > 6)):
        cells.pop()
    return cells[-n:] if len(cells) >= n else cells + [""] * (n - len(cells))


def _is_label(cell: str) -> bool:
    c = _clean(cell)
    return bool(c) and parse_number(c, "amount")[1] == "invalid"


def _edition_markers() -> dict:
    """Table-二 labels printed in one edition only (e.g. 本年制发件数 vs 本年新制作数量)."""
    labels = {ed: {_key(label) for b in blocks for _, label, _, _ in b["cols"]}
              | {_key(label) for b in blocks for _, label in b["rows"]}
              for ed, blocks in E.T2_BLOCKS.items()}
    return {ed: own - set().union(*(v for o, v in labels.items() if o != ed))
            for ed, own in labels.items()}


def _detect_edition(blocks, spans) -> str:
    """The edition whose own table-二 labels the document prints (most of them)."""
    cells = {_key(c) for t in _tables_in(blocks, spans.get(1)) for r in t.rows for c in r}
    scores = {ed: len(markers & cells) for ed, markers in _edition_markers().items()}
    best = max(scores, key=scores.get)
    return best if scores[best] else ""


def _year_and_unit(blocks) -> tuple:
    """(year, unit) from the report's title, e.g. ``某某镇2020年政府信息公开工作年度报告``."""
    texts = []
    for b in blocks[:40]:
        if isinstance(b, Table):
            texts += ["".join(c.split()) for r in b.rows for c in r]
        else:
            texts.append("".join(b.split()))
    candidates = []
    for text in texts + ["".join(texts)]:
        for m in re.finditer(r"([\u4e00-\u9fff（）()]{2,30}?)(\d{4})年(?:度)?政府信息公开", text):
            if not re.search(r"关于|报送|印发", m.group(1)):
                candidates.append((int(m.group(2)), m.group(1)))
    return candidates[0] if candidates else (None, "")


def _unit_type(name: str) -> str:
    if name.endswith("街道") or "街道办事处" in name:
        return "街道"
    if re.search(r"(镇|乡)(人民政府)?$", name):
        return "乡镇"
    if re.search(r"[区县市](人民政府)?$", name):
        return "县级人民政府"
    if re.search(r"(局|委员会|委|办公室|办|中心|院)$", name):
        return "县级政府部门"
    return ""


def _put(imp: Imported, cid: str, cell_text: str, typ: str) -> None:
    text = _clean(cell_text)
    imp.raw[cid] = text
    if text in ("", "/", "—", "-", "无"):
        imp.values[cid] = 0 if text else None
        return
    value, status, _ = parse_number(text, typ)
    imp.values[cid] = value if status != "invalid" else text


def _canonical(label_key: str, edition: str) -> str:
    """The official label for a variant spelling (FORMAT.md §5.4), else the label itself."""
    variants = {_key(k): v for k, v in E.LABEL_VARIANTS.items()}
    variants.update({_key(k): v for k, v in E.EDITION_ROW_VARIANTS.get(edition, {}).items()})
    return variants.get(label_key, label_key)


def _table2(imp: Imported, tables: list, ed) -> None:
    rows = [r for t in tables for r in t.rows]
    by_label = {}
    for r in rows:
        labels = [c for c in r if _is_label(c)]
        if labels:
            found = _key(labels[0])
            canonical = _canonical(found, ed.key)
            if canonical != found:
                imp.notes.append(f"表二：栏目“{_clean(labels[0])}”为非标准写法，已按“{canonical}”识别")
            by_label.setdefault(_key(canonical), r)
    for block in E.T2_BLOCKS[ed.key]:
        ncols = len(block["cols"])
        for rkey, rlabel in block["rows"]:
            row = by_label.get(_key(rlabel))
            if row is None:
                imp.notes.append(f"表二：没有找到“{rlabel}”行，按空白处理")
                continue
            vals = [c for c in row[1:]]
            vals = _values_of(vals, ncols)
            for (ckey, _, ctyp, _), cell in zip(block["cols"], vals):
                _put(imp, f"t2.{rkey}.{ckey}", cell, ctyp)


def _table3(imp: Imported, tables: list, ed) -> None:
    expected = [c.row for c in ed.cells if c.table == "t3" and c.col == "natural"]
    labels = {c.row: c for c in ed.cells if c.table == "t3" and c.col == "natural"}
    ncols = len(E.T3_COLS)
    official_rows = {_key(_leaf_label(ed, k)) for k in expected}
    data_rows = []
    for t in tables:
        for r in t.rows:
            vals = _values_of(r, ncols)
            numericish = [v for v in vals if _clean(v) and not _is_label(v)]
            labelled = any(_key(_canonical(_key(c), ed.key)) in official_rows
                           for c in r if _is_label(c))
            if numericish or labelled or (len(r) >= ncols and not any(_is_label(v) for v in vals)):
                data_rows.append(r)
    columns = _t3_columns(tables)
    if len(data_rows) != len(expected):
        imp.notes.append(f"表三：识别到 {len(data_rows)} 个数据行，{ed.key} 版应有 {len(expected)} 行，"
                         "请核对导入结果")
    for row_key, r in zip(expected, data_rows):
        label_cells = [_key(_canonical(_key(c), ed.key)) for c in r if _is_label(c)]
        official = _key(_leaf_label(ed, row_key))
        if label_cells and official not in label_cells:
            imp.notes.append(f"表三：第 {expected.index(row_key) + 1} 个数据行的栏目为“{label_cells[-1]}”，"
                             f"按位置对应到“{labels[row_key].row_label}”")
        elif not label_cells:
            imp.notes.append(f"表三：有一行缺少栏目名称，按位置识别为“{labels[row_key].row_label}”")
        cells = [r[i] if i < len(r) else "" for i in columns] if columns else _values_of(r, ncols)
        for (ckey, _), cell in zip(E.T3_COLS, cells):
            cid = f"t3.{row_key}.{ckey}"
            if ed.by_id[cid].kind == "input":
                _put(imp, cid, cell, "count")


def _t3_columns(tables: list) -> list | None:
    """Positions of the seven applicant columns, read from the header rows — when the
    table is a full grid (a workbook) whose header cells sit above their columns."""
    wanted = [_key(label) for _, label in E.T3_COLS]
    found: dict = {}
    for t in tables:
        for r in t.rows[:6]:
            for i, c in enumerate(r):
                k = _key(c)
                if k in wanted and k not in found:
                    found[k] = i
    if len(found) != len(wanted):
        return None
    positions = [found[k] for k in wanted]
    widths = {len(r) for t in tables for r in t.rows}
    if positions != sorted(positions) or len(widths) != 1 or max(positions) >= widths.pop():
        return None  # flattened copy: header cells do not line up with the data
    return positions


def _leaf_label(ed, row_key: str) -> str:
    return ed.by_id[f"t3.{row_key}.natural"].labels[-2]


def _table4(imp: Imported, tables: list, ed) -> None:
    n = len(E.T4_GROUPS) * len(E.T4_LEAVES)
    for t in tables:
        for r in t.rows:
            if len(r) >= n and not any(_is_label(c) for c in r):
                for c, cell in zip([c for c in ed.cells if c.table == "t4"], r[:n]):
                    if c.kind == "input":
                        _put(imp, c.id, cell, "count")
                return
    imp.notes.append("表四：没有找到数据行，按空白处理")


def _info_rows(blocks: list) -> dict:
    """Unit details laid out as ``label | value`` rows (a cover sheet, a form)."""
    labels = {_key(label): (key, typ) for key, label, typ, _ in E.INFO_FIELDS}
    out: dict = {}
    for b in blocks:
        if not isinstance(b, Table):
            continue
        for r in b.rows:
            cells = [c for c in r if _clean(c)]
            if len(cells) == 2 and _key(cells[0]) in labels:
                key, typ = labels[_key(cells[0])]
                value = _clean(cells[1])
                if typ == "year":
                    number, status, _ = parse_number(value, "count")
                    value = number if status in ("ok", "text") and isinstance(number, int) else None
                out.setdefault(key, value)
    return out


def import_document(path: str | Path, unit: str = "", county: str = "", unit_type: str = "",
                    year: int | None = None) -> Imported:
    """Recognise the report in ``path`` (.docx or text)."""
    blocks = read_blocks(path)
    spans = _sections(blocks)
    missing = [E.SECTION_TITLES[n] for n in range(6) if n not in spans]
    if len(missing) > 3:
        raise XxgkError(f"{path}：没有找到年度报告的章节标题（如“{E.SECTION_TITLES[2]}”），无法导入")
    found_year, found_unit = _year_and_unit(blocks)
    year = year or found_year
    edition = _detect_edition(blocks, spans) or (edition_for_year(year) if year else "2021")
    ed = get_edition(edition)
    imp = Imported(edition=edition)
    if missing:
        imp.notes.append("没有找到章节：" + "、".join(missing))
    if year and edition_for_year(year) != edition:
        imp.notes.append(f"报告年度 {year} 与表格版本 {edition} 不一致，按表格识别为 {edition} 版")
    _table2(imp, _tables_in(blocks, spans.get(1)), ed)
    _table3(imp, _tables_in(blocks, spans.get(2)), ed)
    _table4(imp, _tables_in(blocks, spans.get(3)), ed)
    for n, key in ((0, "overview"), (4, "problems"), (5, "other")):
        if n in spans:
            s, e = spans[n]
            hints = {_key(h) for _, _, h in E.TEXT_SECTIONS}
            paras = [b.strip() for b in blocks[s + 1:e]
                     if isinstance(b, str) and b.strip() and _key(b) not in hints]
            imp.texts[key] = "\n".join(paras)
    found_info = _info_rows(blocks)
    found_unit = found_info.get("unit_name") or found_unit
    year = year or (found_info.get("year") if isinstance(found_info.get("year"), int) else None)
    name = unit or found_unit
    imp.info = {**{k: v for k, v in found_info.items() if v not in (None, "")},
                "unit_name": name,
                "unit_type": unit_type or found_info.get("unit_type") or _unit_type(name),
                "county": county or found_info.get("county") or "", "year": year}
    return imp


def import_to_workbook(path: str | Path, output: str | Path, force: bool = False, **kw) -> Imported:
    """Import ``path`` and write a filled template to ``output`` (atomically)."""
    from ..xlsx.template import write_filled_workbook
    from ..atomic import OutputExistsError
    imp = import_document(path, **kw)
    output = Path(output)
    if output.exists() and not force:
        raise OutputExistsError(f"输出文件已存在：{output}（如需覆盖请加 --force）")
    values = {k: v for k, v in imp.values.items() if v is not None and not isinstance(v, str)}
    overrides = {k: v for k, v in imp.values.items() if isinstance(v, str)}
    info = {k: v for k, v in imp.info.items() if v not in (None, "")}
    write_filled_workbook(output, imp.edition, values, info, imp.texts, overrides=overrides,
                          text_overrides=True)
    return imp
