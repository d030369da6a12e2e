"""District merge: a folder of unit workbooks -> one summary workbook.

``run`` finds, reads (in a process pool) and sums the units and applies the merge
rules; ``summary`` writes the summary workbook (说明, 汇总 tables, 明细, 问题清单, 图表);
``columns`` holds what both share (data columns, unit-name keys), so neither imports
the other.
"""
from .run import DEFAULT_TIMEOUT, MergeResult, merge  # noqa: F401
