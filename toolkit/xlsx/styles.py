"""Writer-neutral cell styles by layout role, shared by every workbook writer.

Both the openpyxl template writer and the XlsxWriter summary writer render a
``SheetLayout`` with these; keep them plain data.
"""

FONT = "宋体"
TITLE_FONT = "黑体"
LABEL_FILL = "F2F2F2"
TOTAL_FILL = "DDDDDD"
SEVERITY_FILLS = {"error": "FFC7CE", "verify": "FFEB9C", "hint": "DDEBF7"}

ROLE_STYLES = {
    "title": dict(font=TITLE_FONT, size=14, bold=True, halign="center", valign="center"),
    "header": dict(size=10, bold=True, halign="center", valign="center", wrap=True, border=True,
                   fill=LABEL_FILL),
    "label": dict(size=10, halign="left", valign="center", wrap=True, border=True, fill=LABEL_FILL),
    "info_label": dict(size=11, bold=True, halign="center", valign="center", border=True,
                       fill=LABEL_FILL),
    "note": dict(size=10, halign="left", valign="center", wrap=True),
    "hint": dict(size=9, italic=True, color="808080", halign="left", valign="center", wrap=True),
    "input": dict(size=11, halign="center", valign="center", border=True, unlocked=True),
    "input_text": dict(size=11, halign="left", valign="top", wrap=True, border=True, unlocked=True),
    "total": dict(size=11, bold=True, halign="center", valign="center", border=True,
                  fill=TOTAL_FILL),
}

NUMBER_FORMATS = {"count": "0", "signed": "0", "amount": "General", "year": "0"}
