"""Import a published report (web page, PDF, Word, text, a workbook) into the template.

``import_report(path_or_bytes, *, filename=None) -> ImportResult`` is the stable
library entry point (also used by ``xxgk merge`` for reports units send as
documents).  Steps:

1. ``sources.read_document`` turns any format into blocks (paragraphs and tables
   with spans); traditional characters are converted to simplified.
2. ``recognize.tokens_of`` turns the blocks into one stream of cells/lines.
3. This module finds the section titles, the edition (table labels first, else
   the year), year and unit (title, self-naming sentence, 统计期限 sentence,
   signature — never an arbitrary sentence), then tables 二、三、四 by their
   labels, and records for every cell the printed text and where it was printed.
4. Printed totals are kept and compared with their printed parts (rule I-1);
   cells never printed stay empty and are listed; a report that stops part-way
   says where.

Exit status of ``xxgk import`` (``ImportResult.exit_code``): 0 complete, 1 imported
with gaps or findings, 2 nothing usable.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

from ..engine.findings import CellRef, finding
from ..engine.report import parse_number
from ..errors import XxgkError
from ..spec import data as E
from ..spec import edition_for_year, get_edition
from . import recognize as R
from .recognize import Token, clean, key, labels, section_of, tokens_of
from .sources import Document, Para, Table, read_document  # noqa: F401  (Table: public)
from .sources.text import blocks_from_text  # noqa: F401  (public)

IMPORT_RULE = "I-1"
T3_COLS = [k for k, _ in E.T3_COLS]
T3_PARTIES = [k for k in T3_COLS if k != "total"]


@dataclass
class CellRead:
    """One cell of the official tables as read from the document."""

    value: object = None  # number, None (blank / not printed) or text that is not a number
    text: str = ""  # as printed
    where: str = ""  # position in the source
    status: str = "not_printed"  # printed | blank | none | not_printed
    note: str = ""  # how the printed text was interpreted, when it needed interpreting

    def to_dict(self, cid: str, ed) -> dict:
        c = ed.by_id.get(cid)
        return {"id": cid, "label": c.label if c else cid, "kind": c.kind if c else "",
                "value": self.value, "text": self.text, "where": self.where,
                "status": self.status, "note": self.note or None}


@dataclass
class ImportResult:
    """What was recognised in one published report."""

    source: str = ""
    kind: str = ""  # text | html | docx | doc | pdf | xlsx
    edition: str = "2021"
    edition_source: str = ""  # labels | year | default
    year: int | None = None
    unit: str = ""
    values: dict = field(default_factory=dict)  # input cell id -> number / None / text
    raw: dict = field(default_factory=dict)  # input cell id -> printed text
    cells: dict = field(default_factory=dict)  # every table cell id (inputs and totals) -> CellRead
    printed_totals: dict = field(default_factory=dict)  # total cell id -> printed number
    info: dict = field(default_factory=dict)
    texts: dict = field(default_factory=dict)  # overview / problems / other
    notes: list = field(default_factory=list)  # Chinese remarks
    findings: list = field(default_factory=list)  # Finding (rule I-1)
    sections: list = field(default_factory=list)  # indices of section titles found
    has_tables: bool = False
    complete: bool = False
    cut_at: str = ""  # where a cut report stops (Chinese)
    not_printed: list = field(default_factory=list)  # input cell ids never printed
    cut_row: str = ""  # the row the document stops in, when it stops mid-row

    @property
    def usable(self) -> bool:
        return self.has_tables or any(self.texts.values())

    @property
    def exit_code(self) -> int:
        if not self.usable:
            return 2
        if not self.complete or self.findings or not self.unit or not self.year:
            return 1
        return 0

    def to_dict(self) -> dict:
        ed = get_edition(self.edition)
        order = {c.id: i for i, c in enumerate(ed.cells)}
        return {
            "source": self.source, "format": self.kind, "edition": self.edition,
            "edition_source": self.edition_source, "year": self.year, "unit": self.unit,
            "info": self.info, "complete": self.complete, "has_tables": self.has_tables,
            "cut_at": self.cut_at or None, "exit_code": self.exit_code,
            "notes": list(self.notes), "findings": [f.to_dict() for f in self.findings],
            "not_printed": list(self.not_printed),
            "cells": [self.cells[cid].to_dict(cid, ed)
                      for cid in sorted(self.cells, key=lambda c: order.get(c, 10**6))],
            "texts": self.texts,
        }


Imported = ImportResult  # the name used before the importer handled every layout


# -- year and unit ---------------------------------------------------------------------

_UNIT_END = ("人民政府", "政府", "办事处", "街道", "街", "镇", "乡", "局", "委员会", "委", "办公室", "办",
             "中心", "院", "区", "县", "市", "所", "站", "厅", "署", "会", "队", "处", "园区", "管委会")
_GENERIC_UNITS = {"人民政府", "政府办", "政府办公室", "县政府", "区政府", "市政府", "镇政府", "乡政府", "街道办",
                  "街道办事处", "本机关", "本单位", "办公室", "委员会", "管委会"}
_NOT_UNIT = re.compile(r"^(我|本|贵|该|全|各|上述|现|关于|根据|按照|依据|为)|关于|报送|印发|通知|《|》|,|，|。")
_TITLE = re.compile(r"(\d{4})\s*年?\s*度?\s*的?\s*(?:政府)?(?:信息|政务)公开(?:工作)?(?:年度)?(?:报告|年报|工作报告)")
_TITLE_YEAR_FIRST = re.compile(r"^(\d{4})\s*年\s*度?\s*(\S{2,30}?)(?:政府)?(?:信息|政务)公开(?:工作)?(?:年度)?(?:报告|年报)")
_SELF_NAMING = re.compile(r"(?:现公布|现发布|现将|编制|公布)《?([^《》，,。]{2,40}?)\s*(\d{4})\s*年度?政府信息公开工作(?:年度)?报告")
_PERIOD = re.compile(r"统计(?:期限|时限|时间|期间|区间)?[^。]{0,14}?(\d{4})\s*年\s*1\s*月\s*1\s*日")
_END_OF_YEAR = re.compile(r"截[至止]\s*(\d{4})\s*年\s*12\s*月\s*31\s*日")
_LEADING_YEAR = re.compile(r"^(\d{4})\s*年")
_DATE_LINE = re.compile(r"^\d{4}\s*年\s*\d{1,2}\s*月\s*\d{1,2}\s*日$")


_CN_DIGITS = str.maketrans("〇零○Ｏ一二三四五六七八九", "000012345678" + "9")
_CN_YEAR = re.compile(r"([〇零○Ｏ一二三四五六七八九]{4})(?=\s*年)")


def _arabic_years(text: str) -> str:
    """“二〇二一年” → “2021年” (titles and dates written in Chinese numerals)."""
    return _CN_YEAR.sub(lambda m: m.group(1).translate(_CN_DIGITS), text) if "年" in text else text


def _plausible_unit(name: str) -> str:
    pieces = [x for x in re.split(r"[|｜:：()（）\[\]【】<>《》“”\"]", clean(name)) if x.strip()]
    name = re.sub(r"\s+", "", pieces[-1] if pieces else "").strip("-—_ ")
    name = re.sub(r"^(关于|现公布|现发布|现将|编制)", "", name)
    if not (2 <= len(name) <= 40) or _NOT_UNIT.search(name) or re.search(r"\d", name):
        return ""
    if name in _UNIT_END or name in _GENERIC_UNITS:
        return ""
    return name if name.endswith(_UNIT_END) else ""


def _ok_year(y) -> int | None:
    try:
        y = int(y)
    except (TypeError, ValueError):
        return None
    return y if 2000 <= y <= 2100 else None


def year_and_unit(paras: list, overview: list) -> tuple:
    """(year, how, unit, how) — from the title, a self-naming sentence, the 统计期限
    sentence or the dates; the unit from the title, the self-naming sentence or the
    signature (a unit name above a date), never from other sentences."""
    year = unit = None
    year_how = unit_how = ""
    paras = [_arabic_years(p) for p in paras]
    overview = [_arabic_years(p) for p in overview]
    head = [p for p in paras[:80] if p]
    # 1. The title (a line naming the report; may wrap onto the next line).
    singles = [(p,) for p in head]
    pairs = [(p, head[i + 1]) for i, p in enumerate(head[:-1])]
    for parts in singles + pairs:
        if year and unit:
            break
        for text in ("".join(parts),):
            t = clean(text)
            if len(t) > 80:
                continue
            m = _TITLE.search(t) or _TITLE_YEAR_FIRST.search(t)
            if not m or re.search(r"关于|报送|印发|通知", t[:m.start()]):
                continue
            y = _ok_year(m.group(1))
            if y and not year:
                year, year_how = y, "标题"
            if not unit:
                cand = _plausible_unit(t[:m.start()])
                if not cand and m.re is _TITLE_YEAR_FIRST:  # “2022年度某镇政府信息公开工作年度报告”
                    cand = _plausible_unit(m.group(2))
                if not cand and len(parts) == 1:  # the unit printed on the line below the title
                    k = head.index(parts[0])
                    if k + 1 < len(head) and len(clean(head[k + 1])) <= 30:
                        cand = _plausible_unit(head[k + 1])
                if cand:
                    unit, unit_how = cand, "标题"
            break
    everything = [clean(p) for p in paras]
    # 2. A sentence in which the report names itself: “现公布某某局2025年度政府信息公开工作报告”.
    for t in everything[:120]:
        m = _SELF_NAMING.search(t)
        if m:
            if not year and _ok_year(m.group(2)):
                year, year_how = _ok_year(m.group(2)), "报告自述"
            if not unit and _plausible_unit(m.group(1)):
                unit, unit_how = _plausible_unit(m.group(1)), "报告自述"
            if year and unit:
                break
    # 3. The statistics period, the end-of-year date.
    if not year:
        for t in everything:
            m = _PERIOD.search(t) or _END_OF_YEAR.search(t)
            if m and _ok_year(m.group(1)):
                year, year_how = _ok_year(m.group(1)), "统计期限"
                break
    # 4. The signature: a unit name directly above a date.
    if not unit:
        for i in range(len(everything) - 1, -1, -1):
            if _DATE_LINE.match(everything[i].replace(" ", "")):
                for j in (i - 1, i - 2):
                    if j >= 0 and len(everything[j]) <= 30 and _plausible_unit(everything[j]):
                        unit, unit_how = _plausible_unit(everything[j]), "落款"
                        break
            if unit:
                break
    # 5. A sentence about this year's disclosure work: “汇报我镇2023年政府信息公开工作”.
    if not year:
        for t in everything[:40]:
            m = re.search(r"(\d{4})\s*年度?的?政府信息公开(?:工作)?(?:年度)?(?:报告|情况|工作)", t)
            if m and _ok_year(m.group(1)):
                year, year_how = _ok_year(m.group(1)), "正文"
                break
    # 6. The year the overview (or the page) starts with: “2019年，我乡……”.
    if not year:
        for t in overview + everything[:10]:
            m = _LEADING_YEAR.match(t)
            if m and _ok_year(m.group(1)):
                year, year_how = _ok_year(m.group(1)), "正文"
                break
            m = re.search(r"(\d{4})\s*年报", t)
            if m and _ok_year(m.group(1)):
                year, year_how = _ok_year(m.group(1)), "网页标题"
                break
    # 7. The year the overview mentions most.
    if not year:
        counts: dict = {}
        for t in overview:
            for m in re.finditer(r"(\d{4})\s*年", t):
                if _ok_year(m.group(1)):
                    counts[int(m.group(1))] = counts.get(int(m.group(1)), 0) + 1
        if counts:
            year, year_how = max(counts, key=counts.get), "正文"
    return year, year_how, unit or "", unit_how


def unit_type_of(name: str) -> str:
    if name.endswith(("街道", "街")) or "街道办事处" in name:
        return "街道"
    if re.search(r"(镇|乡)(人民政府)?$", name):
        return "乡镇"
    if re.search(r"[区县市](人民政府)?$", name) and "园区" not in name:
        return "县级人民政府"
    if re.search(r"(局|委员会|委|办公室|办|中心|院)$", name):
        return "县级政府部门"
    return ""


# -- recognition ---------------------------------------------------------------------------


def fit(vals: list, n: int | None, structured: bool) -> list:
    """The value cells of a row: blanks at the ends are dropped — on a structured row
    (a table row, a ``|`` row) only as far as the row has more cells than columns
    (merged label cells, padding), since there a blank cell is a position."""
    vals = list(vals)
    if structured and n:
        while len(vals) > n and vals[0].kind == "blank":
            vals.pop(0)
        while len(vals) > n and vals[-1].kind == "blank":
            vals.pop()
        if not any(v.kind != "blank" for v in vals):
            return []
        return vals
    while vals and vals[0].kind == "blank":
        vals.pop(0)
    while vals and vals[-1].kind == "blank":
        vals.pop()
    return vals


class _Reader:
    def __init__(self, doc: Document, name: str):
        self.doc = doc
        self.name = name
        self.tokens = tokens_of(doc.blocks)
        self.notes: list = list(doc.notes)
        self.sections = self._sections()
        # section index each token is in (-1 before any title)
        self.sec_of = []
        current = -1
        titles = {i: n for n, i in self.sections.items()}
        for i in range(len(self.tokens)):
            current = titles.get(i, current)
            self.sec_of.append(current)

    def _sections(self) -> dict:
        found: dict = {}
        for i, tok in enumerate(self.tokens):
            if not tok.para:
                continue
            n = section_of(tok.text)
            if n is not None and n not in found:
                found[n] = i
        return found

    def in_tables(self, i: int) -> bool:
        return self.sec_of[i] not in (4, 5) and (self.sec_of[i] != 0 or 1 not in self.sections
                                                  or i > self.sections[1])

    # a run of values starting at ``start``: leading blanks skipped, stops at a
    # non-value token or (after a value) where the source says a row ends
    def run(self, start: int, limit: int | None = None, after=None) -> tuple:
        toks = self.tokens
        i = start
        n = len(toks)
        # Blank cells right after a label on the same physical row are positions; elsewhere
        # leading blanks are label cells printed empty or separators.
        keep = after is not None and after.row is not None and i < n and toks[i].row == after.row
        while not keep and i < n and toks[i].kind == "blank":
            i += 1
        out: list = []
        row = toks[i].row if i < n else None
        while i < n and toks[i].kind is not None:
            t = toks[i]
            if out and row is not None and t.row is not None and t.row != row and t.row[0] == row[0]:
                break
            out.append(t)
            i += 1
            if limit and sum(1 for x in out if x.kind != "blank") >= limit and (
                    i >= n or toks[i].row is None or toks[i].row != t.row):
                break
        return fit(out, limit, keep), i

    def ends(self, j: int) -> bool:
        """Nothing but blanks from token ``j`` on: the document stops there."""
        return all(t.kind == "blank" for t in self.tokens[j:j + 50]) and j + 50 >= len(self.tokens)

    def edition(self, year) -> tuple:
        score = {"2019": 0, "2021": 0}
        end_t2 = self.sections.get(2, len(self.tokens))
        start_t2 = self.sections.get(1, 0)
        others = {"2019": MARKERS_ALL["2021"], "2021": MARKERS_ALL["2019"]}
        for i in range(start_t2, end_t2):
            k = self.tokens[i].k
            if len(k) < 3 or len(k) > 20:
                continue
            for ed in ("2019", "2021"):
                own = R.MARKERS[ed]
                if k in own or (not any(o.startswith(k) for o in others[ed])
                                and any(m.startswith(k) for m in own)):
                    score[ed] += 1
        l21 = labels("2021")
        for tok in self.tokens:
            rk = l21.t3(tok.k)
            if rk in ("other_1", "other_2"):
                score["2021"] += 2
        if score["2019"] != score["2021"]:
            return max(score, key=score.get), "labels"
        if year:
            return edition_for_year(year), "year"
        return "2021", "default"


MARKERS_ALL = {}
for _ed in ("2019", "2021"):
    MARKERS_ALL[_ed] = {key(c[1]) for b in E.T2_BLOCKS[_ed] for c in b["cols"]} \
        | {key(r[1]) for b in E.T2_BLOCKS[_ed] for r in b["rows"]}


def _interpret(tok: Token, typ: str) -> CellRead:
    cr = _interpret_clean(tok, typ)
    printed = (tok.raw or "").strip()
    if printed and cr.status != "formula":
        cr.text = printed  # as printed (full-width digits, spaces inside …)
    return cr


def _interpret_clean(tok: Token, typ: str) -> CellRead:
    text = tok.text
    if tok.kind == "blank" and getattr(tok, "formula", False):
        return CellRead(None, "", tok.where, "formula", "工作簿中为公式")
    if tok.kind == "blank":
        return CellRead(None, "", tok.where, "blank")
    if tok.kind == "none":
        return CellRead(0, text, tok.where, "none", f"印为“{text}”（表示没有），按 0 导入")
    value, status, note = parse_number(text.replace(" ", ""), typ)
    if status == "invalid":
        return CellRead(text, text, tok.where, "printed", "不是数字，原样导入，请核对")
    notes = []
    plain = clean(text).replace(" ", "")
    if note and note != "以文本形式填写":
        notes.append(note.replace("以文本形式填写，", "").replace("以文本形式填写", ""))
    if plain.startswith("+"):
        notes.append("带“+”号")
    if plain != text.replace(" ", "") or re.search(r"[０-９]", tok.raw or ""):
        notes.append("全角数字")
    return CellRead(value, text, tok.where, "printed", "；".join(n for n in notes if n))


def _place(res: ImportResult, cid: str, cell: CellRead, ed) -> None:
    res.cells[cid] = cell
    c = ed.by_id[cid]
    if c.kind == "input":
        res.values[cid] = cell.value if cell.status != "not_printed" else None
        res.raw[cid] = cell.text
    elif cell.status in ("printed", "none") and isinstance(cell.value, (int, float)):
        res.printed_totals[cid] = cell.value


def _read_t2(rd: _Reader, res: ImportResult, L, seen: dict) -> None:
    toks = rd.tokens
    i = 0
    n = len(toks)
    while i < n:
        tok = toks[i]
        if tok.kind is not None or not rd.in_tables(i):
            i += 1
            continue
        (hit, variant) = L.t2(tok.k)
        if hit is None:
            i += 1
            continue
        rkey, rlabel = hit
        if ("t2", rkey) in seen:
            i += 1
            continue
        cols = L.t2_cols[rkey]
        if variant:
            res.notes.append(f"表二：栏目“{tok.text}”为非标准写法，已按“{rlabel}”识别")
        vals, j = rd.run(i + 1, limit=len(cols), after=tok)
        subrows = []
        if not any(v.kind != "blank" for v in vals):
            # sub-rows printed under one official row (“其他对外管理服务事项”: 行政检查 / 行政确认)
            k = i + 1
            while k < n and toks[k].kind is None and len(toks[k].k) <= 12 and L.t2(toks[k].k)[0] is None \
                    and toks[k].k not in R.MARKERS["all"] and section_of(toks[k].text) is None:
                sub, k2 = rd.run(k + 1, limit=len(cols))
                if not sub:
                    break
                subrows.append((toks[k], sub))
                k = k2
            if subrows:
                j = k
        seen[("t2", rkey)] = i
        if subrows:
            names = "、".join(s[0].text for s in subrows)
            res.notes.append(f"表二：“{rlabel}”分{len(subrows)}个子行（{names}）印出，已按列相加")
            for ci, (ckey, typ, clabel) in enumerate(cols):
                total, texts, wheres = 0, [], []
                for _, sub in subrows:
                    if ci < len(sub):
                        cr = _interpret(sub[ci], typ)
                        if isinstance(cr.value, (int, float)):
                            total += cr.value
                        texts.append(sub[ci].text)
                        wheres.append(sub[ci].where)
                _place(res, f"t2.{rkey}.{ckey}",
                       CellRead(total, " + ".join(texts), "；".join(wheres), "printed",
                                f"由子行（{names}）相加"), L.ed)
        else:
            _assign_row(res, f"t2.{rkey}", cols, vals, tok, L.ed, f"表二“{rlabel}”", at_end=rd.ends(j))
        i = max(j, i + 1)


def _assign_row(res, prefix, cols, vals, label_tok, ed, what, at_end=False) -> None:
    numbers = [v for v in vals if v.kind != "blank"]
    unstructured = all(v.row is None for v in vals)
    if at_end and len(vals) < len(cols):
        res.cut_row = (f"{what}行（只印出 {len(vals)} 个数值，应有 {len(cols)} 个）" if vals
                       else f"{what}行（栏目名称之后没有数值）")
        unstructured = False
    if len(vals) > len(cols):
        extra = " ".join(v.text for v in vals[len(cols):] if v.text)
        res.notes.append(f"{what}行印出的数值多于栏目数，多出的“{extra}”未导入")
    for ci, (ckey, typ, _) in enumerate(cols):
        cid = f"{prefix}.{ckey}"
        if ci < len(vals):
            cell = _interpret(vals[ci], typ)
            if unstructured and 0 < len(numbers) < len(cols):
                cell.note = "；".join(x for x in (cell.note, "该行数值少于栏目数，按从左到右对应") if x)
        else:
            cell = CellRead(None, "", label_tok.where, "not_printed" if at_end else "blank")
        _place(res, cid, cell, ed)
    if unstructured and 0 < len(numbers) < len(cols):
        res.notes.append(f"{what}行只印出 {len(numbers)} 个数值（应有 {len(cols)} 个），已按从左到右对应，"
                         "其余按空白处理，请核对")


def _read_t3(rd: _Reader, res: ImportResult, L, seen: dict) -> None:
    toks = rd.tokens
    order = L.t3_order
    short = {rk: t3_name(L.ed, rk) for rk in order}
    cols = [(k, "count", "") for k in T3_COLS]
    pending = None
    pointer = None  # index in ``order`` of the next row expected
    i = 0
    n = len(toks)
    started = False
    while i < n:
        tok = toks[i]
        if 3 in rd.sections and i >= rd.sections[3]:
            break
        if not rd.in_tables(i) or (2 in rd.sections and i < rd.sections[2]):
            i += 1
            continue
        if tok.kind is None:
            rk = L.t3(tok.k)
            if rk and ("t3", rk) not in seen:
                pending = rk
                seen[("t3", rk)] = i
                pointer = order.index(rk) + 1
                started = True
                _blank_row(res, f"t3.{rk}", cols, tok, L.ed)
            elif tok.k in L.t3_groups:
                pending = None
            i += 1
            continue
        if not started:
            i += 1
            continue
        vals, j = rd.run(i, limit=len(cols), after=toks[i - 1] if i and toks[i - 1].kind is None else None)
        if not any(v.kind != "blank" for v in vals):
            i = max(j, i + 1)
            continue
        if pending is not None and ("t3v", pending) not in seen:
            rk = pending
        elif pointer is not None and pointer < len(order) and ("t3", order[pointer]) not in seen \
                and not (all(v.row is None for v in vals) and len(vals) < len(cols)):
            rk = order[pointer]
            res.notes.append(f"表三：有一行缺少栏目名称，按位置识别为“{short[rk]}”")
            seen[("t3", rk)] = i
            pointer += 1
        else:
            stray = " ".join(v.text for v in vals)
            res.notes.append(f"表三：“{stray}”（{vals[0].where}）没有对应的栏目名称，未导入")
            i = max(j, i + 1)
            continue
        seen[("t3v", rk)] = i
        pending = None
        _assign_row(res, f"t3.{rk}", cols, vals, tok, L.ed, f"表三“{short[rk]}”", at_end=rd.ends(j))
        i = max(j, i + 1)


def t3_name(ed, rk: str) -> str:
    c = ed.by_id[f"t3.{rk}.natural"]
    return c.row_label if len(c.row_label) > 2 else c.labels[-2][:16]


def _blank_row(res, prefix, cols, tok, ed) -> None:
    for ckey, _, _ in cols:
        _place(res, f"{prefix}.{ckey}", CellRead(None, "", tok.where, "blank"), ed)


def _read_t4(rd: _Reader, res: ImportResult, ed, seen: dict) -> None:
    toks = rd.tokens
    start = rd.sections.get(3)
    if start is None:
        for i, t in enumerate(toks):
            if t.kind is None and t.k in ("行政复议", "结果维持", "未经复议直接起诉") and rd.sec_of[i] not in (4, 5):
                start = i
                break
    if start is None:
        return
    ids = [f"t4.{g}.{leaf}" for g, _, _ in E.T4_GROUPS for leaf, _ in E.T4_LEAVES]
    vals: list = []
    i = start + 1
    header_seen = False
    while i < len(toks) and rd.sec_of[i] not in (4, 5) and len(vals) < len(ids):
        t = toks[i]
        if t.kind is None:
            if vals:
                break
            header_seen = header_seen or t.k in ("行政复议", "行政诉讼", "结果维持", "总计")
        elif t.kind == "blank":
            if vals and t.row is not None and t.row == vals[-1].row:
                vals.append(t)
        elif t.row is not None:
            # a physical row of values: every cell of it is a position
            row = [x for x in toks[i:i + 4 * len(ids)] if x.row == t.row]
            before = [x for x in toks[max(0, i - 2 * len(ids)):i] if x.row == t.row]
            cells = [x for x in before if x.kind == "blank"] + row
            cells = [x for x in cells if x.kind is not None]
            while len(cells) > len(ids) and cells[-1].kind == "blank":
                cells.pop()
            while len(cells) > len(ids) and cells[0].kind == "blank":
                cells.pop(0)
            vals = cells[:len(ids)]
            # a data row broken over several lines (a PDF page): the next value rows continue it
            k = i + len(row)
            while len(vals) < len(ids) and k < len(toks) and toks[k].kind is not None \
                    and rd.sec_of[k] not in (4, 5):
                if toks[k].kind != "blank":
                    vals.append(toks[k])
                k += 1
            break
        else:
            vals.append(t)
        i += 1
    if not vals:
        if header_seen:
            for cid in ids:
                _place(res, cid, CellRead(None, "", toks[start].where, "blank"), ed)
            seen[("t4", "all")] = start
        return
    seen[("t4", "all")] = start
    unstructured = all(v.row is None for v in vals)
    for cid, v in zip(ids, vals):
        _place(res, cid, _interpret(v, "count"), ed)
    for cid in ids[len(vals):]:
        _place(res, cid, CellRead(None, "", vals[-1].where, "blank" if not unstructured else "not_printed"), ed)
    if len(vals) < len(ids):
        res.notes.append(f"表四只印出 {len(vals)} 个数值（应有 {len(ids)} 个），已按官方列序从左到右对应，请核对")


def _totals_findings(res: ImportResult, ed) -> None:
    """I-1: a printed total that differs from the sum of its printed parts."""
    def printed(cid):
        c = res.cells.get(cid)
        return c is not None and c.status in ("printed", "none", "blank") and not (
            c.status == "blank" and c.note)

    def num(cid):
        v = res.cells[cid].value
        return v if isinstance(v, (int, float)) and not isinstance(v, bool) else 0

    def check(total_id, part_ids, what, parts_text, table):
        if not printed(total_id) or not all(printed(p) for p in part_ids):
            return
        tcell = res.cells[total_id]
        if isinstance(tcell.value, str) or any(isinstance(res.cells[p].value, str) for p in part_ids):
            return
        s = sum(num(p) for p in part_ids)
        if tcell.status == "blank":
            if s == 0:
                return
            variant, t = "blank", 0
        else:
            variant, t = "", num(total_id)
            if abs(t - s) < 1e-9:
                return
        c = ed.by_id[total_id]
        refs = [CellRef(c.sheet, c.address, total_id, c.path, tcell.value if tcell.status != "blank" else None)]
        for p in part_ids:
            pc = ed.by_id[p]
            refs.append(CellRef(pc.sheet, pc.address, p, pc.path, res.cells[p].value))
        f = finding(IMPORT_RULE, variant, table=table, cells=refs, culprit=total_id, what=what,
                    parts=parts_text, total=_fmt(t), sum=_fmt(s), diff=_fmt(t - s), where=tcell.where)
        f.lhs, f.rhs, f.diff = t, s, t - s
        res.findings.append(f)

    t3_rows = [c.row for c in ed.cells if c.table == "t3" and c.col == "natural"]
    for rk in t3_rows:
        check(f"t3.{rk}.total", [f"t3.{rk}.{p}" for p in T3_PARTIES], f"表三“{t3_name(ed, rk)}”行的“总计”",
              "自然人至其他六列", "t3")
    results = E.T3_RESULT_ROWS[ed.key]
    for col, clabel in E.T3_COLS:
        check(f"t3.results_total.{col}", [f"t3.{r}.{col}" for r in results], f"表三“（七）总计”行“{clabel}”列",
              "（一）至（六）各项", "t3")
    for g, _, glabel in E.T4_GROUPS:
        check(f"t4.{g}.total", [f"t4.{g}.{p}" for p in E.COL_SETS["parts"]], f"表四“{glabel}”的“总计”",
              "结果维持、结果纠正、其他结果、尚未审结", "t4")


def _fmt(v) -> str:
    if isinstance(v, float):
        return f"{v:g}"
    return str(v)


def _completeness(res: ImportResult, rd: _Reader, seen: dict, ed) -> None:
    table_cells = [c for c in ed.cells if c.table in ("t2", "t3", "t4")]
    for c in table_cells:
        if c.id not in res.cells:
            res.cells[c.id] = CellRead(None, "", "", "not_printed")
            if c.kind == "input":
                res.values[c.id] = None
    res.not_printed = [c.id for c in table_cells if c.kind == "input" and res.cells[c.id].status == "not_printed"]
    res.has_tables = any(k[0] in ("t2", "t3", "t4") for k in seen)
    if not res.has_tables:
        res.notes.append("报告中没有找到表格（只有正文）：只导入了单位、年度和正文，表二至表四为空")
        res.complete = False
        return
    # the last official row read, in document order
    names = {}
    for (t, rk), idx in seen.items():
        if t == "t2":
            names[idx] = f"表二“{ed.by_id[next(c.id for c in table_cells if c.table == 't2' and c.row == rk)].row_label}”行"
        elif t == "t3":
            names[idx] = f"表三“{t3_name(ed, rk)}”行"
        elif t == "t4":
            names[idx] = "表四"
    last = names[max(names)] if names else ""
    if res.not_printed:
        missing_tables = [name for name, tab in (("表二", "t2"), ("表三", "t3"), ("表四", "t4"))
                          if all(res.cells[c.id].status == "not_printed" for c in table_cells if c.table == tab)]
        after_last = max(names) if names else 0
        later = any(i > after_last for i in rd.sections.values() if i is not None) and \
            any(n in rd.sections and rd.sections[n] > after_last for n in (4, 5))
        res.cut_at = last
        if later:
            res.notes.append(f"报告缺少部分表格内容（{'、'.join(missing_tables) or '部分行'}未印出），"
                             f"{len(res.not_printed)} 个单元格未印出，导入后为空（不按 0 处理）")
        else:
            if res.cut_row:
                last = res.cut_row
                res.cut_at = last
            res.notes.append(f"报告不完整：只印到{last}为止，其后的内容没有印出"
                             f"（{len(res.not_printed)} 个单元格未印出，导入后为空，不按 0 处理）")
        res.complete = False
    else:
        res.complete = True


def recognise(doc: Document, name: str = "", *, unit: str = "", year: int | None = None) -> ImportResult:
    rd = _Reader(doc, name)
    res = ImportResult(source=name, kind=doc.kind)
    res.notes += rd.notes
    paras = [str(b) for b in doc.blocks if isinstance(b, str)]
    # narrative sections
    block_titles = {rd.tokens[i].block: n for n, i in rd.sections.items()}
    current = None
    texts: dict = {0: [], 4: [], 5: []}
    for bi, b in enumerate(doc.blocks):
        if bi in block_titles:
            current = block_titles[bi]
            continue
        if current in texts and isinstance(b, str) and b.strip() and "|" not in b:
            texts[current].append(str(b).strip())
    hints = {key(h) for _, _, h in E.TEXT_SECTIONS}
    for n in texts:  # the signature (unit name above a date) is not part of the section
        lines = texts[n]
        for i in range(len(lines) - 1, 0, -1):
            if _DATE_LINE.match(lines[i].replace(" ", "")) and _plausible_unit(lines[i - 1]):
                del lines[i - 1:]
                break
    for n, k in ((0, "overview"), (4, "problems"), (5, "other")):
        if n in rd.sections:
            res.texts[k] = "\n".join(t for t in texts[n] if key(t) not in hints)
    found_year, year_how, found_unit, unit_how = year_and_unit(paras, texts[0])
    res.year = year or found_year
    res.unit = unit or found_unit
    if not year:
        if not found_year:
            res.notes.append("没有识别到报告年度（标题、统计期限和日期中都没有），请用 --year 指定")
        elif year_how not in ("标题", "报告自述", "统计期限"):
            res.notes.append(f"报告年度 {found_year} 是从{year_how}推断的，请核对")
    if not unit and not found_unit:
        res.notes.append("没有识别到单位名称（标题和落款中都没有），请用 --unit 指定")
    res.edition, res.edition_source = rd.edition(res.year)
    if res.edition_source == "year":
        res.notes.append(f"表格栏目不足以判断版本，按报告年度 {res.year} 推定为 {res.edition} 版")
    elif res.edition_source == "default":
        res.notes.append("表格栏目和年度都不足以判断版本，按 2021 版导入")
    elif res.year and edition_for_year(res.year) != res.edition:
        res.notes.append(f"报告年度 {res.year} 与表格版本 {res.edition} 不一致，按表格识别为 {res.edition} 版")
    ed = get_edition(res.edition)
    L = labels(res.edition)
    seen: dict = {}
    _read_t2(rd, res, L, seen)
    _read_t3(rd, res, L, seen)
    _read_t4(rd, res, ed, seen)
    res.sections = sorted(rd.sections)
    missing = [E.SECTION_TITLES[n] for n in range(6) if n not in rd.sections]
    if missing and len(missing) < 6:
        res.notes.append("没有找到章节：" + "、".join(missing))
    _completeness(res, rd, seen, ed)
    _totals_findings(res, ed)
    for f in res.findings:
        res.notes.append(f"{f.severity_label}（{f.rule}）：{f.message}")
    return res


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
    return res


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
    """Cell notes for the workbook: cells whose printed text needed interpretation."""
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
