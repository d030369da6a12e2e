"""Tables 二、三、四 of a report, found by their labels in the token stream.

A row label claims the run of values that follows it; rows printed without a label
are placed by the official row order; table 四 is the run of values after its title.
Printed totals are kept and compared with their printed parts (rule I-1); cells never
printed stay empty and are listed; a report that stops part-way says where.
One pass over the tokens: linear in the document.
"""

from __future__ import annotations

import re

from ..engine.findings import CellRef, finding
from ..engine.report import parse_number
from .. import spec as E
from ..spec import DEFAULT_EDITION, EDITIONS, edition_for_year, edition_info, get_edition
from . import recognize as R
from .identity import _DATE_LINE, _plausible_unit, year_and_unit
from .recognize import Token, clean, key, labels, section_of, tokens_of
from .result import CellRead, ImportResult
from .sources import Document

IMPORT_RULE = "I-1"
T3_COLS = [k for k, _ in E.T3_COLS]
T3_PARTIES = [k for k in T3_COLS if k != "total"]



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
        """(edition, how it was decided): the labels printed (every edition of the registry),
        else the year, else the current edition."""
        score = {ed: 0 for ed in EDITIONS}
        end_t2 = self.sections.get(2, len(self.tokens))
        start_t2 = self.sections.get(1, 0)
        all_markers = {ed: _t2_cols_rows(ed) for ed in EDITIONS}
        others = {ed: set().union(*(v for o, v in all_markers.items() if o != ed)) for ed in EDITIONS}
        for i in range(start_t2, end_t2):
            k = self.tokens[i].k
            if len(k) < 3 or len(k) > 20:
                continue
            for ed in EDITIONS:
                own = R.MARKERS[ed]
                if k in own or (not any(o.startswith(k) for o in others[ed])
                                and any(m.startswith(k) for m in own)):
                    score[ed] += 1
        # Table-三 rows only one edition prints (spec data ``import_t3_rows``; those in
        # ``import_t3_rows_with_values`` count only when values follow, their label being a
        # group header elsewhere, e.g. 2019's （六）其他处理).
        for i, tok in enumerate(self.tokens):
            if tok.kind is not None:
                continue
            for ed in EDITIONS:
                info, rk = edition_info(ed), labels(ed).t3(tok.k)
                if not rk:
                    continue
                if rk in info.get("import_t3_rows", ()):
                    score[ed] += 2
                elif rk in info.get("import_t3_rows_with_values", ()):
                    nxt = next((t for t in self.tokens[i + 1:i + 4] if t.kind != "blank"), None)
                    if nxt is not None and nxt.kind in ("num", "none"):
                        score[ed] += 2
        best = max(score.values())
        if list(score.values()).count(best) == 1:
            return max(score, key=score.get), "labels"
        if year:
            return edition_for_year(year), "year"
        return DEFAULT_EDITION, "default"


def _t2_cols_rows(ed_key: str) -> set:
    """Keys of the table-二 column and row labels of an edition."""
    blocks = get_edition(ed_key).t2_blocks
    return {key(c[1]) for b in blocks for c in b["cols"]} | {key(r[1]) for b in blocks for r in b["rows"]}


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
    results = ed.sets["results"]
    for col, clabel in E.T3_COLS:
        check(f"t3.results_total.{col}", [f"t3.{r}.{col}" for r in results], f"表三“（七）总计”行“{clabel}”列",
              "（一）至（六）各项", "t3")
    for g, _, glabel in E.T4_GROUPS:
        check(f"t4.{g}.total", [f"t4.{g}.{p}" for p in ed.sets["parts"]], f"表四“{glabel}”的“总计”",
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
    hints = {key(h + tail) for _, _, h in E.TEXT_SECTIONS for tail in ("", E.TEXT_PARAGRAPH_HINT)}
    hints.add(key(E.TEXT_PARAGRAPH_HINT))  # the template's hint rows (version 1 and 2)
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
