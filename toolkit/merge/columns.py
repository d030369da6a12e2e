"""The summary's data columns and unit-name keys, shared by ``run`` and ``summary``."""

from __future__ import annotations

from functools import lru_cache

from ..names import name_key
from ..spec import get_edition

DATA_TABLES = ("t2", "t3", "t4")


def norm_name(name: str) -> str:
    """Key used to match unit names (roster, duplicates, last year): :func:`toolkit.names.name_key`
    (NFKC, invisible characters and all whitespace removed)."""
    return name_key(name)


@lru_cache(maxsize=None)
def data_columns(edition: str) -> tuple:
    """Cell ids of every data cell (inputs and totals) of tables 二、三、四, in spec order."""
    return tuple(c.id for c in get_edition(edition).cells
                 if c.table in DATA_TABLES and c.kind in ("input", "total"))


@lru_cache(maxsize=None)
def _column_index(edition: str) -> dict:
    return {cid: i for i, cid in enumerate(data_columns(edition))}


@lru_cache(maxsize=None)
def leaves(edition: str, cell_id: str) -> frozenset:
    """Input cells a data cell is computed from (itself for an input)."""
    ed = get_edition(edition)
    if cell_id not in ed.formulas:
        return frozenset([cell_id])
    return frozenset().union(*(leaves(edition, i) for i in ed.formulas[cell_id]))
