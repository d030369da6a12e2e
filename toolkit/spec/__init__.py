"""The form spec: both editions of the national format as data."""

from .model import (EDITIONS, NUMERIC_TYPES, SEVERITY_LABELS, TABLE_TITLES, TYPE_LABELS, Cell,
                    Edition, LinearRule, SheetLayout, Term, edition_for_year, get_edition)
from . import editions as data

__all__ = [
    "EDITIONS", "NUMERIC_TYPES", "SEVERITY_LABELS", "TABLE_TITLES", "TYPE_LABELS", "Cell", "Edition",
    "LinearRule", "SheetLayout", "Term", "edition_for_year", "get_edition", "data",
]
