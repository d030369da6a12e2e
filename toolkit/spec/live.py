"""Live checks and print furniture, compiled from the same spec as everything else.

``add_live_checks(edition)`` adds to the edition's layouts:

* the 校验 sheet: one row per instance of every same-year linear rule
  (``Edition.rules``) with its two sides as ``SUM`` formulas and a status
  formula (通过 / 不符 / 请核实 / 未判断), plus one row per table for the
  cell-type rules (T2-4, T3-4, T4-4: text, negative or fractional entries);
  a hidden mirror grid holds one "bad entry" flag per numeric input cell;
* conditional formats lighting the cells of a failing rule instance and the
  bad entries while the clerk types;
* a status line on the cover and, with unit and year, at the top of each
  table (a repeated print title row), a sign-off line under each table,
  headers/footers with page numbers and the input-fill legend on the cover.

(A print copy of the 正文 sections split over rows with MID formulas was
tried and dropped: neither LibreOffice nor Excel grows a row to fit a
formula's result, so the rows overlap.  The 正文 is instead one paragraph
per input cell: toolkit.spec.paragraphs.)

Only SUM, IF, ABS, OR, COUNTIF, ISNUMBER, LEN, TRIM, INT, FIND and CHAR
are used: no volatile functions, no arrays, no macros.  Everything here
is layout data (cells, merges, formulas), so it is part of the template's
fingerprint and the reader treats a changed formula as tamper.
"""

from __future__ import annotations

import re
from functools import lru_cache

# Not openpyxl.utils: it imports all of openpyxl and numpy, and the spec is on the
# start-up path of ``xxgk check`` and the Excel button (tests/test_startup.py).
from ..xlsx.cellref import col_index as column_index_from_string
from ..xlsx.cellref import col_letters as get_column_letter
from ..xlsx.cellref import coordinate_from_string

from . import editions as E
from .sheet import SheetLayout

CHECK_SHEET = E.SHEETS["checks"]
PASS, FAIL, VERIFY, UNDECIDED = "通过", "不符", "请核实", "未判断"
FAIL_STATUS = {"error": FAIL, "verify": VERIFY, "hint": VERIFY}
EPS = "0.000001"  # toolkit.engine.rules.EPS
# Cell-type rules checked live: table -> rule id (spec OTHER_RULES, check "cell_type").
TYPE_RULES = {"t2": "T2-4", "t3": "T3-4", "t4": "T4-4"}
TABLE_NAMES = {"t2": "表二（主动公开）", "t3": "表三（依申请公开）", "t4": "表四（复议诉讼）"}
# Named checks whose job the live type rows do (text or bad numbers in number cells).
LIVE_NAMED_CHECKS = ("cell_type", "numeric_text", "not_a_number")

# Mirror grid of per-cell "bad entry" flags on the 校验 sheet (hidden columns).
MIRROR_COL_OFFSET = 30
MIRROR_ROW_BASE = {"t2": 100, "t3": 140, "t4": 180}
FIRST_CHECK_ROW = 5
COLS = ("序号", "规则", "检查内容", "左边", "右边", "结果")

FOOTER = "&C第 &P 页 共 &N 页"
HEADER = "&L政府信息公开工作年度报告&R&A"


def q(sheet: str) -> str:
    """A sheet name as a formula prefix, quoted only when it must be (as Excel and
    LibreOffice write it back: ``封面!B12``, ``'二、主动公开'!B4``)."""
    if re.fullmatch(r"[^\W\d]\w*", sheet):
        return sheet + "!"
    return "'" + sheet.replace("'", "''") + "'!"


@lru_cache(maxsize=8192)
def _rc(addr: str) -> tuple[int, int]:
    col, row = coordinate_from_string(addr)
    return row, column_index_from_string(col)


def _addr(row: int, col: int) -> str:
    return f"{get_column_letter(col)}{row}"


def compress(addrs) -> list[str]:
    """Addresses as few ranges as possible (vertical or horizontal runs)."""
    cells = sorted({_rc(a) for a in addrs})
    best = None
    for vertical in (True, False):
        key = (lambda rc: (rc[1], rc[0])) if vertical else (lambda rc: rc)
        runs = []
        for r, c in sorted(cells, key=key):
            if runs:
                (r0, c0), (r1, c1) = runs[-1]
                if vertical and c == c1 and r == r1 + 1:
                    runs[-1] = ((r0, c0), (r, c))
                    continue
                if not vertical and r == r1 and c == c1 + 1:
                    runs[-1] = ((r0, c0), (r, c))
                    continue
            runs.append(((r, c), (r, c)))
        if best is None or len(runs) < len(best):
            best = runs
    return [_addr(*a) if a == b else f"{_addr(*a)}:{_addr(*b)}" for a, b in best]


def _sum(cells: list, by_id: dict, sign: int) -> str:
    addrs = [by_id[t.cell].address for t in cells if t.sign == sign]
    if not addrs:
        return ""
    sheet = by_id[cells[0].cell].sheet
    return "SUM(" + ",".join(q(sheet) + r for r in compress(addrs)) + ")"


def side_formula(terms: tuple, by_id: dict) -> str:
    plus, minus = _sum(terms, by_id, 1), _sum(terms, by_id, -1)
    if plus and minus:
        return f"={plus}-{minus}"
    return f"={plus}" if plus else f"=-{minus}"


def leaves(cell_id: str, formulas: dict) -> list:
    """Input cells a cell is computed from (itself for an input)."""
    if cell_id in formulas:
        out = []
        for i in formulas[cell_id]:
            out.extend(leaves(i, formulas))
        return out
    return [cell_id]


def mirror(cell) -> str:
    r, c = _rc(cell.address)
    return _addr(MIRROR_ROW_BASE[cell.table] + r, MIRROR_COL_OFFSET + c)


def bad_entry_formula(cell) -> str:
    """1 when a number cell holds text, or a number its type forbids; else 0."""
    x = q(cell.sheet) + cell.address
    if cell.type == "count":
        bad_number = f"OR({x}<0,{x}<>INT({x}))"
    elif cell.type == "signed":
        bad_number = f"{x}<>INT({x})"
    else:  # amount
        bad_number = f"{x}<0"
    return f"=IF(ISNUMBER({x}),IF({bad_number},1,0),IF(LEN(TRIM({x}))>0,1,0))"


def status_formula(rule, row: int) -> str:
    d, e = f"D{row}", f"E{row}"
    test = {"=": f"ABS({d}-{e})<={EPS}", "<=": f"{d}<={e}+{EPS}", ">=": f"{d}>={e}-{EPS}"}[rule.op]
    return f'=IF(G{row}>0,"{UNDECIDED}",IF({test},"{PASS}","{FAIL_STATUS[rule.severity]}"))'


def status_text(rng: str, prefix: str, where: str) -> str:
    """Formula: "<prefix>全部通过" or "<prefix>有 2 处不符、1 处请核实，见 校验 页"."""
    err = f'COUNTIF({rng},"{FAIL}")'
    ver = f'COUNTIF({rng},"{VERIFY}")'
    return (f'="{prefix}"&IF({err}+{ver}=0,"全部通过",'
            f'IF({err}>0,"有 "&{err}&" 处不符"&IF({ver}>0,"、",""),"有 ")'
            f'&IF({ver}>0,{ver}&" 处请核实","")&"，{where}")')


# ---------------------------------------------------------------------------


def add_live_checks(ed) -> None:
    lays = {lay.key: lay for lay in ed.layouts}
    checks, table_ranges, last = _check_sheet(ed)  # table_ranges: table -> "$F$5:$F$20"
    ed.layouts.append(checks)
    all_rng = f"{q(CHECK_SHEET)}$F${FIRST_CHECK_ROW}:$F${last}"
    _cover(ed, lays["cover"], all_rng)
    for key in ("t2", "t3", "t4"):
        _table_top(ed, lays[key], q(CHECK_SHEET) + table_ranges[key])
        _sign_off(ed, lays[key])
        lays[key].header, lays[key].footer = HEADER, FOOTER
    _lighting(ed)
    _fit_t3(lays["t3"])
    for lay in ed.layouts:  # page numbers everywhere; the sheet name names the page
        lay.header, lay.footer = HEADER, FOOTER


def _info(ed, key: str) -> str:
    return q(E.SHEETS["cover"]) + ed.by_id[f"info.{key}"].address


def _copy(ref: str) -> str:
    """A formula showing another cell's text (blank, not 0, while it is empty)."""
    return f'=IF(LEN({ref})=0,"",{ref})'


def _or_blank(ref: str) -> str:
    return f'IF(LEN({ref})=0,"（未填）",{ref})'


def _check_sheet(ed):
    lay = SheetLayout(CHECK_SHEET, "checks")
    lay.col_widths = {"A": 6, "B": 8, "C": 58, "D": 10, "E": 10, "F": 10, "G": 8}
    lay.put(1, 1, "校验：勾稽关系自动核对（随填随算，不需要宏或 Python）", "title")
    lay.merge(1, 1, 1, 6)
    lay.row_heights[1] = 28
    lay.put(3, 1, "说明：每行一处勾稽关系，“结果”由公式自动计算。“不符”“请核实”的单元格在各表中标红或标黄；"
                  "“未判断”表示所涉单元格中有文字、负数或小数（见各表第一行“数字格式”）。本页和各表的结果"
                  "与 xxgk check 对同一规则的结论一致。", "note")
    lay.merge(3, 1, 3, 6)
    lay.row_heights[3] = 42
    for i, label in enumerate(COLS):
        lay.put(4, 1 + i, label, "header")
    lay.put(4, 7, "非数字", "header")
    lay.row_heights[4] = 20
    row = FIRST_CHECK_ROW
    n = 0
    ranges = {}
    numeric = [c for c in ed.cells if c.kind == "input" and c.numeric]
    for table in ("t2", "t3", "t4"):
        first = row
        cells = [c for c in numeric if c.table == table]
        # mirror flags
        for c in cells:
            lay.put(*_rc(mirror(c)), bad_entry_formula(c), "mirror")
        box = compress([mirror(c) for c in cells])
        n += 1
        lay.put(row, 1, n, "check")
        lay.put(row, 2, TYPE_RULES[table], "check")
        lay.put(row, 3, f"{TABLE_NAMES[table]}数字格式：{_title(ed, TYPE_RULES[table])}"
                        "（左边为填了文字、负数或小数的单元格个数）", "check_text")
        lay.put(row, 4, "=SUM(" + ",".join(box) + ")", "check")
        lay.put(row, 5, None, "check")
        lay.put(row, 6, f'=IF(D{row}=0,"{PASS}","{FAIL}")', "check")
        lay.put(row, 7, 0, "check")
        lay.row_heights[row] = 30
        ed.live_checks.append((row, TYPE_RULES[table], table))
        row += 1
        for rule in ed.rules:
            first_cell = ed.by_id[rule.lhs[0].cell]
            if first_cell.table != table:
                continue
            n += 1
            operands = [t.cell for t in rule.lhs + rule.rhs]
            flags = sorted({mirror(ed.by_id[l]) for o in operands for l in leaves(o, ed.formulas)})
            lay.put(row, 1, n, "check")
            lay.put(row, 2, rule.id, "check")
            lay.put(row, 3, f"{rule.scope}：{rule.title}", "check_text")
            lay.put(row, 4, side_formula(rule.lhs, ed.by_id), "check")
            lay.put(row, 5, side_formula(rule.rhs, ed.by_id), "check")
            lay.put(row, 6, status_formula(rule, row), "check")
            lay.put(row, 7, "=SUM(" + ",".join(compress(flags)) + ")", "check")
            ed.live_checks.append((row, rule.id, rule.lhs[0].cell))
            lay.row_heights[row] = 30 if len(rule.scope) + len(rule.title) > 30 else 18
            row += 1
        ranges[table] = f"$F${first}:$F${row - 1}"
    last = row - 1
    row += 1
    lay.put(row, 1, "以下检查需要运行完整校验（带宏模板的“校验”按钮，或命令 xxgk check）：", "note")
    lay.merge(row, 1, row, 6)
    row += 1
    seen = set()
    python_only = [(r.id, r.title) for r in ed.cross_year_rules]
    python_only += [(r["id"], r["title"]) for r in ed.other_rules if r["check"] not in LIVE_NAMED_CHECKS]
    for rid, title in python_only:
        if (rid, title) in seen:
            continue
        seen.add((rid, title))
        lay.put(row, 2, rid, "check")
        lay.put(row, 3, title, "check_text")
        lay.merge(row, 3, row, 6)
        lay.row_heights[row] = 18 if len(title) <= 30 else 30
        row += 1
    lay.put(2, 1, status_text(f"$F${FIRST_CHECK_ROW}:$F${last}", "全部勾稽关系：", "详见下表"), "status")
    lay.merge(2, 1, 2, 6)
    lay.row_heights[2] = 22
    lay.max_col = 6
    lay.print_title_rows = "4:4"
    lay.print_area = f"A1:F{row - 1}"
    lay.hidden_cols = ("G",) + tuple(get_column_letter(MIRROR_COL_OFFSET + c) for c in range(1, 16))
    lay.conditional = [
        (f"F{FIRST_CHECK_ROW}:F{last}", f'F{FIRST_CHECK_ROW}="{FAIL}"', "error"),
        (f"F{FIRST_CHECK_ROW}:F{last}", f'F{FIRST_CHECK_ROW}="{VERIFY}"', "verify"),
        (f"F{FIRST_CHECK_ROW}:F{last}", f'F{FIRST_CHECK_ROW}="{UNDECIDED}"', "verify"),
        (f"F{FIRST_CHECK_ROW}:F{last}", f'F{FIRST_CHECK_ROW}="{PASS}"', "pass"),
    ] + _status_colours("A2")
    return lay, ranges, last


def _title(ed, rid: str) -> str:
    return next(r["title"] for r in ed.other_rules if r["id"] == rid)


def _status_colours(addr: str) -> list:
    return [(addr, f'ISNUMBER(FIND("{FAIL}",{addr}))', "error"),
            (addr, f'ISNUMBER(FIND("{VERIFY}",{addr}))', "verify"),
            (addr, f'ISNUMBER(FIND("全部通过",{addr}))', "pass")]


def _cover(ed, lay, all_rng: str) -> None:
    # Row 10 is the blank row between the instructions and the unit details.
    row = 3 + len(E.COVER_INSTRUCTIONS)
    lay.put(row, 1, status_text(all_rng, "自动校验（勾稽关系）：", "见“校验”工作表"), "status")
    lay.merge(row, 1, row, 2)
    lay.row_heights[row] = 24
    lay.conditional += _status_colours(f"A{row}")
    last = max(_rc(a)[0] for a in lay.cells)
    row = last + 2
    lay.put(row, 1, "图例", "header")
    lay.merge(row, 1, row, 2)
    for sample, text in (("legend_input", "浅黄色：填报区，请在这里填写"),
                         ("label", "灰色：栏目名称或自动合计（公式），已锁定"),
                         ("legend_error", "红色：自动校验发现不符（黄色：请核实），改正后自动恢复")):
        row += 1
        lay.put(row, 1, None, sample)
        lay.put(row, 2, text, "note_boxed")
        lay.row_heights[row] = 20
    row += 2
    lay.put(row, 1, "签字", "header")
    lay.merge(row, 1, row, 2)
    for label, value in (("单位负责人", None), ("审核人", None),
                         ("填报人", _copy(_info(ed, "preparer"))),
                         ("联系电话", _copy(_info(ed, "phone"))),
                         ("填报日期", _copy(_info(ed, "date")))):
        row += 1
        lay.put(row, 1, label, "info_label")
        lay.put(row, 2, value, "signoff_line")
        lay.row_heights[row] = 26
    lay.print_area = f"A1:B{row}"


def _table_top(ed, lay, rng: str) -> None:
    """Row 1: the title over the left part, unit / year / live status on the right."""
    split = {"t2": 2, "t3": 6, "t4": 10}[lay.key]
    last = lay.max_col
    lay.merges = [m for m in lay.merges if not m.startswith("A1:")]
    lay.merge(1, 1, 1, split)
    unit, year = _info(ed, "unit_name"), _info(ed, "year")
    formula = (f'="填报单位："&{_or_blank(unit)}&CHAR(10)&"报告年度："&{_or_blank(year)}&CHAR(10)&'
               + status_text(rng, "本表勾稽关系：", "见 校验 页")[1:])
    addr = lay.put(1, split + 1, formula, "status_small")
    lay.merge(1, split + 1, 1, last)
    lay.max_col = last
    lay.row_heights[1] = 44
    if lay.print_title_rows:
        lay.print_title_rows = "1:" + lay.print_title_rows.split(":")[1]
    else:
        lay.print_title_rows = "1:1"
    lay.conditional += _status_colours(addr)


def _sign_off(ed, lay) -> None:
    row = max(_rc(a)[0] for a in lay.cells if _rc(a)[1] <= lay.max_col) + 1
    formula = ('="单位负责人：＿＿＿＿＿　审核人：＿＿＿＿＿　填报人："&' + _info(ed, "preparer")
               + '&"　联系电话："&' + _info(ed, "phone") + '&"　填报日期："&' + _info(ed, "date"))
    lay.put(row, 1, formula, "signoff")
    lay.merge(row, 1, row, lay.max_col)
    lay.row_heights[row] = 20


def _lighting(ed) -> None:
    """Conditional formats on the table sheets (see module docstring)."""
    lays = {lay.key: lay for lay in ed.layouts}
    numeric = [c for c in ed.cells if c.kind == "input" and c.numeric]
    row = FIRST_CHECK_ROW
    for table in ("t2", "t3", "t4"):
        lay = lays[table]
        cells = [c for c in numeric if c.table == table]
        top = min(_rc(c.address)[0] for c in cells)
        left = min(_rc(c.address)[1] for c in cells)
        bottom = max(_rc(c.address)[0] for c in cells)
        right = max(_rc(c.address)[1] for c in cells)
        box = f"{_addr(top, left)}:{_addr(bottom, right)}"
        m = _addr(MIRROR_ROW_BASE[table] + top, MIRROR_COL_OFFSET + left)
        lay.conditional.append((box, f"{q(CHECK_SHEET)}{m}=1", "error"))
        row += 1  # the type row
        for rule in ed.rules:
            if ed.by_id[rule.lhs[0].cell].table != table:
                continue
            addrs = compress([ed.by_id[t.cell].address for t in rule.lhs + rule.rhs])
            status = FAIL_STATUS[rule.severity]
            lay.conditional.append((" ".join(addrs), f'{q(CHECK_SHEET)}$F${row}="{status}"',
                                    "rule_error" if status == FAIL else "rule_verify"))
            row += 1


def _fit_t3(lay) -> None:
    """Table 三 on one landscape A4 page at (nearly) full size."""
    lay.fit_height = 1
    lay.margins = (0.25, 0.25, 0.5, 0.45, 0.25, 0.2)
    # narrower label columns: the page width decides the scale (labels print at >= 9 pt)
    lay.col_widths.update({"A": 16, "B": 14, "C": 26})
    for i in range(len(E.T3_COLS)):
        lay.col_widths[get_column_letter(4 + i)] = 9.5
    per_line = {1: 38, 2: 27, 3: 17}  # 10 pt characters per line from column A / B / C to C
    for addr, lc in lay.cells.items():
        r, c = _rc(addr)
        if r >= 5 and c <= 3 and isinstance(lc.value, str) and lc.role == "label" \
                and not any(m.startswith(addr + ":") and m.split(":")[1][1:] != str(r)
                            for m in lay.merges):  # group labels span rows
            lines = -(-len(lc.value) // per_line[c])
            lay.row_heights[r] = 15 if lines == 1 else 12.5 * lines + 1
    lay.row_heights.update({2: 20, 3: 20, 4: 26})
