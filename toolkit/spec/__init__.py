"""The form spec: the editions of the national format as data, and the rule catalogue.

Owns: ``editions`` (raw data: labels, layouts, rules per edition, the editions
registry), ``model`` (compiles the data into an :class:`Edition`; the registry API
every other module asks: ``EDITIONS``, ``get_edition``, ``edition_for_year``,
``DEFAULT_EDITION``, ``register_edition``), ``catalogue`` (every rule id with
severity, scope, title and message templates) and ``examples`` (a breaking example
per rule).  Nothing outside this package
imports ``editions``; it goes through the names exported here.
"""

from .model import (COVER_INSTRUCTIONS, COVER_TITLE, DEFAULT_EDITION, EDITION_ROW_VARIANTS,
                    EDITIONS, FIRST_YEAR, INFO_FIELDS,
                    LABEL_VARIANTS, NUMERIC_TYPES, OLD_TEXT_CELLS, SECTION_TITLES, SEVERITY_LABELS, SHEETS,
                    T2_BLOCK_LABEL_COL, T3_COLS, T3_GROUP_HEADER, T3_LEGAL_PERSON_COLS,
                    T3_LEGAL_PERSON_HEADER, T3_NOTE, T4_GROUPS, T4_LEAVES, T4_TOP, TABLE_TITLES,
                    TEMPLATE_VERSION, TEXT_PARAGRAPH_HINT, TEXT_PARAGRAPH_MAX,
                    TEXT_PARAGRAPHS, TEXT_SECTIONS, TYPE_LABELS, UNIT_TYPES, Cell, Edition,
                    LinearRule, ResultItem, SheetLayout, Term, default_edition, edition_for_year,
                    edition_info, get_edition, register_edition, unknown_edition_message,
                    unregister_edition)

from . import editions as data  # noqa: E402  the raw data, for tests only: no toolkit module outside
#                                 spec may use it (tests/test_spec_boundary.py)

__all__ = [
    "COVER_INSTRUCTIONS", "COVER_TITLE", "DEFAULT_EDITION", "EDITION_ROW_VARIANTS", "FIRST_YEAR", "EDITIONS", "INFO_FIELDS",
    "LABEL_VARIANTS", "NUMERIC_TYPES", "OLD_TEXT_CELLS", "SECTION_TITLES", "SEVERITY_LABELS", "SHEETS",
    "T2_BLOCK_LABEL_COL", "T3_COLS", "T3_GROUP_HEADER", "T3_LEGAL_PERSON_COLS",
    "T3_LEGAL_PERSON_HEADER", "T3_NOTE", "T4_GROUPS", "T4_LEAVES", "T4_TOP", "TABLE_TITLES",
    "TEMPLATE_VERSION", "TEXT_PARAGRAPH_HINT", "TEXT_PARAGRAPH_MAX", "TEXT_PARAGRAPHS",
    "TEXT_SECTIONS", "TYPE_LABELS", "UNIT_TYPES", "Cell", "Edition",
    "LinearRule", "ResultItem", "SheetLayout", "Term", "default_edition", "edition_for_year",
    "edition_info", "get_edition", "register_edition", "unknown_edition_message",
    "unregister_edition",
]
