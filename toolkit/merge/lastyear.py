"""Last year's values per unit, held compactly (``merge --previous`` with last year's summary).

Last year's summary of 10,000 units holds 2.1 million numbers in its 明细. Kept as
10,000 :class:`~toolkit.engine.report.Report` objects (a dict of ~200 numbers each)
they took ~110 MB in the main process, and every forked worker ended up with a
copy of its own (reference counting writes to every object it touches). Here they
are one flat ``array('d')`` (one slot of ``len(edition.by_id)`` numbers per unit)
with a ``bytearray`` of tags saying which numbers are there and whether each is an
int or a float: ~9 bytes a cell, a handful of Python objects in all, and pages that
forked workers only read.

:class:`LastYear` is a read-only mapping ``{norm unit name: Report}``: looking a unit
up builds a small, short-lived :class:`Report` with exactly the values, info and
path the dict of Reports held before, so the rules see no difference.
"""

from __future__ import annotations

import math
import os
from array import array
from collections.abc import Mapping
from contextlib import contextmanager
from pathlib import Path

from ..engine.report import Report
from ..spec import get_edition
from .columns import norm_name

DETAIL = "明细"  # the summary's per-unit sheet (written by toolkit.merge.summary)
DETAIL_FIRST_ROW = 3  # 0-based: row 1 ids (hidden), row 2 groups, row 3 columns

# tags of a cell in a unit's slot
_ABSENT, _INT, _FLOAT, _OTHER = 0, 1, 2, 3
_EXACT_INT = 2 ** 53  # ints below this are exact in a double


class LastYear(Mapping):
    """``{norm unit name: Report}`` of last year's summary, stored column-compact.

    Built row by row with :meth:`set` / :meth:`set_lead`, then :meth:`finish`.
    """

    def __init__(self, path: str | Path, edition: str, detail: str):
        ed = get_edition(edition)
        self.edition, self.detail = edition, detail
        self.year, self.has_year = None, False  # see set_year
        self.name = Path(path).name
        self.keys_ = tuple(ed.by_id)  # cell ids, the order of a slot
        self.col = {k: i for i, k in enumerate(self.keys_)}
        self._width = len(self.keys_)
        self._num = array("d")
        self._tag = bytearray()
        self._other: dict = {}  # (slot, column) -> a value a double cannot hold exactly
        # While reading, nothing is kept as a small Python object: objects that outlive the
        # reader's batches would pin its freed memory (pymalloc arenas) in the process and
        # in every worker forked from it.
        self._slot_at = array("l")  # sheet row -> slot, -1: none
        self._names = bytearray()  # unit names, UTF-8, one after the other
        self._name_at = array("q")  # slot -> start, end of its unit name in _names
        self._included = bytearray()  # slot -> 1 when counted in the summary (计入汇总 是…)
        self._slots: dict = {}  # norm unit name -> slot (after finish)
        self._units: dict = {}  # norm unit name -> unit name as written

    # -- building -------------------------------------------------------------------

    def _slot(self, row: int) -> int:
        if row >= len(self._slot_at):
            self._slot_at.extend(array("l", [-1]) * (row + 1024 - len(self._slot_at)))
        s = self._slot_at[row]
        if s < 0:
            s = self._slot_at[row] = len(self._included)
            self._num.extend(_zeros(self._width))
            self._tag.extend(bytes(self._width))
            self._name_at.extend((0, 0))
            self._included.append(0)
        return s

    def set(self, row: int, column: int, value) -> None:
        """Cell ``keys_[column]`` of the unit on sheet row ``row`` is the number ``value``."""
        s = self._slot(row)
        at = s * self._width + column
        if self._tag[at] == _OTHER:
            del self._other[(s, column)]
        if type(value) is int and -_EXACT_INT < value < _EXACT_INT:
            self._num[at], self._tag[at] = value, _INT
        elif type(value) is float and math.isfinite(value):
            self._num[at], self._tag[at] = value, _FLOAT
        else:  # a huge int, an int or float subclass, NaN: kept as it is
            self._num[at], self._tag[at] = 0.0, _OTHER
            self._other[(s, column)] = value

    def set_lead(self, row: int, key: str, value) -> None:
        """The unit name (``key`` "unit") or 计入汇总 ("included") of sheet row ``row``."""
        s = self._slot(row)
        if key == "unit":
            start = len(self._names)
            self._names += str(value or "").strip().encode("utf-8", "surrogatepass")
            self._name_at[2 * s], self._name_at[2 * s + 1] = start, len(self._names)
        else:
            self._included[s] = str(value).startswith("是")

    def finish(self, share: bool = False) -> "LastYear":
        """Match rows to units, as the dict of Reports did: rows in sheet order; a row
        without a unit name or without any number is skipped; a later row of the same
        unit replaces an earlier one unless it was not counted in the summary (计入汇总 否)."""
        w = self._width
        for s in self._slot_at:
            if s < 0:
                continue
            a, b = self._name_at[2 * s], self._name_at[2 * s + 1]
            if a == b or self._tag.count(_ABSENT, s * w, (s + 1) * w) == w:
                continue
            unit = self._names[a:b].decode("utf-8", "surrogatepass")
            key = norm_name(unit)
            if key in self._slots and not self._included[s]:
                continue
            self._slots[key], self._units[key] = s, unit
        self._slot_at, self._names, self._name_at, self._included = array("l"), bytearray(), array("q"), None
        if share:
            self._share()
        return self

    def _share(self) -> None:
        """Move the numbers and tags into a read-only mapping of an unlinked temporary file
        (POSIX). Forked workers share it as they shared the arrays, but a process's resident
        memory now counts only the pages it reads (a worker: the units it checks), and the
        main process, which reads none, none at all."""
        if os.name != "posix" or not self._tag:
            return
        import mmap
        import tempfile
        try:
            with tempfile.TemporaryFile() as fh:
                fh.write(memoryview(self._num).cast("B"))
                fh.write(self._tag)
                fh.flush()
                mapped = mmap.mmap(fh.fileno(), 0, access=mmap.ACCESS_READ)  # keeps the file
        except (OSError, ValueError):
            return  # no room for a temporary file: keep the arrays
        view = memoryview(mapped)
        n = len(self._num) * self._num.itemsize
        self._num, self._tag = view[:n].cast("d"), view[n:]

    def __getstate__(self) -> dict:  # workers started by spawn get a copy, not the mapping
        state = dict(self.__dict__)
        if isinstance(self._num, memoryview):
            state["_num"], state["_tag"] = array("d", self._num), bytearray(self._tag)
        return state

    def __setstate__(self, state: dict) -> None:
        self.__dict__.update(state)

    # -- reading --------------------------------------------------------------------

    def values_of(self, key: str) -> dict:
        """The unit's numbers ``{cell id: int | float}`` (a new dict)."""
        s = self._slots[key]
        w = self._width
        lo = s * w
        tags, nums = self._tag[lo:lo + w], self._num[lo:lo + w]
        out = {}
        for i, t in enumerate(tags):
            if t:
                k = self.keys_[i]
                out[k] = int(nums[i]) if t == _INT else nums[i] if t == _FLOAT else self._other[(s, i)]
        return out

    def __getitem__(self, key: str) -> Report:
        values = self.values_of(key)  # KeyError for an unknown unit, as a dict
        unit = self._units[key]
        info = {"unit_name": unit}
        if self.has_year:
            info["year"] = self.year
        return Report(path=f"{self.name}（{self.detail}：{unit}）", edition=self.edition,
                      kind="template", info=info, values=values)

    def __contains__(self, key) -> bool:
        return key in self._slots

    def __iter__(self):
        return iter(self._slots)

    def __len__(self) -> int:
        return len(self._slots)

    def set_year(self, year) -> None:
        """Every unit's ``info["year"]`` is ``year`` (the summary's own year, maybe None)."""
        self.year, self.has_year = year, True

    def years(self) -> set:
        """The report years of last year's units (all the summary's own year)."""
        return {self.year} if isinstance(self.year, int) and self._slots else set()

    def nbytes(self) -> int:
        """Bytes held by the numbers and tags (for the benchmark)."""
        return self._num.itemsize * len(self._num) + len(self._tag)


_ZEROS: dict = {}


def _zeros(n: int) -> array:
    z = _ZEROS.get(n)
    if z is None:
        z = _ZEROS[n] = array("d", bytes(8 * n))
    return z


def read_detail(path: str | Path, edition: str, share: bool = False):
    """Last year's values per unit from a summary's 明细: a read-only mapping
    ``{norm name: Report}`` (:class:`toolkit.merge.lastyear.LastYear`).

    明细 of a 10,000-unit summary holds 2.3 million cells: it is read with the
    reader's summary limits and streamed, each number going straight into one
    flat array as it arrives, so memory is ~9 bytes a cell (no object per unit).
    ``share``: move the numbers into a read-only mapping (``LastYear._share``), for
    last year's units that forked workers will look up.
    """
    from ..xlsx.reader import SUMMARY_LIMITS, read_workbook
    out = LastYear(path, edition, DETAIL)
    ids: dict = {}  # column letters -> key of the hidden id row (row 1 comes first)
    col = out.col  # cell id -> index in a unit's slot
    leads = ("unit", "included")
    digits = "0123456789"

    def take(_sheet, cells):
        for addr, cell in cells.items():
            i = len(addr.rstrip(digits))
            letters, row = addr[:i], int(addr[i:])
            if row == 1:
                if isinstance(cell.value, str):
                    ids[letters] = cell.value
                continue
            key = ids.get(letters)
            v = cell.value
            if row <= DETAIL_FIRST_ROW or key is None or v is None:
                continue
            at = col.get(key)
            if at is not None:
                if isinstance(v, (int, float)) and not isinstance(v, bool):
                    out.set(row, at, v)
            elif key in leads:
                out.set_lead(row, key, v)

    with _reader_caches_kept():
        book = read_workbook(path, {DETAIL}, limits=SUMMARY_LIMITS, on_cells=take)
    if DETAIL not in book.sheets or "unit" not in ids.values():
        return LastYear(path, edition, DETAIL).finish()
    return out.finish(share)


# The reader memoises the text cells it reads (the template's labels recur in every
# workbook). 明细's text cells (unit and file names) never recur: kept, they were ~28 MB
# for 10,000 units in the main process and again in every worker forked from it.
_READER_CACHES = ("_READ_CELLS", "_INLINE", "_SI_TEXTS")


@contextmanager
def _reader_caches_kept():
    """The reader's memo caches as they were before the block (what it added dropped)."""
    from ..xlsx import reader
    caches = [c for c in (getattr(reader, n, None) for n in _READER_CACHES) if isinstance(c, dict)]
    saved = [(dict(c), set(getattr(c, "seen", ()))) for c in caches]
    try:
        yield
    finally:
        for cache, (before, seen) in zip(caches, saved):
            cache.clear()
            cache.update(before)
            if hasattr(cache, "seen"):  # the reader's _Memo: what it has seen once
                cache.seen = seen


def release_free_memory() -> None:
    """Give the C heap's free pages back to the system (glibc ``malloc_trim``; elsewhere
    nothing). Reading last year's 明细 leaves ~15 MB of the reader's freed buffers in the
    heap; workers forked after it would each count them again in their resident memory."""
    try:
        import ctypes
        trim = getattr(ctypes.CDLL(None), "malloc_trim", None)  # glibc only
        if trim is not None:
            trim(0)
    except Exception:  # noqa: BLE001 — no C library to ask: nothing to do
        pass
