"""Marks on a workbook: notes, fills and the 校验结果 sheet drawn from findings.

``core`` decides what to draw (one layout for every front end); ``annotate`` draws it
into an annotated copy with openpyxl; ``excel_button`` draws it into the open workbook
through xlwings (the module the shipped ``.xlsm`` calls via the ``toolkit.excel_button``
shim).
"""
