"""The report's year and unit: from the title, a sentence in which the report names
itself, the 统计期限 sentence, the dates and the signature — never from an arbitrary
sentence.  An unknown stays empty (the caller adds a note)."""

from __future__ import annotations

import re

from .recognize import clean


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
