"""``fill``: write numbers and unit details into a copy of the template.

Sources, any combination:

* **data** — a JSON, YAML or CSV file (or a mapping) keyed by cell id
  (``t3.new.natural``), by label path as ``xxgk cells`` lists it, or by
  ``工作表!地址``; values for input cells, ``info.*`` and ``text.*``;
* **previous** — last year's workbook: unit details (not 报告年度 / 填报日期),
  this year's 二、上年结转 = last year's 四、结转下年度继续办理, and what the
  edition pair allows in table 二 (2019→2019: 上一年项目数量 = last year's
  上一年项目数量 + 本年增/减; 2021→2021: last year's 现行有效件数 as a cell note);
* **register** — the 依申请公开登记台账: all of table 三 (``toolkit.fill.register``);
* **unit** / **year** — the unit name and the report year.

Everything is validated first; any refused key, bad register row or
disagreement between two sources raises :class:`FillError` naming them, and
nothing is written.  Only value cells change: protection, validations,
formulas, defined names, the meta sheet and — for a ``.xlsm`` template —
the VBA project and the buttons stay as the template has them.
"""

from __future__ import annotations

import csv
import io
import json
import math
import numbers
import os
import re
import unicodedata
from collections.abc import Mapping
from copy import copy
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path

from ..atomic import OutputExistsError, atomic_output
from ..errors import UnreadableWorkbook, XxgkError
from .. import spec as E
from ..spec import DEFAULT_EDITION, EDITIONS, edition_for_year, get_edition, unknown_edition_message
from ..spec.catalogue import rule_for_check
from ..spec.model import Cell, Edition
from ..names import name_key

NOTE_AUTHOR = "xxgk填报"
MAX_TEXT = 32000  # the template's text validation limit
MAX_PROBLEMS_SHOWN = 60
DATA_SUFFIXES = {".json": "json", ".yaml": "yaml", ".yml": "yaml", ".csv": "csv"}
CSV_HEADERS = (("key", "value"), ("键", "值"))
# Unit details carried over from last year's report (not 报告年度 / 填报日期).
CARRIED_INFO = ("unit_name", "unit_type", "county", "preparer", "phone")

_ILLEGAL_XML = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")
_INT = re.compile(r"^[+-]?\d+$")
_DECIMAL = re.compile(r"^[+-]?(\d+(\.\d*)?|\.\d+)$")
_ADDRESS_KEY = re.compile(r"^(.+)!\$?([A-Za-z]{1,3})\$?(\d+)$")


class FillError(XxgkError):
    """``fill`` refused; ``problems`` lists every reason (Chinese)."""

    def __init__(self, problems: list[str], header: str = "无法填写，未写出任何文件"):
        self.problems = list(problems)
        shown = self.problems[:MAX_PROBLEMS_SHOWN]
        if len(self.problems) > MAX_PROBLEMS_SHOWN:
            shown.append(f"……另有 {len(self.problems) - MAX_PROBLEMS_SHOWN} 处问题未列出")
        if len(self.problems) == 1:
            text = f"{header}：{self.problems[0]}"
        else:
            text = f"{header}（{len(self.problems)} 处问题）：\n" + "\n".join("  " + p for p in shown)
        super().__init__(text)


@dataclass
class FillResult:
    """What ``fill`` wrote."""

    output: Path
    edition: str
    year: int | None
    values: dict = field(default_factory=dict)  # cell id -> value written
    sources: dict = field(default_factory=dict)  # cell id -> list of source names
    notes: dict = field(default_factory=dict)  # cell id -> note text added as a comment
    requests: int | None = None  # register requests read (None without a register)

    def counts_by_source(self) -> dict:
        out: dict = {}
        for names in self.sources.values():
            for n in names:
                out[n] = out.get(n, 0) + 1
        return out

    def summary(self) -> str:
        """A few Chinese lines for the terminal."""
        year = f" {self.year} 年度" if self.year else "（未填报告年度的）"
        lines = [f"已写出{year}报告（{self.edition} 版表格）：{self.output}",
                 f"共填写 {len(self.values)} 个单元格："]
        for name, n in self.counts_by_source().items():
            lines.append(f"  {name}：{n} 项")
        if self.requests is not None:
            lines.append(f"  （登记台账共 {self.requests} 件申请）")
        if self.notes:
            lines.append(f"  另有 {len(self.notes)} 个单元格加了参考批注")
        lines.append(f"请打开文件补全其余内容，然后运行：xxgk check {self.output}")
        return "\n".join(lines)


# ---------------------------------------------------------------------------
# Keys and values
# ---------------------------------------------------------------------------

def _norm_key(text: str) -> str:
    return re.sub(r"\s+", "", unicodedata.normalize("NFKC", str(text)))


def _key_index(ed: Edition) -> dict:
    """Every accepted spelling of a cell → cell id."""
    out = {}
    for c in ed.cells:
        out[c.id] = c.id
        out[_norm_key(c.path)] = c.id
        out[_norm_key(f"{c.sheet}!{c.address}")] = c.id
    return out


def resolve_key(ed: Edition, key, index: dict | None = None) -> tuple[Cell | None, str]:
    """The cell a data key names, or ``(None, reason)``."""
    if not isinstance(key, str) or not key.strip():
        return None, f"键“{key}”不是有效的单元格名称"
    index = index or _key_index(ed)
    cid = index.get(key.strip()) or index.get(_norm_key(key))
    if cid:
        c = ed.by_id[cid]
        if c.kind == "total":
            return None, (f"键“{key}”是自动合计单元格（{c.ref}，{c.label}，公式），不能填写；"
                          "请填写它的各组成项")
        return c, ""
    m = _ADDRESS_KEY.match(key.strip())
    if m:
        sheet, addr = m.group(1).strip().strip("'"), (m.group(2) + m.group(3)).upper()
        lay = next((l for l in ed.layouts if l.name == sheet), None)
        if lay is None:
            return None, f"键“{key}”：模板中没有工作表“{sheet}”"
        lc = lay.cells.get(addr)
        if lc is not None and not lc.cell_id:
            shown = f"“{lc.value}”" if lc.value else ""
            return None, f"键“{key}”是栏目名称（标签）单元格{shown}，不能填写"
        return None, f"键“{key}”不是模板中的填写单元格"
    normalized = _norm_key(key)
    for other in (get_edition(k) for k in EDITIONS if k != ed.key):
        oc = next((c for c in other.cells if key.strip() == c.id or normalized == _norm_key(c.path)), None)
        if oc is not None:
            which = "，".join(f"{get_edition(k).years_text}用{k}版" for k in EDITIONS)
            return None, (f"键“{key}”是 {other.key} 版表格的栏目，本报告使用 {ed.key} 版表格"
                          f"（{which}；可用 --year 指定报告年度）")
    for c in ed.cells:  # a label path that stops at a row or block label
        if _norm_key(c.path).startswith(normalized + "/"):
            return None, f"键“{key}”是栏目名称（标签），不是填写单元格；请写到具体的列，如“{c.path}”"
    import difflib
    guess = difflib.get_close_matches(key.strip(), [c.id for c in ed.cells], n=1, cutoff=0.75) \
        or difflib.get_close_matches(normalized, [_norm_key(c.path) for c in ed.cells], n=1, cutoff=0.8)
    hint = f"，是否应为“{guess[0]}”？" if guess else "（可用的键见 xxgk cells 的输出）"
    return None, f"未知的键“{key}”{hint}"


def coerce_value(c: Cell, value):
    """The value to write in cell ``c``, or raise ValueError(Chinese reason)."""
    typ = c.type
    if isinstance(value, bool):
        raise ValueError("不能是 true/false")
    if typ in ("count", "signed", "amount", "year"):
        number = _number(value, integer=typ != "amount")
        if typ == "year":
            lo, hi = _year_bounds()
            if not lo <= number <= hi:
                raise ValueError(f"报告年度应为 {lo} 至 {hi} 之间的四位数字")
        elif typ in ("count", "amount") and number < 0:
            raise ValueError("不能为负数")
        return number
    if typ == "choice":
        text = value.strip() if isinstance(value, str) else value
        if text not in E.UNIT_TYPES:
            raise ValueError("应为以下之一：" + "、".join(E.UNIT_TYPES))
        return text
    # text
    if isinstance(value, datetime):
        value = value.date()
    if isinstance(value, date):
        value = f"{value.year}年{value.month}月{value.day}日"
    elif isinstance(value, int):
        value = str(value)
    if not isinstance(value, str):
        raise ValueError("应为文本")
    value = value.replace("\r\n", "\n").replace("\r", "\n")  # Excel line breaks are LF
    if _ILLEGAL_XML.search(value):
        raise ValueError("含有无法写入 Excel 的控制字符")
    if len(value) > MAX_TEXT:
        raise ValueError(f"文本过长（{len(value)} 字，最多 {MAX_TEXT} 字）")
    return value


def _number(value, integer: bool):
    kind = "整数" if integer else "数字"
    if isinstance(value, numbers.Integral) and not isinstance(value, bool):
        value = int(value)  # numpy integers too
    elif isinstance(value, numbers.Real) and type(value) not in (int, float):
        value = float(value)  # numpy floats too
    if isinstance(value, str):
        text = unicodedata.normalize("NFKC", value).strip()
        pattern = _INT if integer else _DECIMAL
        if not pattern.match(text):
            raise ValueError(f"应为{kind}（阿拉伯数字，不带单位）")
        value = int(text) if _INT.match(text) else float(text)
    if isinstance(value, float):
        if not math.isfinite(value):
            raise ValueError(f"应为{kind}")
        if value.is_integer() and abs(value) < 2**53:
            value = int(value)
    if not isinstance(value, (int, float)):
        raise ValueError(f"应为{kind}")
    if integer and not float(value).is_integer():
        raise ValueError("应为整数")
    return value


def _year_bounds() -> tuple[int, int]:
    from ..xlsx.template import VALIDATIONS
    v = VALIDATIONS["year"]
    return int(v["formula1"]), int(v["formula2"])


# ---------------------------------------------------------------------------
# Reading the data file
# ---------------------------------------------------------------------------

MAX_DATA_DEPTH = 20  # data files are flat key → value mappings
MAX_DATA_BYTES = 10 * 1024 * 1024


def load_data(path: str | Path) -> list[tuple[str, object]]:
    """(key, value) pairs of a JSON / YAML / CSV data file, in file order.

    JSON and YAML: one object (mapping) of key → value.  CSV: two columns
    ``key,value`` with that header (or ``键,值``); UTF-8 (with or without
    BOM) or GB18030 as Excel saves it.  Duplicate keys are refused.
    """
    path = Path(path)
    kind = DATA_SUFFIXES.get(path.suffix.lower())
    name = path.name
    if kind is None:
        raise FillError([f"数据文件“{name}”的格式不支持（扩展名应为 .json、.yaml、.yml 或 .csv）"],
                        header="无法读取数据文件")
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        raise FillError([f"数据文件不存在：{path}"], header="无法读取数据文件") from None
    except OSError as exc:
        raise FillError([f"数据文件无法打开：{path}（{exc.strerror or exc}）"], header="无法读取数据文件") from None
    if len(raw) > MAX_DATA_BYTES:
        raise FillError([f"数据文件“{name}”过大（{len(raw) // 1024 // 1024} MB），不像是一份报告的数据"],
                        header="无法读取数据文件")
    text = _decode(raw, name)
    if kind == "csv":
        return _load_csv(text, name)
    if kind == "json":
        pairs: list = []
        dups: list = []

        def hook(items):
            seen = set()
            for k, _v in items:
                if k in seen:
                    dups.append(k)
                seen.add(k)
            pairs.append(items)
            return dict(items)
        try:
            doc = json.loads(text, object_pairs_hook=hook)
        except RecursionError:
            raise FillError([f"数据文件“{name}”嵌套过深，不是“键: 值”形式的数据"],
                            header="无法读取数据文件") from None
        except json.JSONDecodeError as exc:
            raise FillError([f"数据文件“{name}”不是有效的 JSON（第 {exc.lineno} 行第 {exc.colno} 列：{exc.msg}）"],
                            header="无法读取数据文件") from None
        if not isinstance(doc, dict):
            raise FillError([f"数据文件“{name}”的内容应为一个对象（{{\"键\": 值, …}}）"], header="无法读取数据文件")
        if dups:
            raise FillError([f"数据文件“{name}”中键“{k}”出现了多次" for k in dups], header="无法读取数据文件")
        return list(pairs[-1]) if pairs else []
    import yaml

    class _Loader(yaml.SafeLoader):
        """SafeLoader without aliases (a 490-byte alias bomb expands to gigabytes) and
        with bounded nesting (the composer recurses per level)."""

        _depth = 0

        def compose_node(self, parent, index):
            if self.check_event(yaml.events.AliasEvent):
                mark = self.peek_event().start_mark
                raise FillError([f"数据文件“{name}”使用了 YAML 别名（*…，第 {mark.line + 1} 行），"
                                 "数据文件中不支持，请直接写出每个值"], header="无法读取数据文件")
            self._depth += 1
            try:
                if self._depth > MAX_DATA_DEPTH:
                    raise FillError([f"数据文件“{name}”嵌套过深，不是“键: 值”形式的数据"],
                                    header="无法读取数据文件")
                return super().compose_node(parent, index)
            finally:
                self._depth -= 1

    def mapping(loader, node):
        seen, items = set(), []
        for knode, vnode in node.value:
            k = loader.construct_object(knode, deep=True)
            if k in seen:
                raise FillError([f"数据文件“{name}”中键“{k}”出现了多次（第 {knode.start_mark.line + 1} 行）"],
                                header="无法读取数据文件")
            seen.add(k)
            items.append((k, loader.construct_object(vnode, deep=True)))
        return _Pairs(items)
    _Loader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, mapping)
    try:
        doc = yaml.load(text, Loader=_Loader)  # noqa: S506 (SafeLoader subclass)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f"（第 {mark.line + 1} 行）" if mark else ""
        raise FillError([f"数据文件“{name}”不是有效的 YAML{where}"], header="无法读取数据文件") from None
    if doc is None:
        return []
    if not isinstance(doc, _Pairs):
        raise FillError([f"数据文件“{name}”的内容应为“键: 值”形式的列表"], header="无法读取数据文件")
    return list(doc)


class _Pairs(list):
    """A YAML mapping kept as ordered (key, value) pairs."""


def _decode(raw: bytes, name: str) -> str:
    for enc in ("utf-8-sig", "gb18030"):
        try:
            return raw.decode(enc)
        except UnicodeDecodeError:
            continue
    raise FillError([f"数据文件“{name}”的文字编码无法识别（请保存为 UTF-8）"], header="无法读取数据文件")


def _load_csv(text: str, name: str) -> list[tuple[str, object]]:
    rows = list(csv.reader(io.StringIO(text, newline="")))
    while rows and not any(x.strip() for x in rows[-1]):
        rows.pop()
    if not rows:
        return []
    head = tuple(x.strip().lower() for x in rows[0])
    if head not in CSV_HEADERS:
        raise FillError([f"数据文件“{name}”第 1 行应为表头“key,value”（或“键,值”），实际为“{','.join(rows[0])}”"],
                        header="无法读取数据文件")
    out, problems, seen = [], [], {}
    for i, row in enumerate(rows[1:], start=2):
        if not any(x.strip() for x in row):
            continue
        if len(row) != 2:
            problems.append(f"数据文件“{name}”第 {i} 行应有 2 列（键,值），实际有 {len(row)} 列"
                            "（值中含逗号时请用英文双引号括起来）")
            continue
        key = row[0].strip()
        if key in seen:
            problems.append(f"数据文件“{name}”第 {i} 行：键“{key}”与第 {seen[key]} 行重复")
            continue
        seen[key] = i
        out.append((key, row[1]))
    if problems:
        raise FillError(problems, header="无法读取数据文件")
    return out


# ---------------------------------------------------------------------------
# Assignments from the sources
# ---------------------------------------------------------------------------

UNIT_NAME_CELL = "info.unit_name"


class _Plan:
    """Cell assignments from every source, with conflicts and refusals."""

    def __init__(self, ed: Edition):
        self.ed = ed
        self.values: dict = {}
        self.sources: dict = {}
        self.notes: dict = {}
        self.problems: list = []

    def set(self, cell_id: str, value, source: str) -> None:
        if cell_id in self.values:
            old = self.values[cell_id]
            if _same(old, value) or (cell_id == UNIT_NAME_CELL and name_key(old) == name_key(value)):
                # the same unit written with a full-width space, an invisible character …:
                # the first source's spelling is kept (toolkit.names)
                if source not in self.sources[cell_id]:
                    self.sources[cell_id].append(source)
                return
            c = self.ed.by_id[cell_id]
            self.problems.append(
                f"{c.ref}（{c.id}，{c.path}）：{self.sources[cell_id][0]}给出 {_show(old)}，"
                f"{source}给出 {_show(value)}，两者不一致，请核对后只保留一个")
            return
        self.values[cell_id] = value
        self.sources[cell_id] = [source]


def _same(a, b) -> bool:
    if isinstance(a, str) or isinstance(b, str):
        return a == b
    return a == b or (isinstance(a, (int, float)) and isinstance(b, (int, float))
                      and math.isclose(a, b, rel_tol=0, abs_tol=1e-9))


def _show(v) -> str:
    if isinstance(v, str):
        return f"“{v if len(v) <= 30 else v[:30] + '…'}”"
    if isinstance(v, float):
        return f"{v:.6f}".rstrip("0").rstrip(".")
    return str(v)


def _plan_data(plan: _Plan, pairs, source: str) -> None:
    index = _key_index(plan.ed)
    problems, seen = [], {}
    sections = _section_index(plan.ed)
    for key, value in pairs:
        section = sections.get(_norm_key(key)) if isinstance(key, str) else None
        if section is not None:  # a whole 正文 section: one paragraph per cell
            _plan_section(plan, section, key, value, source, problems)
            continue
        c, reason = resolve_key(plan.ed, key, index)
        if c is None:
            problems.append(f"{source}：{reason}")
            continue
        if value is None or (isinstance(value, str) and value == ""):
            continue  # not given
        if c.id in seen:
            problems.append(f"{source}：键“{key}”与键“{seen[c.id]}”指向同一个单元格（{c.ref}）")
            continue
        seen[c.id] = key
        try:
            v = coerce_value(c, value)
            if c.kind == "text" and len(v) > E.TEXT_PARAGRAPH_MAX:
                raise ValueError(f"有 {len(v)} 字，一格最多 {E.TEXT_PARAGRAPH_MAX} 字；请分段写在下一格，"
                                 f"或用键“text.{c.row}”填写整部分（自动分段）")
        except ValueError as exc:
            problems.append(f"{source}：键“{key}”（{c.ref}，{c.label}）的值 {_show(value)} {exc}")
            continue
        plan.set(c.id, v, source)
    plan.problems[:0] = problems


def _section_index(ed: Edition) -> dict:
    """Every accepted spelling of a whole 正文 section (``text.overview``,
    ``正文/一、总体情况``) → section key."""
    out = {}
    for key, label, _ in E.TEXT_SECTIONS:
        cells = ed.text_cells(key)
        if cells:
            out[_norm_key(f"text.{key}")] = key
            out[_norm_key(f"{cells[0].sheet}/{label}")] = key
    return out


def _plan_section(plan: _Plan, section: str, key, value, source: str, problems: list) -> None:
    from ..spec.paragraphs import SectionTooLong, split_section
    if value is None or (isinstance(value, str) and value == ""):
        return
    cells = plan.ed.text_cells(section)
    try:
        text = coerce_value(cells[0], value)
        parts = split_section(section, text, len(cells))
    except (ValueError, SectionTooLong) as exc:
        problems.append(f"{source}：键“{key}”的值 {_show(value)} {exc}")
        return
    for c, part in zip(cells, parts):
        if part:
            plan.set(c.id, part, source)


def _plan_previous(plan: _Plan, prev, year: int | None, source: str) -> None:
    ed = plan.ed
    if year is not None and prev.year is not None and prev.year != year - 1:
        plan.problems.append(f"{source}的报告年度为 {prev.year} 年，不是 {year} 年的上一年度，请换用 {year - 1} 年度的报告")
        return
    for key in CARRIED_INFO:
        v = prev.info.get(key)
        if v not in (None, ""):
            cid = f"info.{key}"
            try:
                plan.set(cid, coerce_value(ed.by_id[cid], v), source)
            except ValueError:
                pass  # e.g. a bad 单位类型 last year: leave it for the clerk
    # The cross-year rules say what last year's report gives this year's (spec data:
    # ``fill`` "value" = set the rule's left cell, "note" = a cell note), and which
    # editions last year's report may have (``previous_editions``).
    pspec = prev.spec
    for rule in ed.cross_year_rules:
        if not rule.fill or (rule.previous_editions and prev.edition not in rule.previous_editions):
            continue
        dst = ed.by_id[rule.lhs[0].cell]
        if dst.kind != "input" or any(t.cell not in pspec.by_id for t in rule.rhs_previous):
            continue
        bad = [t.cell for t in rule.rhs_previous if t.cell in prev.invalid]
        if rule.fill == "note":
            if bad:
                continue
            last = sum(t.sign * prev.values.get(t.cell, 0) for t in rule.rhs_previous)
            year_text = f"{prev.year}年度" if prev.year else "上一年度"
            plan.notes[dst.id] = rule.fill_note.format(year_text=year_text, row_label=dst.row_label,
                                                       value=_show(last))
            continue
        if bad:
            c = pspec.by_id[bad[0]]
            plan.problems.append(f"{source}的 {c.ref}（{c.label}）不是有效数字，无法结转到本年的"
                                 f"“{dst.label}”，请先改正上一年度报告")
            continue
        value = sum(t.sign * prev.values.get(t.cell, 0) for t in rule.rhs_previous)
        if value < 0:
            plan.problems.append(f"{source}中推算本年“{dst.label}”得到 {value}（负数），无法结转，"
                                 "请核对上一年度报告")
            continue
        plan.set(dst.id, int(value), source)


def _plan_register(plan: _Plan, path: Path, year: int, source: str, today) -> int:
    from .register import count_table3, load_register
    reg = load_register(path, plan.ed.key, year, today=today)
    for cid, n in count_table3(reg.requests, plan.ed.key, year).items():
        plan.set(cid, n, source)
    return len(reg.requests)


# ---------------------------------------------------------------------------
# Edition, year, template
# ---------------------------------------------------------------------------

def _template_meta(path: Path) -> dict:
    """Meta rows of a template file via the guarded reader (validates it)."""
    from ..engine.report import read_report
    try:
        rep = read_report(path)
    except UnreadableWorkbook as exc:
        raise FillError([f"模板文件无法使用：{exc}"]) from None
    if rep.kind != "template":
        raise FillError([f"模板文件 {path} 是汇总表，不是填报模板"])
    structure = rule_for_check("structure").id
    broken = [f for f in rep.findings if f.rule == structure and f.severity == "error"]
    if broken:
        raise FillError([f"模板文件 {path} 已被改动：{broken[0].message}"])
    return {"edition": rep.edition}


def _decide_edition(edition, year, template_edition) -> tuple[str, list]:
    problems = []
    want = edition_for_year(year) if year is not None else None
    if edition is not None and want is not None and edition != want:
        problems.append(f"{year} 年度报告应使用 {want} 版表格，与指定的 {edition} 版不一致")
    chosen = edition or want or template_edition or DEFAULT_EDITION
    if template_edition is not None and template_edition != chosen:
        problems.append(f"模板是 {template_edition} 版，而本报告应使用 {chosen} 版表格，请换用 {chosen} 版模板")
    return chosen, problems


def _same_file(a: Path, b: Path) -> bool:
    try:
        return a.exists() and b.exists() and os.path.samefile(a, b)
    except OSError:
        return False


def renumber_note_shapes(path: Path) -> None:
    """Unique VML shape ids after openpyxl added notes (see ``annotate.normalise_vml``)."""
    from ..marks.annotate import normalise_vml
    normalise_vml(path)


# ---------------------------------------------------------------------------
# fill
# ---------------------------------------------------------------------------

def fill(output: str | Path, edition: str | None = None, data=None, previous=None,
         register=None, unit: str | None = None, year: int | None = None,
         template: str | Path | None = None, force: bool = False,
         today: date | None = None, timeout: float | None = None,
         memory_mb: int | None = None, old=None) -> FillResult:
    """Fill a copy of the template (see :func:`_fill`) under a time and memory budget."""
    from ..budget import DEFAULT_MEMORY_MB, DEFAULT_TIMEOUT, file_budget
    with file_budget(timeout=DEFAULT_TIMEOUT if timeout is None else timeout,
                     memory_mb=DEFAULT_MEMORY_MB if memory_mb is None else memory_mb):
        return _fill(output, edition, data, previous, register, unit, year, template, force, today,
                     old)


def _fill(output: str | Path, edition: str | None = None, data=None, previous=None,
          register=None, unit: str | None = None, year: int | None = None,
          template: str | Path | None = None, force: bool = False,
          today: date | None = None, old=None) -> FillResult:
    """Fill a copy of the template and write it atomically to ``output``.

    ``data``: a JSON/YAML/CSV file or a mapping (key → value, see
    :func:`resolve_key`); ``previous``: last year's workbook (path or
    :class:`~toolkit.engine.report.Report`); ``register``: the register workbook;
    ``unit``: the unit name; ``year``: the report year (else from the data,
    or last year's report + 1); ``edition``: else from the year, else the
    template's, else 2021; ``template``: a template file (``.xlsx`` or the
    macro ``.xlsm``), else the current template built in memory.  ``today``
    bounds register dates (default: the real date).  ``old``: a workbook of an earlier
    template version whose contents become the data (``toolkit.fill.migrate``).

    Raises :class:`FillError` (nothing written) or
    :class:`~toolkit.atomic.OutputExistsError`.
    """
    from ..engine.report import Report, read_report

    output = Path(output)
    template = Path(template) if template is not None else None
    if edition is not None and str(edition) not in EDITIONS:
        raise FillError([unknown_edition_message(edition)])
    edition = str(edition) if edition is not None else None
    if output.exists() and not force:
        raise OutputExistsError(f"输出文件已存在：{output}（如需覆盖请加 --force）")
    if output.exists() and output.is_dir():
        raise FillError([f"输出路径是一个文件夹：{output}"])
    inputs = [("上一年度报告", previous), ("登记台账", register), ("模板", template), ("数据文件", data),
              ("旧版工作簿", old)]
    for label, p in inputs:
        if isinstance(p, (str, Path)) and _same_file(output, Path(p)):
            raise FillError([f"输出文件 {output} 就是{label}本身；fill 从不修改输入文件，请另选输出文件名"])
    out_suffix = output.suffix.lower()
    tpl_suffix = template.suffix.lower() if template is not None else ".xlsx"
    if out_suffix != tpl_suffix:
        what = "带宏的 .xlsm 模板" if tpl_suffix == ".xlsm" else f"{tpl_suffix} 模板"
        raise FillError([f"输出文件的扩展名应与模板一致：使用{what}时请输出为 {tpl_suffix} 文件（而不是 {output.name}）"])

    problems: list = []
    # -- read the sources that decide year and edition -------------------
    pairs, data_source = [], ""
    if data is not None:
        if isinstance(data, Mapping) or (hasattr(data, "items") and not isinstance(data, (str, Path))):
            pairs, data_source = list(data.items()), "数据"  # dict, pandas Series …
        else:
            pairs, data_source = load_data(data), f"数据文件“{Path(data).name}”"
    if old is not None:
        if data is not None:
            raise FillError(["--from 与 --data 不能同时使用：旧版工作簿的内容就是要填写的数据"])
        from .migrate import old_workbook_data
        try:
            old_edition, pairs = old_workbook_data(old)
        except XxgkError as exc:
            raise FillError([f"旧版工作簿无法转换：{exc}"]) from None
        edition = edition or old_edition
        data_source = f"旧版工作簿“{Path(old).name}”"
    prev = None
    prev_source = ""
    if previous is not None:
        if isinstance(previous, Report):
            prev = previous
        else:
            try:
                prev = read_report(previous)
            except UnreadableWorkbook as exc:
                raise FillError([f"上一年度报告无法读取：{exc}"]) from None
        prev_source = f"上一年度报告“{Path(prev.path).name}”"
    template_edition = _template_meta(template)["edition"] if template is not None else None

    year_source = "--year 参数" if year is not None else ""
    data_year = _data_year(pairs)
    if year is not None:
        try:
            year = coerce_value(get_edition(DEFAULT_EDITION).by_id["info.year"], year)
        except ValueError as exc:
            raise FillError([f"报告年度“{year}”{exc}"]) from None
    elif data_year is not None:
        year = data_year
    elif prev is not None and prev.year is not None:
        year, year_source = prev.year + 1, f"由{prev_source}推算"
    edition, ed_problems = _decide_edition(edition, year, template_edition)
    if ed_problems:
        raise FillError(ed_problems)
    ed = get_edition(edition)

    plan = _Plan(ed)
    if year_source == "--year 参数" and year is not None and year != data_year:
        plan.set("info.year", year, year_source)  # a different data year then conflicts
    elif year is not None and data_year is None:
        plan.set("info.year", year, year_source)
    if unit is not None:
        try:
            plan.set("info.unit_name", coerce_value(ed.by_id["info.unit_name"], unit), "--unit 参数")
        except ValueError as exc:
            problems.append(f"--unit 参数的单位名称{exc}")
        if isinstance(unit, str) and not unit.strip():
            problems.append("--unit 参数的单位名称为空")
    if pairs:
        _plan_data(plan, pairs, data_source)
    if prev is not None:
        _plan_previous(plan, prev, year, prev_source)
    requests = None
    if register is not None:
        if year is None:
            problems.append("使用登记台账时需要知道报告年度，请用 --year 指定（如 --year 2021）")
        else:
            try:
                requests = _plan_register(plan, Path(register), year, f"登记台账“{Path(register).name}”",
                                          today)
            except UnreadableWorkbook as exc:
                problems.append(f"登记台账无法读取：{exc}")
    problems = problems + plan.problems
    if problems:
        raise FillError(problems)

    # -- write ------------------------------------------------------------
    wb = _open_template(template, ed)
    from ..xlsx.template import fit_paragraph_row
    for cid, value in plan.values.items():
        c = ed.by_id[cid]
        _write_cell(wb[c.sheet][c.address], value)
        if c.kind == "text":
            fit_paragraph_row(wb[c.sheet], c.address, value)
    for cid, text in plan.notes.items():
        from openpyxl.comments import Comment
        c = ed.by_id[cid]
        note = Comment(text, NOTE_AUTHOR)
        note.width, note.height = 260, 90
        wb[c.sheet][c.address].comment = note
    with atomic_output(output, force=force,
                       inputs=[p for _, p in inputs if isinstance(p, (str, Path))]) as tmp:
        wb.save(tmp)
        if plan.notes and tpl_suffix == ".xlsm":
            renumber_note_shapes(tmp)
        if template is not None:
            from ..marks.annotate import lost_parts
            lost = lost_parts(template, tmp)
            if lost:
                raise FillError([f"模板文件 {template.name} 含有本工具无法原样保留的内容（{'、'.join(lost)}），"
                                 "为免丢失，未写出文件；请使用 xxgk template 生成的模板"])
    return FillResult(output=output, edition=edition, year=year, values=dict(plan.values),
                      sources={k: list(v) for k, v in plan.sources.items()},
                      notes=dict(plan.notes), requests=requests)


def _data_year(pairs) -> int | None:
    """The report year given in the data, when it is a valid year."""
    ed = get_edition(DEFAULT_EDITION)
    index = _key_index(ed)
    for key, value in pairs:
        c, _ = resolve_key(ed, key, index)
        if c is not None and c.id == "info.year" and value not in (None, ""):
            try:
                return coerce_value(c, value)
            except ValueError:
                return None  # refused later with the key named
    return None


def _open_template(template: Path | None, ed: Edition):
    if template is None:
        from ..xlsx.template import build_template
        return build_template(ed.key)
    import openpyxl
    from ..marks.annotate import openpyxl_preflight
    try:
        openpyxl_preflight(template)
    except UnreadableWorkbook as exc:
        raise FillError([f"模板文件无法使用：{exc}"]) from None
    try:
        return openpyxl.load_workbook(template, keep_vba=template.suffix.lower() == ".xlsm",
                                      rich_text=True)
    except Exception as exc:  # openpyxl raises many types for odd packages
        raise FillError([f"模板文件无法打开：{template}（{type(exc).__name__}）"]) from None


def _write_cell(cell, value) -> None:
    cell.value = value
    if isinstance(value, str) and value.startswith("="):
        # Text, never a formula: openpyxl marks str starting with "=" as a
        # formula; store it as a string and set the quote prefix so Excel
        # keeps it text when the clerk edits the cell.
        cell.data_type = "s"
        style = copy(cell._style)
        style.quotePrefix = 1
        cell._style = style
