"""Writer-neutral cell styles by layout role, shared by every workbook writer.

Both the openpyxl template writer and the XlsxWriter summary writer render a
``SheetLayout`` with these; keep them plain data.
"""

FONT = "宋体"
TITLE_FONT = "黑体"
LABEL_FILL = "F2F2F2"
TOTAL_FILL = "DDDDDD"
# 填报区: the light yellow Chinese statistical templates give cells to fill in.
INPUT_FILL = "FFF2CC"
SEVERITY_FILLS = {"error": "FFC7CE", "verify": "FFEB9C", "hint": "DDEBF7"}
# Marks by role (toolkit.marks.core.mark_plan): the likely culprit gets SEVERITY_FILLS;
# one of several equally likely cells a medium tint; the other cells of a broken rule
# (and the cell carrying the note of an undecided finding) a light tint.
CANDIDATE_FILLS = {"error": "FFE1E6", "verify": "FFF3C9", "hint": "EAF2FA"}
LIGHT_FILLS = {"error": "FFF3F5", "verify": "FFFAE8", "hint": "F4F8FC"}
FILL_LEVELS = {3: SEVERITY_FILLS, 2: CANDIDATE_FILLS, 1: LIGHT_FILLS}

ROLE_STYLES = {
    "title": dict(font=TITLE_FONT, size=14, bold=True, halign="center", valign="center"),
    "header": dict(size=10, bold=True, halign="center", valign="center", wrap=True, border=True,
                   fill=LABEL_FILL),
    "label": dict(size=10, halign="left", valign="center", wrap=True, border=True, fill=LABEL_FILL),
    "info_label": dict(size=11, bold=True, halign="center", valign="center", border=True,
                       fill=LABEL_FILL),
    "note": dict(size=10, halign="left", valign="center", wrap=True),
    "hint": dict(size=9, italic=True, color="808080", halign="left", valign="center", wrap=True),
    "input": dict(size=11, halign="center", valign="center", border=True, unlocked=True,
                  fill=INPUT_FILL),
    "input_text": dict(size=11, halign="left", valign="top", wrap=True, border=True, unlocked=True,
                       fill=INPUT_FILL),
    "total": dict(size=11, bold=True, halign="center", valign="center", border=True,
                  fill=TOTAL_FILL),
}

# Live checks and print furniture (toolkit.spec.live).
ROLE_STYLES.update({
    "status": dict(size=11, bold=True, halign="left", valign="center", wrap=True, border=True),
    "status_small": dict(size=10, halign="right", valign="center", wrap=True),
    "check": dict(size=10, halign="center", valign="center", border=True),
    "check_text": dict(size=10, halign="left", valign="center", wrap=True, border=True),
    "mirror": dict(size=9, halign="center"),
    "note_boxed": dict(size=10, halign="left", valign="center", wrap=True, border=True),
    "legend_error": dict(size=10, border=True, fill="FFC7CE"),
    "legend_input": dict(size=10, border=True, fill=INPUT_FILL),
    "signoff": dict(size=10, halign="left", valign="center", wrap=True),
    "signoff_line": dict(size=11, halign="left", valign="center", border=True),
    "print_head": dict(font=TITLE_FONT, size=12, bold=True, halign="left", valign="center"),
    "print_text": dict(size=11, halign="left", valign="top", wrap=True),
})
# Conditional formats of the live checks: key -> (fill, font colour) (Excel's standard pairs).
# The cells of a failing rule get coloured bold text only ("rule_*", no fill): the live check
# cannot tell which of them is wrong, and a conditional fill would hide the culprit's fill that
# ``check --annotate`` and the Excel button draw (issue #13: the culprit strong, nothing else shouting).
CONDITIONAL_STYLES = {"error": ("FFC7CE", "9C0006"), "verify": ("FFEB9C", "9C5700"),
                      "pass": ("C6EFCE", "006100"),
                      "rule_error": (None, "C00000"), "rule_verify": (None, "9C5700")}

NUMBER_FORMATS = {"count": "0", "signed": "0", "amount": "General", "year": "0"}
