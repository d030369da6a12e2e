"""xxgk — 政府信息公开工作年度报告 toolkit: template, check, merge, fill.

The Python API mirrors the commands::

    import toolkit
    result = toolkit.engine.check("某某镇.xlsx")          # findings as data
    toolkit.findings_frame([result])              # … as a pandas DataFrame
    toolkit.read_report("某某镇.xlsx").values     # cell id → number
"""

__version__ = "0.1.0"

# The API is imported on first use (PEP 562): ``python -m toolkit check FILE``
# and the Excel button must not pay for openpyxl, pandas and numpy at start-up.
_API = {
    "get_edition": ".spec", "edition_for_year": ".spec", "read_report": ".engine.report",
    "check": ".engine.check", "findings_frame": ".engine.check", "cell_table": ".cells",
    "cells_frame": ".cells", "build_template": ".xlsx.template", "write_template": ".xlsx.template",
}

__all__ = ["__version__", *_API]


def __getattr__(name: str):
    if name in _API:
        import importlib
        value = getattr(importlib.import_module(_API[name], __name__), name)
        globals()[name] = value
        return value
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
