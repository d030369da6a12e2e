"""xxgk — 政府信息公开工作年度报告 toolkit: template, check, merge, fill.

The Python API mirrors the commands::

    import toolkit
    result = toolkit.engine.check("某某镇.xlsx")          # findings as data
    toolkit.findings_frame([result])              # … as a pandas DataFrame
    toolkit.read_report("某某镇.xlsx").values     # cell id → number
"""

__version__ = "0.1.0"

from .spec import edition_for_year, get_edition  # noqa: E402
from .engine.report import read_report  # noqa: E402
from .engine.check import check, findings_frame  # noqa: E402
from .cells import cell_table, cells_frame  # noqa: E402
from .xlsx.template import build_template, write_template  # noqa: E402

__all__ = [
    "__version__", "get_edition", "edition_for_year", "read_report", "check", "findings_frame",
    "cell_table", "cells_frame", "build_template", "write_template",
]
