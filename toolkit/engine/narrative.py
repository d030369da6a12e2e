"""Figures in report prose, and the claims they make about the tables.

Two layers:

* :func:`extract` reads Chinese report prose and returns every figure
  (Arabic, full-width or Chinese numerals — ``23件``, ``２３件``,
  ``二十三件``, ``两件`` — with its unit), the words that introduce it, the
  subject it counts, its qualifiers (其中, 共, 同比增加 …) and the sentence
  it stands in; enumerations (``予以公开12件、部分公开3件``) are grouped with
  the total they state.  It knows nothing about tables.
* :func:`check_narrative` maps the figures to table quantities through
  ``toolkit.spec.claims`` (data) and compares: a pure function of the
  narrative sections and the cell values, used by the rule engine for
  workbooks and callable on imported reports.

Precision first: a figure becomes a claim only when its words name a table
quantity unambiguously; anything else is extracted and left alone.
"""

from __future__ import annotations

import re
from contextvars import ContextVar
from dataclasses import dataclass, field

from ..spec import claims as C
from ..spec import get_edition
from .findings import CellRef, Finding, finding

EPS = 1e-6

# ---------------------------------------------------------------------------
# Numerals
# ---------------------------------------------------------------------------
_FULLWIDTH = str.maketrans("０１２３４５６７８９．％", "0123456789.%")
_CN_DIGITS = {"零": 0, "〇": 0, "一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5, "六": 6,
              "七": 7, "八": 8, "九": 9}
_CN_UNITS = {"十": 10, "百": 100, "千": 1000}
_CN_CHARS = "零〇一二两三四五六七八九十百千万"


def chinese_number(text: str) -> int | None:
    """``二十三`` → 23, ``两`` → 2, ``一百零五`` → 105, ``三万`` → 30000; None if not a numeral."""
    if not text or any(ch not in _CN_CHARS for ch in text):
        return None
    total, section, digit = 0, 0, None
    for ch in text:
        if ch in _CN_DIGITS:
            if digit is not None and ch not in "零〇":  # “二三” is not a numeral
                return None
            digit = _CN_DIGITS[ch] if ch not in "零〇" else None
        elif ch in _CN_UNITS:
            section += (1 if digit is None else digit) * _CN_UNITS[ch]
            digit = None
        else:  # 万
            total += (section + (digit or 0)) * 10000
            section, digit = 0, None
    return total + section + (digit or 0)


_UNITS = sorted(list(C.MONEY_UNITS) + C.COUNT_UNITS + C.PERCENT_UNITS + C.OTHER_UNITS,
                key=len, reverse=True)
# Starts only where a numeral starts, and bounded spaces: linear on hostile text.
_FIGURE_RE = re.compile(
    r"(?P<num>(?<![\d.])\d{1,15}(?:\.\d{1,8})?|(?<![" + _CN_CHARS + r"])[" + _CN_CHARS + r"]{1,12})"
    r"[ \t\u3000]{0,3}(?P<approx>余|多)?[ \t\u3000]{0,3}(?P<unit>"
    + "|".join(map(re.escape, _UNITS)) + ")")
_SENTENCE_END = re.compile(r"[。！？!?\n]")
_CLAUSE_MARKS = "，,；;：:（）()"


# ---------------------------------------------------------------------------
# Extraction
# ---------------------------------------------------------------------------
@dataclass
class Figure:
    """One quantity stated in the prose."""

    value: float
    unit: str
    raw: str  # the numeral and unit as written
    phrase: str  # the words introducing the figure, with the figure (“共受理政府信息公开申请2件”)
    sentence: str
    start: int  # offset of the numeral in the section text
    end: int
    subject: str | None = None  # key of claims.QUANTITIES, "distractor", or None
    distractor: str = ""  # the distractor word, when subject == "distractor"
    verb: str = ""
    qualifiers: tuple = ()
    topic: str = ""  # table 四 topic an outcome figure belongs to
    approx: bool = False
    years: tuple = ()  # the year the sentence speaks of at the figure (“2022年收到申请5件”)

    @property
    def unit_class(self) -> str:
        if self.unit in C.MONEY_UNITS:
            return "money"
        if self.unit in C.PERCENT_UNITS:
            return "percent"
        if self.unit in C.COUNT_UNITS:
            return "count"
        return "other:" + self.unit

    def to_dict(self) -> dict:
        return {"value": self.value, "unit": self.unit, "raw": self.raw, "phrase": self.phrase,
                "subject": self.subject, "verb": self.verb or None,
                "qualifiers": list(self.qualifiers), "sentence": self.sentence}


@dataclass
class Enumeration:
    """Figures listed as parts of a total the same sentence states."""

    total: Figure
    parts: list
    sentence: str

    @property
    def parts_sum(self) -> float:
        return sum(p.value for p in self.parts)


@dataclass
class Sentence:
    text: str
    start: int
    figures: list = field(default_factory=list)
    enumerations: list = field(default_factory=list)


def _normalise(text: str) -> str:
    """Full-width digits to ASCII, same length (offsets stay valid)."""
    return text.translate(_FULLWIDTH)


def sentences(text: str) -> list:
    out, pos = [], 0
    for m in _SENTENCE_END.finditer(text + "\n"):
        chunk = text[pos:m.end()]
        stripped = chunk.strip()
        if stripped:
            out.append((stripped, pos + chunk.index(stripped[0])))
        pos = m.end()
    return out


_PATTERNS: dict = {}


def _hits(text: str, phrases: list) -> list:
    """Non-overlapping (start, end, value) matches, leftmost, longest phrase first."""
    key = id(phrases)  # the lists are module data of toolkit.spec.claims, kept alive below
    if key not in _PATTERNS:
        ordered = sorted(phrases, key=lambda p: len(p[0]), reverse=True)
        _PATTERNS[key] = (re.compile("|".join(re.escape(p) for p, _ in ordered)), dict(phrases), phrases)
    pattern, value_of, _ = _PATTERNS[key]
    return [(m.start(), m.end(), value_of[m.group(0)]) for m in pattern.finditer(text)]


def _mask(text: str, spans) -> str:
    chars = list(text)
    for s, e, *_ in spans:
        for i in range(s, e):
            chars[i] = "□"
    return "".join(chars)


def _segment_start(sentence: str, pos: int, prev_end: int) -> int:
    """Where the words introducing the figure at ``pos`` begin."""
    start = prev_end
    for i in range(pos - 1, prev_end - 1, -1):
        if sentence[i] in _CLAUSE_MARKS:
            return i + 1
    return start


def _figures_in(sentence: str) -> list:
    """(match, value) of each figure in a sentence, skipping words that only look like one."""
    out = []
    for m in _FIGURE_RE.finditer(sentence):
        num = m.group("num")
        after = sentence[m.end():m.end() + 3]
        if any(after.startswith(w) for w in C.NOT_A_FIGURE_AFTER):
            continue
        if num[0].isdigit():
            value = float(num) if "." in num else int(num)
            # part of a longer token (“12345热线”, “0577-…”) is not a figure
            if m.start() > 0 and (sentence[m.start() - 1].isdigit() or sentence[m.start() - 1] in "-—"):
                continue
        else:
            value = chinese_number(num)
            if value is None:
                continue
            before = sentence[m.start() - 1] if m.start() else ""
            if before in "每第逐" or before in _CN_CHARS:
                continue
            if after[:1] and after[:1] not in C.CHINESE_FIGURE_FOLLOWERS:
                continue  # “统一部署”, “一起”, “六个部分”
        out.append((m, value))
    return out


def _classify(words: str, ctx: dict) -> tuple:
    """(subject, distractor, verb, topic) for the words introducing a figure."""
    for generic in C.GENERIC_PHRASES:
        words = words.replace(generic, "□" * len(generic))
    dis = next((d for d in C.DISTRACTORS if d in words), "")
    subj_hits = _hits(words, C.SUBJECT_PHRASES)
    verbs = [v for *_, v in _hits(_mask(words, subj_hits), C.VERB_PHRASES)]
    verb = verbs[-1] if verbs else ""
    subjects = [v for *_, v in subj_hits]
    topics = [s for s in subjects if s in C.T4_TOPICS]
    if dis:
        return "distractor", dis, verb, ""
    outcomes = [s for s in subjects if s in C.T4_OUTCOMES]
    if outcomes:
        topic = topics[-1] if len(set(topics)) == 1 else ("" if topics else ctx.get("topic", ""))
        if len(set(outcomes)) != 1 or not topic:
            return None, "", verb, ""
        return f"{topic}.{C.T4_OUTCOMES[outcomes[0]]}", "", verb, topic
    if topics:
        if set(topics) == {"review", "suit"}:
            return "review+suit", "", verb, ""
        return topics[0], "", verb, topics[0]
    if "other_bare" in subjects:
        # only a bare “其他” listed among results (“…无法提供3件，其他0件”) is 其他处理
        bare = re.sub(r"^(?:其中|以及|另有|还有|和|及)", "", words.strip("□，,、；;：: "))
        if bare in ("其他", "其他情形", "其他情况") and ctx.get("in_results"):
            subjects = ["other_processing"]
        else:
            subjects = [x for x in subjects if x != "other_bare"]
    results = [s for s in subjects if s in C.NEEDS_APPLICATION_CONTEXT]
    if results:
        if len(set(results)) != 1 or not ctx.get("applications"):
            return None, "", verb, ""
        if results[0] in ("carry_forward", "carried_in") and re.search(r"\d{4}\s*年", words):
            return None, "", verb, ""  # “2021年度结转至2022年度”: which way depends on the report year
        return results[0], "", verb, ""
    if "applications" in subjects:
        return "applications", "", verb, ""
    rows = {s for s in subjects if s in C.T2_SUBJECTS}
    if len(rows) == 1:
        return rows.pop(), "", verb, ""
    if not subjects and ctx.get("topic") and any(w in words for w in C.T4_CASE_WORDS):
        return ctx["topic"], "", verb, ctx["topic"]  # “行政诉讼方面，共发生案件3件”
    if not subjects and verb == "new" and ctx.get("applications"):
        return "applications", "", verb, ""  # “上年结转3件，本年新收17件”
    prev = ctx.get("prev_subject")
    if not subjects and verb in C.T2_INHERIT_VERBS and prev in C.T2_SUBJECTS:
        return prev, "", verb, ""  # “制发行政规范性文件3件，废止2件”
    return None, "", verb, ""


def _qualifiers(words: str) -> tuple:
    for generic in C.GENERIC_PHRASES:
        words = words.replace(generic, "")
    return tuple(dict.fromkeys(q for *_, q in _hits(words, C.QUALIFIER_PHRASES)))


def extract(text: str) -> list:
    """Every sentence of ``text`` with its figures and enumerations."""
    original = text or ""
    text = _normalise(original)  # same length: offsets hold in both
    out = []
    prev_sentence = ""
    for sent, offset in sentences(text):
        written = original[offset:offset + len(sent)]
        s = Sentence(written, offset)
        ctx = {"topic": "", "applications": False, "in_results": False}
        prev_end = 0
        prev_fig = None
        for m, value in _figures_in(sent):
            seg_start = _segment_start(sent, m.start(), prev_end)
            words = sent[seg_start:m.start()]
            before = sent[:m.start()]
            ctx["applications"] = any(w in before for w in C.APPLICATION_CONTEXT_WORDS) or (
                any(w in prev_sentence for w in C.APPLICATION_CONTEXT_WORDS) and "主动公开" not in before)
            # the table-四 topic spoken of last (“行政复议…，其中…尚未审结1件”)
            last = max(((before.rfind(p), t) for p, t in C.T4_TOPICS_IN_TEXT.items()), default=(-1, ""))
            ctx["topic"] = last[1] if last[0] >= 0 else ""
            ctx["prev_subject"] = prev_fig.subject if prev_fig is not None else None
            subject, dis, verb, topic = _classify(words, ctx)
            # “上年度结转3件”: 上年 belongs to the subject, it is no qualifier of the figure
            quals = _qualifiers(_mask(words, [h for h in _hits(words, C.SUBJECT_PHRASES)
                                              if h[2] in ("carried_in", "carry_forward")]))
            if m.group("approx"):
                quals += ("约数",)
            # the year spoken of: the last one named before the figure (“2022年…8件，2023年…12件”)
            years = tuple(int(y) for y in re.findall(r"((?:19|20)\d\d)\s*年", before)[-1:])
            fig = Figure(value=value, unit=m.group("unit"), raw=written[m.start():m.end()], years=years,
                         phrase=written[seg_start:m.end()], sentence=written, start=offset + m.start(),
                         end=offset + m.end(), subject=subject, distractor=dis, verb=verb,
                         qualifiers=quals, topic=topic, approx=bool(m.group("approx")) or "约数" in quals)
            if subject is None and prev_fig is not None and {"同比增加", "同比减少"} & set(quals):
                fig.subject = prev_fig.subject  # “同比增长13.9%” counts what the figure before counts
            ctx["in_results"] = subject in C.NEEDS_APPLICATION_CONTEXT and subject not in (
                "carry_forward", "carried_in") or fig.subject == "other_processing" or ctx["in_results"]
            s.figures.append(fig)
            prev_end = m.end()
            prev_fig = fig
        s.enumerations = _enumerations(sent, offset, s.figures, written)
        out.append(s)
        prev_sentence = sent
    return out


_TRAILING_TOTAL = re.compile(r"^[，,、；;：:\s]*(?:共计|合计|总计|总共|共|累计)(?:为|达|有)?$")


def _same_class(a: Figure, b: Figure) -> bool:
    return a.unit_class == b.unit_class and a.unit_class in ("count", "money")


def _enumerations(sent: str, offset: int, figs: list, written: str) -> list:
    out = []
    for m in re.finditer("其中", sent):
        pos = offset + m.start()
        # an enumeration lives between semicolons: “复议2件，其中…；诉讼1件，其中…”
        lo = offset + max(sent.rfind(x, 0, m.start()) for x in "；;")
        hi_rel = min([i for i in (sent.find(x, m.end()) for x in ("；", ";", "其中")) if i >= 0]
                     or [len(sent)])
        hi = offset + hi_rel
        before = [f for f in figs if lo < f.start and f.end <= pos]
        parts = [f for f in figs if pos < f.start < hi
                 and not {"同比增加", "同比减少"} & set(f.qualifiers)]
        if not before or not parts:
            continue
        # Several totals of table-四 topics (“行政复议6件和行政诉讼3件，其中…”): match by topic.
        topics = {f.subject for f in before if f.subject in C.T4_TOPICS}
        if len(topics) > 1 and all(p.topic for p in parts):
            for f in before:
                if f.subject in C.T4_TOPICS:
                    grp = [p for p in parts if p.topic == f.subject and _same_class(f, p)]
                    if grp:
                        out.append(Enumeration(f, grp, written))
            continue
        total = before[-1]
        grp = [p for p in parts if _same_class(total, p)]
        allowed = C.PART_SUBJECTS.get(total.subject or "")
        if allowed is not None:  # a table quantity: its parts are its breakdown only
            grp = [p for p in grp if p.subject in allowed]
        if grp and not total.approx and not any(p.approx for p in grp):
            out.append(Enumeration(total, grp, written))
    # “予以公开12件、部分公开3件，共计15件”: the parts are the run of figures joined by 、和及
    # right before the total (a comma ends the run: “收到申请20件，予以公开12件、…” is no part)
    for i, f in enumerate(figs):
        if i < 2 or not _TRAILING_TOTAL.match(sent[figs[i - 1].end - offset:f.start - offset]):
            continue
        parts = [figs[i - 1]]
        for j in range(i - 2, -1, -1):
            if re.search(r"[，,；;：:]", sent[figs[j].end - offset:figs[j + 1].start - offset]):
                break
            parts.insert(0, figs[j])
        parts = [p for p in parts if _same_class(f, p)]
        if len(parts) >= 2 and not any(e.total is f for e in out):
            out.append(Enumeration(f, parts, written))
    return out


# ---------------------------------------------------------------------------
# Claims
# ---------------------------------------------------------------------------
@dataclass
class Claim:
    """A statement of the prose about a table quantity, and whether the tables agree."""

    section: str
    sentence: str
    figure: str  # as written (“共受理政府信息公开申请2件”, or the qualitative phrase)
    value: float | None
    subject: str
    quantity: str  # Chinese label of the mapped quantity
    rule: str
    cells: list  # the first accepted sum's cells
    alternatives: list  # [(cells, table value)] every accepted reading
    table_value: float | None
    agrees: bool | None  # None: the tables do not hold the cells (imported, cut short)
    kind: str = "figure"  # figure | qualitative | change | whole_for_part

    def to_dict(self) -> dict:
        return {"section": self.section, "sentence": self.sentence, "figure": self.figure,
                "value": self.value, "subject": self.subject, "quantity": self.quantity,
                "rule": self.rule, "cells": list(self.cells), "table_value": self.table_value,
                "alternatives": [{"cells": list(c), "value": v} for c, v in self.alternatives],
                "agrees": self.agrees, "kind": self.kind}


def _value_of(cid: str, values: dict, ed, invalid=frozenset()):
    if cid in invalid:
        return None
    if cid in values and values[cid] is not None:
        v = values[cid]
        return v if isinstance(v, (int, float)) else None
    if cid in ed.formulas:
        parts = [_value_of(i, values, ed, invalid) for i in ed.formulas[cid]]
        return None if any(p is None for p in parts) else sum(parts)
    return None


def _sum(cells, values, ed, invalid):
    vals = [_value_of(c, values, ed, invalid) for c in cells]
    return None if any(v is None for v in vals) else sum(vals)


def _fmt(v) -> str:
    if v is None:
        return "？"
    if isinstance(v, float):
        v = round(v, 6)
        return f"{v:.6f}".rstrip("0").rstrip(".")
    return str(v)


def _quote(sentence: str, phrase: str, width: int = 60) -> str:
    if len(sentence) <= width:
        return sentence
    i = sentence.find(phrase)
    if i < 0:
        return sentence[:width] + "…"
    lo = max(0, i - (width - len(phrase)) // 2)
    hi = min(len(sentence), lo + max(width, len(phrase)))
    return ("…" if lo else "") + sentence[lo:hi] + ("…" if hi < len(sentence) else "")


def _figure_claim(fig: Figure, section: str, ed, values, invalid) -> Claim | None:
    q = C.QUANTITIES.get(fig.subject or "")
    if q is None or ed.key not in q["sums"]:
        return None
    if set(fig.qualifiers) & C.NOT_WHOLE or fig.approx:
        return None
    if "各" in fig.qualifiers and fig.subject == "review+suit":
        return None  # handled as two claims by the caller
    unit = q.get("unit", "count")
    if unit == "money":
        if fig.unit not in C.MONEY_UNITS:
            return None
        value = fig.value * C.MONEY_UNITS[fig.unit]
    else:
        if fig.unit not in q.get("count_units", C.COUNT_UNITS):
            return None
        value = fig.value
    sums = q["sums"][ed.key]
    readings = sums.get(fig.verb) or sums["*"]
    alts = [(cells, _sum(cells, values, ed, invalid)) for cells in readings]
    known = [(c, v) for c, v in alts if v is not None]
    if unit == "money":
        decimals = len(str(fig.value).split(".")[1]) if "." in str(fig.value) else 0
        tol = 0.5 * 10 ** -decimals * C.MONEY_UNITS[fig.unit] + EPS
    else:
        tol = EPS
    agrees = None if not known else any(abs(v - value) <= tol for _, v in known)
    first = known[0] if known else alts[0]
    return Claim(section=section, sentence=fig.sentence, figure=fig.phrase.strip("，,、；;：: "),
                 value=value, subject=fig.subject, quantity=q["label"], rule=q["rule"],
                 cells=list(first[0]), alternatives=alts, table_value=first[1], agrees=agrees)


def _topics_said(clause: str, word: str, spec: dict, seen: list) -> list:
    """The topics a qualitative ``word`` in ``clause`` speaks of (may be none)."""
    i = clause.find(word)
    if spec["kind"] == "all_upheld":  # “复议、诉讼均获维持”, or the topic of an earlier clause
        named = [t for p, t in spec["topics"].items() if p in clause[:i]]
        return list(dict.fromkeys(named or [t for t in seen if t in spec["cells"]]))
    rest = clause[i + len(word):]
    if word == "无" and rest.startswith("法"):  # 无法提供
        return []
    if any(w in rest for w in C.NONE_SPOILERS):  # “未发生行政复议被纠错”: not “no review”
        return []
    gap = C.QUALITATIVE_GAP if word in C.NONE_WORDS_AT_DISTANCE else 0
    topics = list(dict.fromkeys(t for p, t in spec["topics"].items() if 0 <= rest.find(p) <= gap))
    if (not topics and "applications" in spec["cells"] and word in C.NONE_WORDS_AT_DISTANCE
            and "申请" in rest[:gap + 8] and not any(d in rest for d in C.DISTRACTORS)):
        topics = ["applications"]  # “未收到申请”
    return topics


def _qualitative_claims(sent: str, section: str, ed, values, invalid) -> list:
    """Statements without a figure (“均获维持”, “未发生行政复议”, “无结转”) against the tables."""
    out = []
    seen: list = []  # table-四 topics of the clauses read so far
    topic_words = C.QUALITATIVE[0]["topics"]
    for clause in re.split(r"[，,；;]", sent):
        if any(w in clause for w in C.EXCEPTION_WORDS):  # “除1件外，未发生…”
            seen = []
            continue
        if not re.search(r"\d", clause):  # a clause with a figure states no qualitative claim
            for spec in C.QUALITATIVE:
                word = next((w for w in spec["words"] if w in clause), None)
                if word is None:
                    continue
                for t in _topics_said(clause, word, spec, seen):
                    vals = [(c, _value_of(c, values, ed, invalid)) for c in spec["cells"][t]]
                    bad = [(c, v) for c, v in vals if v is not None and abs(v) > EPS]
                    known = all(v is not None for _, v in vals)
                    label = C.T4_TOPICS.get(t) or C.QUANTITIES[t]["label"]
                    out.append(Claim(
                        section=section, sentence=sent, figure=clause.strip(), value=None, subject=t,
                        quantity=f"{label}“{spec['says']}”", rule=spec["rule"],
                        cells=[c for c, _ in (bad or vals)], alternatives=[([c], v) for c, v in vals],
                        table_value=sum(v for _, v in bad) if bad else (0 if known else None),
                        agrees=False if bad else (True if known else None), kind="qualitative"))
        seen += [t for p, t in topic_words.items() if p in clause and t not in seen]
    return out


def _change_claim(fig: Figure, section: str, ed, values, previous, prev_ed) -> Claim | None:
    """“同比增加3件 / 增长13.9%” against last year's report."""
    q = C.QUANTITIES.get(fig.subject or "")
    if q is None or previous is None or ed.key not in q["sums"] or prev_ed.key not in q["sums"]:
        return None
    if "约数" in fig.qualifiers:
        return None
    cur_cells = (q["sums"][ed.key].get(fig.verb) or q["sums"][ed.key]["*"])[0]
    prev_cells = (q["sums"][prev_ed.key].get(fig.verb) or q["sums"][prev_ed.key]["*"])[0]
    cur = _sum(cur_cells, values, ed, frozenset())
    prev = _sum(prev_cells, previous, prev_ed, frozenset())
    if cur is None or prev is None:
        return None
    sign = 1 if "同比增加" in fig.qualifiers else -1
    if fig.unit_class == "percent":
        if prev == 0:
            return None
        actual = (cur - prev) / prev * 100
        decimals = len(str(fig.value).split(".")[1]) if "." in str(fig.value) else 0
        agrees = abs(actual - sign * fig.value) <= 0.5 * 10 ** -decimals + 0.05
        shown = f"{_fmt(round(actual, 1))}%"
    elif fig.unit_class == "count" and q.get("unit", "count") == "count":
        actual = cur - prev
        agrees = abs(actual - sign * fig.value) <= EPS
        shown = _fmt(actual)
    else:
        return None
    return Claim(section=section, sentence=fig.sentence, figure=fig.phrase.strip("，,、；;：: "),
                 value=sign * fig.value, subject=fig.subject, quantity=f"{q['label']}的同比变化",
                 rule="N-2", cells=list(cur_cells), alternatives=[(list(cur_cells), cur),
                                                                  (["上年/" + c for c in prev_cells], prev)],
                 table_value=actual, agrees=agrees, kind="change")


def _text_ref(ed, section: str, quote: str = "") -> CellRef | None:
    """The paragraph cell of ``section`` holding ``quote`` (the paragraphs of the report being
    checked, see :func:`narrative_of`), else the section's first paragraph cell."""
    from ..spec.paragraphs import cell_holding
    cells = ed.text_cells(section)
    if not cells:
        return None
    paras = _PARAGRAPHS.get()
    pairs = paras.get(section) if paras else None
    cid = cell_holding(pairs, quote) if pairs else cells[0].id
    c = ed.by_id[cid]
    return CellRef(c.sheet, c.address, c.id, c.path, None)


# section -> [(cell id, text)] of the workbook being checked (unset: a document being imported)
_PARAGRAPHS: ContextVar = ContextVar("xxgk_paragraphs", default=None)


def _cellref(ed, cid: str, values: dict) -> CellRef:
    c = ed.by_id[cid]
    return CellRef(c.sheet, c.address, c.id, c.path, values.get(cid))


def _claim_finding(cl: Claim, ed, values) -> Finding:
    """The finding of a claim the tables contradict (message templates: the catalogue)."""
    text_ref = _text_ref(ed, cl.section, cl.sentence)
    cells = [_cellref(ed, c, values) for c in cl.cells if c in ed.by_id]
    where = text_ref.ref if text_ref else cl.section
    quote = _quote(cl.sentence, cl.figure)
    first = cells[0] if cells else text_ref
    refs = cells + ([text_ref] if text_ref else [])
    if cl.kind == "qualitative":
        listing = "、".join(f"{ed.by_id[c.cell_id].label}（{c.ref}）为 {_fmt(_value_of(c.cell_id, values, ed))}"
                           for c in cells)
        f = finding(cl.rule, "qualitative", table="text", cells=refs, ref=first.ref, where=where,
                    quote=quote, listing=listing)
    elif cl.kind == "change":
        (_, cur), (_, prev) = cl.alternatives
        pct = "%" if cl.figure.endswith(("%", "％")) else ""
        f = finding(cl.rule, table="text", cells=refs, ref=first.ref, where=where, quote=quote,
                    quantity=cl.quantity.removesuffix("的同比变化"), current=_fmt(cur),
                    previous=_fmt(prev), actual=_fmt(cl.table_value) + pct)
    else:
        f = finding(cl.rule, table="text", cells=refs, ref=first.ref, where=where, quote=quote,
                    quantity=cl.quantity, value=_fmt(cl.value), table_text=_readings_text(cl, ed, values))
    f.lhs, f.rhs = cl.value, cl.table_value
    f.diff = None if cl.value is None or cl.table_value is None else round(cl.value - cl.table_value, 8)
    return f


def _readings_text(cl: Claim, ed, values) -> str:
    """“一·总计（三、依申请公开!J5）为 3，…”: every distinct reading of the claim, cell by cell."""
    def one(c):
        return f"{ed.by_id[c].label}（{ed.by_id[c].ref}）"

    out, seen = [], set()
    for cs, v in cl.alternatives:
        if v is None or v in seen:
            continue
        seen.add(v)
        if len(cs) == 1:
            out.append(f"{one(cs[0])}为 {_fmt(v)}")
        elif len(cs) > 3:
            nonzero = [c for c in cs if _value_of(c, values, ed)] or cs[:1]
            parts = "＋".join(f"{one(c)}{_fmt(_value_of(c, values, ed))}" for c in nonzero[:4])
            out.append(f"{ed.by_id[cs[0]].label}等 {len(cs)} 项之和为 {_fmt(v)}（{parts}"
                       f"{'等' if len(nonzero) > 4 else ''}）")
        else:
            out.append("＋".join(f"{one(c)}{_fmt(_value_of(c, values, ed))}" for c in cs) + f"＝{_fmt(v)}")
    return "，".join(out)


def check_narrative(sections: dict, values: dict, edition: str, previous: dict | None = None,
                    previous_edition: str | None = None, invalid=frozenset(),
                    year: int | None = None) -> tuple:
    """Claims of the narrative ``sections`` (section key → text) about the tables, and findings.

    ``values`` maps cell ids to numbers (totals may be missing: they are
    summed from their inputs); a claim whose cells are missing is listed with
    ``agrees=None`` and raises nothing.  ``previous``: last year's values, for
    “同比” claims.  ``year``: the report year; a figure of a sentence that
    names an earlier year (“2022年收到申请5件” in the 2023 report) claims
    nothing about this year's tables.  Returns ``(claims, findings)``; the
    findings are 核实.
    """
    ed = get_edition(edition)
    prev_ed = get_edition(previous_edition or edition) if previous is not None else None
    claims, findings = [], []
    for section, text in sections.items():
        for sent in extract(text or ""):
            sent_claims = []
            for fig in sent.figures:
                if {"同比增加", "同比减少"} & set(fig.qualifiers):
                    cl = _change_claim(fig, section, ed, values, previous, prev_ed)
                elif fig.subject == "review+suit" and "各" in fig.qualifiers:
                    for t in ("review", "suit"):
                        f2 = Figure(**{**fig.__dict__, "subject": t, "qualifiers": ()})
                        cl = _figure_claim(f2, section, ed, values, invalid)
                        if cl:
                            sent_claims.append((fig, cl))
                    continue
                elif year and any(y < year for y in fig.years):
                    cl = None  # last year's figure, in a comparison or a review of past work
                else:
                    cl = _figure_claim(fig, section, ed, values, invalid)
                if cl:
                    sent_claims.append((fig, cl))
            quals = _qualitative_claims(sent.text, section, ed, values, invalid)
            claims += [cl for _, cl in sent_claims] + quals
            for fig, cl in sent_claims:
                whole = _whole_for_part(fig, cl, sent, ed, values, invalid)
                if whole:
                    cl.agrees = False
                    findings.append(_whole_finding(cl, whole, ed, values, section))
            wrong = {id(fig) for fig, cl in sent_claims if cl.agrees is False}
            for _, cl in sent_claims:
                if cl.agrees is False and cl.kind in ("figure", "change"):
                    findings.append(_claim_finding(cl, ed, values))
            for cl in quals:
                if cl.agrees is False:
                    findings.append(_claim_finding(cl, ed, values))
            for en in sent.enumerations:
                if abs(en.parts_sum - en.total.value) <= EPS:
                    continue
                if en.total.subject == "applications" or len(en.parts) < 2 and en.parts_sum < en.total.value:
                    continue  # requests may be carried over; one part after 其中 is a subset
                if id(en.total) in wrong or any(id(p) in wrong for p in en.parts):
                    continue  # the wrong figure is already named against the table
                findings.append(_enumeration_finding(en, section, ed))
    return claims, findings


def _whole_for_part(fig: Figure, cl: Claim, sent: Sentence, ed, values, invalid):
    """The stated total of the enumeration ``fig`` belongs to, when a table cell of the
    figure's quantity holds that total instead of the figure (r037: “网站公开信息33条，
    其中规范性文件8个” with 规范性文件·本年新制作数量 33): ``(total, cell id)`` or None."""
    if cl.agrees is not True or cl.kind != "figure":
        return None
    en = next((e for e in sent.enumerations if any(p is fig for p in e.parts)), None)
    if en is None or not en.total.value or en.total.value <= fig.value:
        return None
    readings = C.QUANTITIES[cl.subject]["sums"][ed.key]
    for cells in (c for verb_sums in readings.values() for c in verb_sums):
        if (len(cells) == 1 and cells[0] not in C.CUMULATIVE_CELLS
                and _value_of(cells[0], values, ed, invalid) == en.total.value):
            return en.total, cells[0]
    return None


def _whole_finding(cl: Claim, whole, ed, values, section: str) -> Finding:
    total, cid = whole
    c = ed.by_id[cid]
    text_ref = _text_ref(ed, section, cl.sentence)
    cl.cells, cl.table_value, cl.kind = [cid], values.get(cid), "whole_for_part"
    f = finding(cl.rule, "whole_for_part", table="text",
                cells=[_cellref(ed, cid, values)] + ([text_ref] if text_ref else []),
                ref=c.ref, where=text_ref.ref if text_ref else section,
                quote=_quote(cl.sentence, cl.figure), quantity=cl.quantity, value=_fmt(cl.value),
                label=c.label, table_value=_fmt(values.get(cid)),
                total=total.phrase.strip("，,、；;：: "), row=c.row_label)
    f.lhs, f.rhs = cl.value, values.get(cid)
    return f


def _enumeration_finding(en: Enumeration, section: str, ed) -> Finding:
    text_ref = _text_ref(ed, section, en.sentence)
    f = finding("N-1", table="text", cells=[text_ref] if text_ref else [],
                where=text_ref.ref if text_ref else section,
                quote=_quote(en.sentence, en.total.phrase, 80),
                parts="＋".join(_fmt(p.value) for p in en.parts), parts_sum=_fmt(en.parts_sum),
                total=en.total.phrase.strip("，,、；;：: "), total_value=_fmt(en.total.value))
    f.lhs, f.rhs = en.parts_sum, en.total.value
    f.diff = round(en.parts_sum - en.total.value, 8)
    return f


def narrative_of(rep: Report, previous: Report | None = None) -> tuple:
    """(claims, findings) of the narrative sections against the tables (cached on ``rep``)."""
    if rep.narrative is None or rep.narrative[0] is not previous:
        token = _PARAGRAPHS.set({key: rep.paragraphs(key) for key in rep.texts})
        try:
            claims, findings = check_narrative(
                rep.texts, rep.values, rep.edition,
                previous=previous.values if previous is not None else None,
                previous_edition=previous.edition if previous is not None else None,
                invalid=frozenset(rep.invalid), year=rep.year)
        finally:
            _PARAGRAPHS.reset(token)
        rep.narrative = (previous, claims, findings)
    return rep.narrative[1], rep.narrative[2]
