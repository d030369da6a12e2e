"""The drawing of one sheet (``SheetLayout``): labels, merges, sizes, print settings.

Its own module so that ``model`` (which builds the layouts) and ``live`` (which adds
the live-check furniture to them) both use it without importing each other.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from ..xlsx.cellref import col_letters as get_column_letter  # not openpyxl.utils: check start-up (issue #17)


@dataclass
class LayoutCell:
    """A cell as drawn in a sheet.  ``role`` drives style and protection."""

    value: object  # str / None; formulas start with "="
    role: str  # title | header | label | note | input | total | hint | info_label
    cell_id: str = ""


@dataclass
class SheetLayout:
    name: str
    key: str
    cells: dict = field(default_factory=dict)  # address -> LayoutCell
    merges: list = field(default_factory=list)  # "A1:D1"
    col_widths: dict = field(default_factory=dict)  # letter -> width
    row_heights: dict = field(default_factory=dict)  # row -> points
    print_title_rows: str = ""  # e.g. "2:4"
    freeze: str = ""  # first scrolling cell (panes frozen above and left of it), e.g. "D5"
    landscape: bool = False
    max_col: int = 1
    # Print and live-check furniture (toolkit.spec.live); writers render it as is.
    print_area: str = ""  # e.g. "A12:A140"; default: A1 to the last drawn row of max_col
    fit_height: int = 0  # pages tall when fitting (0: as many as needed)
    header: str = ""  # Excel header/footer codes (&P, &N …)
    footer: str = ""
    margins: tuple = ()  # (left, right, top, bottom, header, footer) in inches
    hidden_cols: tuple = ()  # column letters hidden on screen and in print
    conditional: list = field(default_factory=list)  # (sqref, formula, style key)

    def put(self, row: int, col: int, value, role: str, cell_id: str = "") -> str:
        addr = f"{get_column_letter(col)}{row}"
        self.cells[addr] = LayoutCell(value, role, cell_id)
        self.max_col = max(self.max_col, col)
        return addr

    def merge(self, r1: int, c1: int, r2: int, c2: int) -> None:
        if (r1, c1) != (r2, c2):
            self.merges.append(f"{get_column_letter(c1)}{r1}:{get_column_letter(c2)}{r2}")
