"""The register of requests (依申请公开登记台账) → table 三.

A register is a workbook with one row per request for information:
收到日期, 申请人类型, 办理结果, 办结日期 (plus free columns for the
number, a summary and remarks).  ``count_table3`` turns the requests into
the exact table-三 inputs of a report year:

* 一、本年新收 — requests received in the year;
* 二、上年结转 — requests received before the year and still open on 1 January;
* 三、本年度办理结果 — requests concluded in the year, by result;
* 四、结转下年度继续办理 — requests received by 31 December and still open then.

Applicant types and result items come from the spec (``toolkit.spec``), so
a register works for either edition; a result of the other edition is
reported when it would be counted.  Every bad row is reported by its row
number and nothing is counted until the register is clean.

``build_register_template`` makes the empty register a clerk fills: the
columns, dropdowns (the long result list lives on a hidden sheet), date
validation and a 说明 sheet.
"""

from __future__ import annotations

import math
import re
import unicodedata
import zipfile
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from pathlib import Path

from ..atomic import atomic_output
from ..errors import XxgkError
from .. import spec as E
from ..spec import DEFAULT_EDITION, EDITIONS, ResultItem, edition_for_year, get_edition

REGISTER_SHEET = "登记台账"
HELP_SHEET = "说明"
OPTIONS_SHEET = "选项"
RESULTS_NAME = "xxgk_results"  # defined name of the result list (on the hidden sheet)
TEMPLATE_ROWS = 2000  # rows prepared with validations in the register template
EARLIEST = date(2000, 1, 1)
HEADER_SEARCH_ROWS = 20
MAX_PROBLEMS_SHOWN = 60

# (key, header, width, required).  Headers are what the reader looks for.
COLUMNS = [
    ("number", "序号/申请编号", 14, False),
    ("received", "收到日期", 13, True),
    ("applicant", "申请人类型", 14, True),
    ("summary", "申请内容摘要", 40, False),
    ("result", "办理结果", 60, True),
    ("concluded", "办结日期", 13, True),
    ("remark", "备注", 24, False),
]
# The columns whose content makes a row a request (序号 and 备注 alone do not:
# clerks number rows in advance).
_CONTENT_COLS = ("received", "applicant", "summary", "result", "concluded")


# ---------------------------------------------------------------------------
# Applicant types and result items, from the spec
# ---------------------------------------------------------------------------

def applicant_types() -> list[tuple[str, str]]:
    """(column key, label) of the six applicant types of table 三."""
    return [(k, label) for k, label in E.T3_COLS if k != "total"]


def result_items(edition: str) -> list[ResultItem]:
    """The official result items of ``edition`` in table order (not （七）总计)."""
    return list(get_edition(edition).result_items)


def _norm(text: str) -> str:
    """Comparison key: NFKC, no whitespace, ``，``/``,`` treated as ``、``."""
    t = unicodedata.normalize("NFKC", str(text))
    t = re.sub(r"\s+", "", t)
    return t.replace(",", "、")


def _result_lookup() -> dict:
    """Normalised spelling → result row key, over both editions.

    Accepted spellings: the path (``（四）无法提供/1.本机关不掌握相关政府信息``),
    the label (``1.本机关不掌握相关政府信息``), the label without its number,
    and the short form (``（四）1``).  A spelling naming two rows is dropped.
    """
    out: dict = {}
    ambiguous: set = set()
    for ed in reversed(EDITIONS):  # the newest edition's spelling wins
        for item in result_items(ed):
            spellings = {item.path, item.label, item.short, re.sub(r"^\d+\.", "", item.label)}
            for s in spellings:
                k = _norm(s)
                if out.setdefault(k, item.key) != item.key:
                    ambiguous.add(k)
    for k in ambiguous:
        out.pop(k, None)
    return out


def _items_by_key() -> dict:
    """row key → ResultItem (the newest edition's item when several have the key)."""
    out = {}
    for ed in EDITIONS:
        out.update({item.key: item for item in result_items(ed)})
    return out


def applicant_lookup() -> dict:
    out = {}
    for key, label in applicant_types():
        out[_norm(label)] = key
        if key in E.T3_LEGAL_PERSON_COLS:
            out[_norm(f"{E.T3_LEGAL_PERSON_HEADER}/{label}")] = key
    return out


# ---------------------------------------------------------------------------
# Dates
# ---------------------------------------------------------------------------

_DATE_TEXT = re.compile(
    r"^(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?"
    r"(?:\s*\d{1,2}:\d{2}(?::\d{2})?)?$")
_DATE_COMPACT = re.compile(r"^(\d{4})(\d{2})(\d{2})$")


def parse_date(raw, date1904: bool = False) -> date:
    """A register date: an Excel date (serial number) or text like
    ``2021-03-05``, ``2021/3/5``, ``2021.3.5``, ``2021年3月5日`` or ``20210305``.

    Raises ValueError when it is not a date.
    """
    if isinstance(raw, bool) or raw is None:
        raise ValueError(raw)
    if isinstance(raw, datetime):
        return raw.date()
    if isinstance(raw, date):
        return raw
    if isinstance(raw, (int, float)):
        if not math.isfinite(raw):
            raise ValueError(raw)
        if float(raw).is_integer() and 19000101 <= raw <= 29991231:
            return _compact(str(int(raw)))  # 20210305 typed as a number
        if raw < 1 or raw > 2958465:  # Excel's range (up to 9999-12-31)
            raise ValueError(raw)
        base = date(1904, 1, 1) if date1904 else date(1899, 12, 30)
        return base + timedelta(days=int(raw))
    text = unicodedata.normalize("NFKC", str(raw)).strip()
    m = _DATE_TEXT.match(text)
    if m:
        return date(int(m.group(1)), int(m.group(2)), int(m.group(3)))
    if _DATE_COMPACT.match(text):
        return _compact(text)
    raise ValueError(raw)


def _compact(text: str) -> date:
    m = _DATE_COMPACT.match(text)
    return date(int(m.group(1)), int(m.group(2)), int(m.group(3)))


def _fmt_date(d: date) -> str:
    return d.isoformat()


# ---------------------------------------------------------------------------
# Reading
# ---------------------------------------------------------------------------

@dataclass
class Request:
    row: int  # Excel row number
    received: date
    applicant: str  # table-三 column key
    result: ResultItem | None
    concluded: date | None


@dataclass
class Register:
    path: str
    sheet: str
    requests: list = field(default_factory=list)


class RegisterError(XxgkError):
    """A register that cannot be used; ``problems`` are (row, message) pairs."""

    def __init__(self, path, problems: list, sheet: str = ""):
        self.path = str(path)
        self.sheet = sheet
        self.problems = problems
        where = f"登记台账 {self.path}" + (f" 工作表“{sheet}”" if sheet else "")
        lines = [msg for _row, msg in problems[:MAX_PROBLEMS_SHOWN]]
        if len(problems) > MAX_PROBLEMS_SHOWN:
            lines.append(f"……另有 {len(problems) - MAX_PROBLEMS_SHOWN} 处问题未列出")
        if len(problems) == 1 and problems[0][0] is None:
            text = f"{where}：{problems[0][1]}"
        else:
            text = f"{where} 有 {len(problems)} 处问题，请修改后重试（未写出任何文件）：\n" + "\n".join(
                "  " + line for line in lines)
        super().__init__(text)


def _header_key(value) -> str | None:
    if not isinstance(value, str):
        return None
    t = _norm(value).replace("*", "")
    t = re.sub(r"[（(].*?[）)]$", "", t)  # "收到日期（必填）"
    for key, header, _w, _r in COLUMNS:
        if t == _norm(header) or (key == "number" and t in ("序号", "申请编号", "编号")):
            return key
    return None


def _find_header(sheet) -> tuple[int, dict] | None:
    rows: dict = {}
    for addr, cell in sheet.cells.items():
        m = re.match(r"^([A-Z]+)(\d+)$", addr)
        if not m or int(m.group(2)) > HEADER_SEARCH_ROWS:
            continue
        key = _header_key(cell.value)
        if key:
            rows.setdefault(int(m.group(2)), {}).setdefault(key, m.group(1))
    required = {k for k, _h, _w, r in COLUMNS if r}
    for row in sorted(rows):
        if required <= set(rows[row]):
            return row, rows[row]
    return None


def _date1904(path: Path) -> bool:
    try:
        with zipfile.ZipFile(path) as z:
            data = z.read("xl/workbook.xml")[:20000]
    except (KeyError, OSError, zipfile.BadZipFile):
        return False
    return re.search(rb'date1904="(1|true)"', data) is not None


def load_register(path: str | Path, edition: str, year: int,
                  today: date | None = None) -> Register:
    """Read and validate the register at ``path`` for a report of ``year``.

    Raises :class:`RegisterError` listing every bad row (by Excel row number)
    or :class:`~toolkit.errors.UnreadableWorkbook` when the file is not a
    workbook.  The file is only read.
    """
    from ..xlsx.reader import read_workbook

    path = Path(path)
    book = read_workbook(path)
    names = [REGISTER_SHEET] + [n for n in book.sheet_names if n != REGISTER_SHEET]
    found = None
    for name in names:
        sheet = book.sheets.get(name)
        if sheet is None:
            continue
        header = _find_header(sheet)
        if header:
            found = (sheet, header)
            break
    if found is None:
        need = "、".join(f"“{h}”" for _k, h, _w, r in COLUMNS if r)
        raise RegisterError(path, [(None, f"找不到登记表的表头（前 {HEADER_SEARCH_ROWS} 行内应有 {need} 等列），"
                                          "请使用 xxgk register-template 生成的台账模板")])
    sheet, (header_row, cols) = found
    return Register(str(path), sheet.name,
                    _parse_rows(path, sheet, header_row, cols, edition, year, today or date.today(),
                                _date1904(path)))


def _parse_rows(path, sheet, header_row, cols, edition, year, today, date1904) -> list:
    by_row: dict = {}
    col_to_key = {letter: key for key, letter in cols.items()}
    for addr, cell in sheet.cells.items():
        m = re.match(r"^([A-Z]+)(\d+)$", addr)
        if not m or int(m.group(2)) <= header_row or m.group(1) not in col_to_key:
            continue
        value = cell.value if cell.error is None else cell.error
        if isinstance(value, str) and not value.strip():
            continue
        if value is None:
            continue
        by_row.setdefault(int(m.group(2)), {})[col_to_key[m.group(1)]] = value
    types = applicant_lookup()
    results = _result_lookup()
    own = {item.key: item for item in result_items(edition)}
    other = _items_by_key()
    type_list = "、".join(label for _k, label in applicant_types())
    year_start, year_end = date(year, 1, 1), date(year, 12, 31)
    problems, requests = [], []
    for row in sorted(by_row):
        v = by_row[row]
        if not any(k in v for k in _CONTENT_COLS):
            continue
        bad = []

        def when(key, label):
            raw = v.get(key)
            if raw is None:
                return None
            try:
                d = parse_date(raw, date1904)
            except (ValueError, OverflowError):
                bad.append(f"{label}“{_show(raw)}”无法识别为日期（请填写如 {year}-03-05 的日期）")
                return None
            if d < EARLIEST:
                bad.append(f"{label} {_fmt_date(d)} 早于 {EARLIEST.year} 年，请检查")
                return None
            if d > today:
                bad.append(f"{label} {_fmt_date(d)} 晚于今天（{_fmt_date(today)}），请检查")
                return None
            return d

        received = when("received", "收到日期")
        concluded = when("concluded", "办结日期")
        if "received" not in v:
            bad.append("未填写收到日期")
        elif received is not None and received > year_end:
            bad.append(f"收到日期 {_fmt_date(received)} 晚于报告年度（{year}年）末，"
                       "下一年度收到的申请不能计入本年度报告")
        applicant = None
        if "applicant" not in v:
            bad.append("未填写申请人类型")
        else:
            applicant = types.get(_norm(v["applicant"]))
            if applicant is None:
                bad.append(f"申请人类型“{_show(v['applicant'])}”无法识别，应为以下之一：{type_list}")
        result = None
        if "result" in v:
            key = results.get(_norm(v["result"]))
            result = own.get(key) or other.get(key)
            if result is None:
                bad.append(f"办理结果“{_show(v['result'])}”无法识别，请从下拉列表中选择"
                           "（可选项见台账模板的“说明”工作表）")
        if "result" in v and "concluded" not in v:
            bad.append("已填写办理结果，但未填写办结日期")
        if "concluded" in v and "result" not in v:
            bad.append("已填写办结日期，但未填写办理结果（尚未办结的申请请把办结日期留空）")
        if received and concluded and concluded < received:
            bad.append(f"办结日期 {_fmt_date(concluded)} 早于收到日期 {_fmt_date(received)}")
        if (result is not None and result.edition != edition and concluded is not None
                and year_start <= concluded <= year_end):
            bad.append(_other_edition_message(result, edition, year))
        if bad:
            problems.extend((row, f"第 {row} 行：{b}") for b in bad)
            continue
        requests.append(Request(row, received, applicant, result, concluded))
    if problems:
        raise RegisterError(path, problems, sheet.name)
    return requests


def _other_edition_message(item: ResultItem, edition: str, year: int) -> str:
    options = "、".join(f"“{r.path}”" for r in result_items(edition) if r.key.startswith(
        item.key.split("_")[0])) or "本版表格的栏目"
    return (f"办理结果“{item.path}”是 {item.edition} 版表格的栏目，{year} 年度报告使用 {edition} 版表格，"
            f"请改选 {options}")


def _show(raw) -> str:
    text = str(raw)
    return text if len(text) <= 40 else text[:40] + "…"


# ---------------------------------------------------------------------------
# Counting
# ---------------------------------------------------------------------------

def count_table3(requests: list, edition: str, year: int) -> dict:
    """Table-三 input cells (cell id → count) from validated requests.

    Every party column of 一、二、each result row and 四 is present (zeros
    included); totals are the template's formulas and not returned.
    """
    start, end = date(year, 1, 1), date(year, 12, 31)
    rows = ["new", "carried_in"] + [r.key for r in result_items(edition)] + ["carry_forward"]
    out = {f"t3.{r}.{p}": 0 for r in rows for p, _ in applicant_types()}
    for q in requests:
        p = q.applicant
        if q.received > end:
            continue  # refused by load_register; kept for callers that build requests
        if q.concluded is not None and q.concluded < start:
            continue  # concluded before the year: not part of this report
        if q.received >= start:
            out[f"t3.new.{p}"] += 1
        else:
            out[f"t3.carried_in.{p}"] += 1
        if q.concluded is not None and q.concluded <= end:
            out[f"t3.{q.result.key}.{p}"] += 1
        else:
            out[f"t3.carry_forward.{p}"] += 1
    return out


def register_counts(path: str | Path, year: int, edition: str | None = None,
                    today: date | None = None) -> dict:
    """``count_table3`` of the register at ``path`` (edition follows ``year``)."""
    edition = edition or edition_for_year(year)
    reg = load_register(path, edition, year, today)
    return count_table3(reg.requests, edition, year)


# ---------------------------------------------------------------------------
# The register template
# ---------------------------------------------------------------------------

def help_lines(edition: str) -> list[str]:
    """The 说明 sheet, one paragraph per line (Chinese, for clerks)."""
    types = "、".join(label for _k, label in applicant_types())
    ed = get_edition(edition)
    other = f"“{ed.result_items[-1].path}”"
    return [
        "依申请公开登记台账 使用说明",
        f"本台账适用于 {edition} 版年度报告表格（{ed.years_text}）。",
        "",
        "一、怎么填",
        "1. 每收到一件政府信息公开申请，在“登记台账”工作表中登记一行；不要合并单元格，不要在中间插入空行以外的其他内容。",
        "2. 收到日期：收到申请的日期，如 2021-03-05（也可写 2021/3/5 或 2021年3月5日）。",
        f"3. 申请人类型：从下拉列表选择：{types}。",
        "4. 办理结果：办结后从下拉列表选择，与年度报告表三“三、本年度办理结果”的栏目一一对应；"
        "区分处理（部分公开）的只选“（二）部分公开”。",
        f"5. 申请人撤回申请的，一般选{other}。",
        "6. 办结日期：作出答复（办结）的日期。尚未办结的申请，办理结果和办结日期都留空。",
        "7. 序号/申请编号、申请内容摘要、备注供本单位管理使用，可自由填写。",
        "",
        "二、怎么计入年度报告表三（由 xxgk fill 自动统计）",
        "一、本年新收：收到日期在本年度内的申请。",
        "二、上年结转：收到日期在本年度之前、到本年1月1日仍未办结的申请。",
        "三、本年度办理结果：办结日期在本年度内的申请，按办理结果分别计数。",
        "四、结转下年度继续办理：到本年12月31日仍未办结的申请（未填办结日期，或办结日期在下一年）。",
        "每一列都满足：一 + 二 = 三（七）总计 + 四。",
        "",
        "三、会被退回修改的情况（xxgk fill 会指出行号）",
        "收到日期或办结日期无法识别、早于2000年或晚于今天；收到日期晚于报告年度末；"
        "申请人类型或办理结果不在下拉列表中；填了办理结果却没有办结日期，或反之；办结日期早于收到日期。",
        "",
        "四、生成年度报告",
        "在命令行运行（把文件名换成自己的）：",
        "xxgk fill --register 登记台账.xlsx --year 2021 --unit 某某镇人民政府 -o 某某镇2021年报.xlsx",
        "可同时加 --previous 上年年报.xlsx（带出单位信息和上年结转）。",
    ]


def build_register_template(edition: str = DEFAULT_EDITION):
    """The empty register workbook (openpyxl) for ``edition``."""
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
    from openpyxl.workbook.defined_name import DefinedName
    from openpyxl.worksheet.datavalidation import DataValidation

    from ..xlsx import styles

    items = result_items(edition)
    wb = Workbook()
    ws = wb.active
    ws.title = REGISTER_SHEET
    thin = Side(style="thin", color="000000")
    border = Border(left=thin, right=thin, top=thin, bottom=thin)
    head_font = Font(name=styles.FONT, size=11, bold=True)
    head_fill = PatternFill("solid", fgColor=styles.LABEL_FILL)
    last = TEMPLATE_ROWS + 1
    for i, (key, header, width, _req) in enumerate(COLUMNS, start=1):
        from openpyxl.utils import get_column_letter
        letter = get_column_letter(i)
        c = ws.cell(1, i, header)
        c.font, c.fill, c.border = head_font, head_fill, border
        c.alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)
        ws.column_dimensions[letter].width = width
        if key in ("received", "concluded"):
            for r in range(2, last + 1):
                ws.cell(r, i).number_format = "yyyy-mm-dd"
    ws.row_dimensions[1].height = 24
    ws.freeze_panes = "A2"
    col = {key: get_column_letter(i) for i, (key, *_rest) in enumerate(COLUMNS, start=1)}

    dv_type = DataValidation(
        type="list", formula1='"' + ",".join(label for _k, label in applicant_types()) + '"',
        allow_blank=True, showErrorMessage=True, showInputMessage=True, errorStyle="stop",
        promptTitle="申请人类型", prompt="请从下拉列表选择申请人类型。",
        errorTitle="输入有误", error="请从下拉列表选择：" + "、".join(l for _k, l in applicant_types()) + "。")
    dv_type.add(f"{col['applicant']}2:{col['applicant']}{last}")
    dv_result = DataValidation(
        type="list", formula1=RESULTS_NAME, allow_blank=True, showErrorMessage=True,
        showInputMessage=True, errorStyle="stop", promptTitle="办理结果",
        prompt="办结后从下拉列表选择；尚未办结的留空。",
        errorTitle="输入有误", error="请从下拉列表中选择办理结果（与年度报告表三的栏目一致）。")
    dv_result.add(f"{col['result']}2:{col['result']}{last}")
    # Dates between 2000-01-01 and 2099-12-31 (Excel serials).
    lo = (EARLIEST - date(1899, 12, 30)).days
    hi = (date(2099, 12, 31) - date(1899, 12, 30)).days
    dv_date = DataValidation(
        type="date", operator="between", formula1=str(lo), formula2=str(hi), allow_blank=True,
        showErrorMessage=True, showInputMessage=True, errorStyle="stop",
        promptTitle="日期", prompt="请填写日期，如 2021-03-05。",
        errorTitle="输入有误", error="这里只能填写2000年以后的日期，如 2021-03-05。")
    dv_date.add(f"{col['received']}2:{col['received']}{last}")
    dv_date.add(f"{col['concluded']}2:{col['concluded']}{last}")
    for dv in (dv_type, dv_result, dv_date):
        ws.add_data_validation(dv)

    helpws = wb.create_sheet(HELP_SHEET)
    helpws.column_dimensions["A"].width = 110
    for r, line in enumerate(help_lines(edition), start=1):
        c = helpws.cell(r, 1, line)
        c.alignment = Alignment(wrap_text=True, vertical="top")
        c.font = Font(name=styles.FONT, size=14 if r == 1 else 11, bold=r == 1 or line[:2] in (
            "一、", "二、", "三、", "四、"))
    helpws.cell(len(help_lines(edition)) + 2, 1, "办理结果可选项：").font = Font(name=styles.FONT, bold=True)
    for i, item in enumerate(items):
        helpws.cell(len(help_lines(edition)) + 3 + i, 1, item.path)

    opts = wb.create_sheet(OPTIONS_SHEET)
    for i, item in enumerate(items, start=1):
        opts.cell(i, 1, item.path)
    opts.column_dimensions["A"].width = 80
    opts.sheet_state = "hidden"
    opts.protection.sheet = True
    wb.defined_names[RESULTS_NAME] = DefinedName(
        RESULTS_NAME, attr_text=f"'{OPTIONS_SHEET}'!$A$1:$A${len(items)}")
    wb.active = 0
    return wb


def write_register_template(path: str | Path, edition: str = DEFAULT_EDITION, force: bool = False) -> Path:
    """Write the register template of ``edition`` atomically to ``path`` (``.xlsx``)."""
    path = Path(path)
    if path.suffix.lower() != ".xlsx":
        raise XxgkError(f"登记台账模板请保存为 .xlsx 文件：{path}")
    wb = build_register_template(edition)
    with atomic_output(path, force=force) as tmp:
        wb.save(tmp)
    return path
