"""Everything that touches the xlsx package format: the guarded reader of untrusted
workbooks (``reader``), the template writer (openpyxl, ``template``), the same
layouts drawn with XlsxWriter (``layout``), the macro template (``macro_template``)
and the shared cell styles (``styles``).
"""
