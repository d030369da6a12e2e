"""The roster (单位名单) and matching the units that reported against it.

A roster is a ``.txt`` (one name a line), ``.csv`` or ``.xlsx``; in a table
the names are in the column headed 单位名称 (found by its label, in any
column; without such a header, the first column).  Reported unit names are
matched after normalisation (:mod:`toolkit.names`) and then fuzzily with
rapidfuzz: a near match is counted for that roster unit with a 核实, an
ambiguous one is asked about and never guessed.
"""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass, field
from pathlib import Path

from ..errors import UnreadableWorkbook, XxgkError
from ..names import name_core, name_key, tidy_name

HEADER_LABELS = ("单位名称", "单位", "名称", "单位全称")
FUZZY_CUTOFF = 80  # rapidfuzz ratio (0-100) of the name cores
FUZZY_MARGIN = 6  # the best candidate must beat the second by this much


def _decode(data: bytes, path: Path) -> str:
    for enc in ("utf-8-sig", "gb18030"):
        try:
            return data.decode(enc)
        except UnicodeDecodeError:
            continue
    raise XxgkError(f"单位名单 {path} 的文字编码无法识别，请另存为 UTF-8 文本或 .xlsx")


def _rows_xlsx(path: Path) -> list:
    from ..xlsx.reader import read_workbook
    try:
        book = read_workbook(path)
    except UnreadableWorkbook as exc:
        raise XxgkError(f"单位名单无法读取：{exc}") from None
    sheet = next((book.sheets[n] for n in book.sheet_names if n in book.sheets), None)
    if sheet is None:
        raise XxgkError(f"单位名单 {path} 中没有工作表")
    from openpyxl.utils.cell import column_index_from_string, coordinate_from_string
    grid: dict = {}
    for addr, cell in sheet.cells.items():
        if cell.value is None:
            continue
        col, row = coordinate_from_string(addr)
        grid.setdefault(row, {})[column_index_from_string(col)] = cell.value
    width = max((max(r) for r in grid.values()), default=0)
    return [[grid[r].get(c) for c in range(1, width + 1)] for r in sorted(grid)]


def _pick_column(rows: list) -> list:
    """Names under the 单位名称 header (any column, first 10 rows), else the first column."""
    for i, row in enumerate(rows[:10]):
        for j, v in enumerate(row):
            if v is not None and name_key(v) in HEADER_LABELS:
                return [r[j] if j < len(r) else None for r in rows[i + 1:]]
    return [r[0] if r else None for r in rows]


def read_roster(path: str | Path) -> list[str]:
    """Unit names of the roster at ``path`` (.txt, .csv, .xlsx), cleaned, without repeats."""
    path = Path(path)
    if not path.is_file():
        raise XxgkError(f"单位名单文件不存在：{path}")
    suffix = path.suffix.lower()
    if suffix in (".xlsx", ".xlsm"):
        names = _pick_column(_rows_xlsx(path))
    elif suffix == ".csv":
        text = _decode(path.read_bytes(), path)
        names = _pick_column([row for row in csv.reader(io.StringIO(text))])
    else:
        names = _pick_column([[line] for line in _decode(path.read_bytes(), path).splitlines()])
    out, seen = [], set()
    for raw in names:
        name = tidy_name(raw)
        if not name or name_key(name) in HEADER_LABELS:
            continue
        if name_key(name) not in seen:
            seen.add(name_key(name))
            out.append(name)
    if not out:
        raise XxgkError(f"单位名单 {path} 中没有单位名称（每行一个，或表格中“单位名称”一列）")
    return out


_NUMERALS = re.compile(r"[0-9０-９一二三四五六七八九十百零〇]+")


def _comparable(a: str, b: str) -> bool:
    """Fuzzy matching may forgive a typo, never a different number (第一/第二中学, 测试2/测试26)
    or a different kind of unit (石桥镇/石桥乡, …局/…委)."""
    return _NUMERALS.findall(a) == _NUMERALS.findall(b) and a[-1:] == b[-1:]


@dataclass
class Match:
    """How a reported name matched the roster."""

    how: str  # exact | near | ambiguous | none
    name: str = ""  # the roster's name (exact, near)
    candidates: list = field(default_factory=list)  # roster names (ambiguous)


class Roster:
    """Roster names with the indexes needed to match reported names."""

    def __init__(self, names: list):
        self.names = list(names)
        self.by_key = {name_key(n): n for n in self.names}
        self.by_core: dict = {}
        for n in self.names:
            self.by_core.setdefault(name_core(n), []).append(n)

    def match(self, name: str) -> Match:
        key = name_key(name)
        if not key:
            return Match("none")
        if key in self.by_key:
            return Match("exact", self.by_key[key])
        core = name_core(name)
        same = self.by_core.get(core, [])
        if len(same) == 1:
            return Match("near", same[0])
        if len(same) > 1:
            return Match("ambiguous", candidates=list(same))
        from rapidfuzz import fuzz, process
        cores = [c for c in self.by_core if _comparable(core, c)]
        hits = process.extract(core, cores, scorer=fuzz.ratio, score_cutoff=FUZZY_CUTOFF, limit=3)
        if not hits:
            return Match("none")
        best = hits[0][1]
        close = [h for h in hits if best - h[1] < FUZZY_MARGIN]
        names = [n for h in close for n in self.by_core[h[0]]]
        if len(names) == 1:
            return Match("near", names[0])
        return Match("ambiguous", candidates=names)
