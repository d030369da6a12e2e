"""Recognise a published report in the intermediate model (``sources``).

The document's blocks are turned into one stream of *tokens* (cells and lines,
each with where it was printed).  Tables are then found by their labels, not by
their layout: a row label (FORMAT.md labels and their §5.4 variants, spaces and
line breaks ignored, truncated labels accepted) claims the run of values that
follows it; rows printed without a label are placed by the official row order;
table 四 is the run of values after its title.  Nothing here depends on how the
cells were separated (table cells, ``|``, tabs, one per line, spaces).

Everything is one pass over the tokens (linear in the document).
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

from .. import spec as E
from ..spec import EDITIONS, get_edition

# -- text keys ------------------------------------------------------------------------

_DROP = re.compile(r"[\s|:：,，、.．·;；“”\"'‘’()（）\[\]【】<>《》/／_*#]")


def clean(text: str) -> str:
    return unicodedata.normalize("NFKC", str(text or "")).replace("\u3000", " ").strip()


def key(text: str) -> str:
    return _DROP.sub("", clean(text))


_NUM = re.compile(r"^([+\-]?)(\d{1,3}(?:,\d{3})+|\d+)(\.\d+)?(万元|元|万|件|个|项|次|条|人|家|份)?$")
_NONE = re.compile(r"^[-—–―－~～/／\\×]+$|^无$")


def value_kind(text: str):
    """``num`` / ``none`` (printed “-”, “—”, “/”, “无”) / ``blank`` / None (not a value)."""
    t = clean(text).replace(" ", "")
    if t == "":
        return "blank"
    if _NONE.match(t):
        return "none"
    if _NUM.match(t):
        return "num"
    return None


# -- labels of both editions ---------------------------------------------------------

IMPORT_VARIANTS = {  # seen in published copies besides FORMAT.md §5.4
    "行政规范性档案": "行政规范性文件",  # a traditional-character mirror's 文件→檔案
}


def _head(label: str) -> str:
    return key(re.sub(r"[（(][^（）()]*[）)]\s*$", "", label)) or key(label)


class Labels:
    """Label keys of one edition: table-二 rows, table-三 rows in order, markers."""

    def __init__(self, ed_key: str):
        ed = get_edition(ed_key)
        self.ed = ed
        self.t2_rows = {}  # key -> (row key, official label)
        self.t2_cols = {}  # row key -> [(col key, type, label)]
        for block in ed.t2_blocks:
            for rkey, rlabel in block["rows"]:
                self.t2_rows[key(rlabel)] = (rkey, rlabel)
                self.t2_cols[rkey] = [(c[0], c[2], c[1]) for c in block["cols"]]
        variants = dict(E.LABEL_VARIANTS)
        variants.update(E.EDITION_ROW_VARIANTS.get(ed_key, {}))
        variants.update(IMPORT_VARIANTS)
        self.t2_variants = {}
        for v, official in variants.items():
            if key(official) in self.t2_rows:
                self.t2_variants[key(v)] = self.t2_rows[key(official)]
        self.t3_order = [c.row for c in ed.cells if c.table == "t3" and c.col == "natural"]
        self.t3_leaf = []  # (row key, full key, head key, short label)
        self.t3_groups = set()
        for rk in self.t3_order:
            cell = ed.by_id[f"t3.{rk}.natural"]
            label = cell.labels[-2]
            for v, official in E.LABEL_VARIANTS.items():
                if official == label:
                    self.t3_leaf.append((rk, key(v), _head(v), cell.row_label))
            self.t3_leaf.append((rk, key(label), _head(label), cell.row_label))
            for group in cell.labels[:-2]:
                self.t3_groups.add(key(group))
        self.t3_groups.add(key(E.T3_GROUP_HEADER))
        self.t3_bare = []
        for rk, full, head, _ in self.t3_leaf:
            for form in (full, head):
                bare = re.sub(r"^[一二三四五六七八九十0-9]+", "", form)
                if len(bare) >= 4 and bare not in self.t3_groups and not any(
                        re.sub(r"^[一二三四五六七八九十]+", "", g) == bare for g in self.t3_groups):
                    self.t3_bare.append((rk, bare))

    def t2(self, k: str):
        if k in self.t2_rows:
            return self.t2_rows[k], False
        if k in self.t2_variants:
            return self.t2_variants[k], True
        return None, False

    def t3(self, k: str):
        if not k or len(k) < 2:
            return None
        hit = self._t3(k)
        if hit is None and len(k) <= 80:
            # a group label printed in the same cell: “三、本年度办理结果（一）予以公开”
            for g in self.t3_groups:
                if k.startswith(g) and len(k) > len(g) + 1:
                    return self.t3(k[len(g):])
        return hit

    def _t3(self, k: str):
        for rk, bare in self.t3_bare:
            if k == bare:  # the label without its numbering: “予以公开”
                return rk
        for rk, full, head, _ in self.t3_leaf:
            if k == full:
                return rk
        for rk, full, head, _ in self.t3_leaf:
            if k.startswith(head) and len(k) <= len(full) + 4 and (len(head) >= 4 or k == head):
                return rk
            if len(k) >= 5 and full.startswith(k):
                return rk
        return None


_LABELS: dict = {}


def labels(ed_key: str) -> Labels:
    if ed_key not in _LABELS:
        _LABELS[ed_key] = Labels(ed_key)
    return _LABELS[ed_key]


def t2_label_keys(ed_key: str) -> set:
    """Keys of every table-二 label (block, column and row labels) of an edition."""
    keys = set()
    for block in get_edition(ed_key).t2_blocks:
        keys.add(key(block["label"]))
        keys |= {key(c[1]) for c in block["cols"]}
        keys |= {key(r[1]) for r in block["rows"]}
    return keys


def _markers() -> dict:
    """Per edition of the registry: its own table-二 labels (in no other edition); "all": every one."""
    own = {ed: t2_label_keys(ed) for ed in EDITIONS}
    out = {ed: keys - set().union(*(v for o, v in own.items() if o != ed)) for ed, keys in own.items()}
    out["all"] = set().union(*own.values())
    return out


class _Markers(dict):
    """``MARKERS`` computed from the registry when first used (and again when it changes)."""

    def _fresh(self):
        if self.get("_editions") != tuple(EDITIONS):
            self.clear()
            self.update(_markers())
            self["_editions"] = tuple(EDITIONS)
        return self

    def __getitem__(self, k):
        return dict.__getitem__(self._fresh(), k)


MARKERS = _Markers()

# -- section titles --------------------------------------------------------------------

SECTION_WORDS = [
    ("一", ["总体情况"]),
    ("二", ["主动公开政府信息情况", "主动公开政府信息"]),
    ("三", ["收到和处理政府信息公开申请情况", "收到和处理政府信息公开申请"]),
    ("四", ["政府信息公开行政复议行政诉讼情况", "政府信息公开行政复议", "行政复议行政诉讼情况"]),
    ("五", ["存在的主要问题及改进情况", "政府信息公开工作存在的主要问题", "存在的主要问题", "存在的问题"]),
    ("六", ["其他需要报告的事项", "其他事项"]),
]


def section_of(text: str):
    k = key(text)
    if not k or len(k) > 40:
        return None
    for n, (numeral, words) in enumerate(SECTION_WORDS):
        if k.startswith(numeral):
            rest = k[1:]
            if any(w in rest for w in words) or (len(rest) >= 2 and any(w.startswith(rest) for w in words)):
                return n
    return None


# -- tokens ------------------------------------------------------------------------------


@dataclass
class Token:
    text: str  # cleaned
    raw: str  # as printed
    where: str
    row: object  # physical row id when the source says where rows end, else None
    block: int
    para: bool  # a whole paragraph line
    k: str = ""
    kind: object = None
    formula: bool = False  # a workbook formula cell (its value is computed, not printed)

    def __post_init__(self):
        self.k = key(self.text)
        self.kind = value_kind(self.text)


def _known_label(k: str) -> bool:
    if k in MARKERS["all"]:
        return True
    return any(labels(ed).t3(k) for ed in EDITIONS)


def tokens_of(blocks: list) -> list:
    from .sources import Table
    out: list = []
    for bi, b in enumerate(blocks):
        if isinstance(b, Table):
            formulas = getattr(b, "formulas", None) or ()
            for ri, row in enumerate(b.rows):
                # a cell alone in its row (a title row of the table) may be a section title
                alone = sum(1 for c in row if clean(c)) == 1
                for ci, cell in enumerate(row):
                    out.append(Token(clean(cell), cell, f"{b.where}第{ri + 1}行第{ci + 1}列",
                                     ("t", bi, ri), bi, alone and bool(clean(cell)),
                                     formula=(ri, ci) in formulas))
            continue
        raw = str(b)
        where = getattr(b, "where", "")
        s = clean(raw)
        r = raw.replace("｜", "|").replace("\u3000", " ").strip()
        if "|" in r:
            parts = r.split("|")
            if parts and parts[0].strip() == "":
                parts = parts[1:]
            if parts and parts[-1].strip() == "":
                parts = parts[:-1]
            row = ("l", bi) if len(parts) >= 2 else None
            for n, part in enumerate(parts, start=1):
                out.append(Token(clean(part), part, f"{where}第{n}格", row, bi, False))
            continue
        if "\t" in r:
            parts = r.split("\t")
            row = ("l", bi) if len(parts) >= 2 else None
            for n, part in enumerate(parts, start=1):
                out.append(Token(clean(part), part, f"{where}第{n}格", row, bi, False))
            continue
        words = r.split()
        if len(words) >= 2:
            k = len(words)
            while k > 0 and value_kind(words[k - 1]) in ("num", "none"):
                k -= 1
            prefix = key("".join(words[:k]))
            # “label n n n” (a PDF line, a table row copied as text); a short prefix with two or
            # more numbers is a label cut by a narrow column (“2.其 11 18 2 9 16 0 56”)
            split = None  # where the row label starts: “三、本年度办理结果 （一）予以公开 0 0 …”
            if k < len(words) and k:
                split = next((j for j in range(max(0, k - 6), k) if _known_label(key("".join(words[j:k])))),
                             None)
            if k < len(words) and (k == 0 or split is not None
                                   or (len(words) - k >= 2 and len(prefix) <= 12)):
                if k:
                    j = split or 0
                    if j:
                        lead = " ".join(words[:j])
                        out.append(Token(clean(lead), lead, f"{where}第1格", ("l", bi), bi, False))
                    label = " ".join(words[j:k])
                    out.append(Token(clean(label), label, f"{where}第1格", ("l", bi), bi, False))
                for n, w in enumerate(words[k:], start=2 if k else 1):
                    out.append(Token(clean(w), w, f"{where}第{n}格", ("l", bi), bi, False))
                continue
        out.append(Token(s, raw, where, None, bi, True))
    return out
