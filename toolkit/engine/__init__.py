"""The checking engine: a workbook's values as a ``Report``, the rules run over it,
``Finding``s as data, the verdict, and the plain-text rendering.

Owns: ``report`` (raw workbook -> Report, tamper detection), ``rules`` (rule
evaluation), ``findings`` (Finding/CellRef, severities, the results-sheet contract),
``check`` (check() -> CheckResult, the one verdict, findings_frame), ``render``.
Knows nothing about writing workbooks.
"""
