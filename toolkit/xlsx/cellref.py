"""Cell addresses and ranges (``B12``, ``A1:C3``, ``D:D``) without openpyxl.

Imported by the reader, the spec and the checks, which must start fast:
``openpyxl.utils`` alone imports all of openpyxl and numpy (~0.3 s).
"""

from __future__ import annotations

import re
from functools import lru_cache


@lru_cache(maxsize=4096)
def col_index(letters: str) -> int:
    """``"AB"`` → 28."""
    n = 0
    for ch in letters:
        n = n * 26 + (ord(ch) - 64)
    return n


EXCEL_MAX_ROW = 1_048_576
EXCEL_MAX_COL = 16_384
_CELL_REF = re.compile(r"([A-Z]{1,3})([1-9][0-9]{0,6})\Z")
_RANGE_PART = re.compile(r"\$?([A-Z]{1,3})?\$?([0-9]{1,7})?\Z")


@lru_cache(maxsize=4096)
def col_letters(n: int) -> str:
    """28 → ``"AB"``."""
    s = ""
    while n:
        n, r = divmod(n - 1, 26)
        s = chr(65 + r) + s
    return s


def split_ref(ref: str) -> tuple[int, int] | None:
    """``"B12"`` → (column 2, row 12); None unless it is a valid cell address."""
    m = _CELL_REF.match(ref)
    if not m:
        return None
    col, row = col_index(m.group(1)), int(m.group(2))
    if col > EXCEL_MAX_COL or row > EXCEL_MAX_ROW:
        return None
    return col, row


@lru_cache(maxsize=4096)
def range_bounds(ref: str) -> tuple[int, int, int, int] | None:
    """(min col, min row, max col, max row) of ``A1``, ``A1:C3``, ``D:D`` or ``3:5``
    (whole columns and rows reach Excel's limits); None when it is not a range."""
    ref = ref.strip().upper()
    if not ref or ref.count(":") > 1:
        return None
    a, _, b = ref.partition(":")
    b = b or a
    ma, mb = _RANGE_PART.match(a), _RANGE_PART.match(b)
    if not ma or not mb:
        return None
    ca, ra, cb, rb = ma.group(1), ma.group(2), mb.group(1), mb.group(2)
    if (ca is None) != (cb is None) or (ra is None) != (rb is None) or (ca is None and ra is None):
        return None
    c1, c2 = (col_index(ca), col_index(cb)) if ca else (1, EXCEL_MAX_COL)
    r1, r2 = (int(ra), int(rb)) if ra else (1, EXCEL_MAX_ROW)
    if min(c1, r1) < 1 or max(c1, c2) > EXCEL_MAX_COL or max(r1, r2) > EXCEL_MAX_ROW:
        return None
    return min(c1, c2), min(r1, r2), max(c1, c2), max(r1, r2)


_COORD = re.compile(r"\$?([A-Za-z]{1,3})\$?([0-9]+)\Z")


@lru_cache(maxsize=8192)
def coordinate_from_string(ref: str) -> tuple[str, int]:
    """``"$B$12"`` → ("B", 12), as ``openpyxl.utils.cell.coordinate_from_string``."""
    m = _COORD.match(ref)
    if not m:
        raise ValueError(f"Invalid cell coordinates ({ref})")
    return m.group(1).upper(), int(m.group(2))
