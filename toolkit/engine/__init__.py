"""The checking engine: a workbook's values as a ``Report``, the rules run over it,
``Finding``s as data, the verdict, and the plain-text rendering.

Owns: ``report`` (raw workbook -> Report, tamper detection), ``rules`` (rule
evaluation, one finding per cause), ``locate`` (error localisation: the likely wrong
cells and their values), ``findings`` (Finding/CellRef, severities, the results-sheet
contract), ``verdict`` (the one verdict), ``check`` (check() -> CheckResult,
findings_frame), ``render``.
Knows nothing about writing workbooks.
"""
