"""Marking check results in a workbook: notes, fills and the 校验结果 sheet.

One piece of logic serves two writers:

* ``xxgk check --annotate`` (``toolkit.marks.annotate.OpenpyxlBook``: a copy of
  the file, written with openpyxl);
* the 校验 / 清除标记 buttons of the macro template
  (``toolkit.marks.excel_button.XlwingsBook``: the open workbook, live in Excel).

Both implement the small :class:`MarkableBook` interface below; everything
else — which cells get a note, the note text, the fill of the worst
severity, the rows of the 校验结果 sheet, removing our own earlier marks,
the summary shown to the clerk — lives here and is tested on Linux through
the openpyxl implementation with real workbooks.

Our marks are recognised, and only ours are ever removed:

* a note is ours when its author is ``findings.NOTE_AUTHOR`` or its text
  starts with ``NOTE_PREFIX`` (Excel sets a note's author to the user name,
  so the button also writes the prefix);
* a fill is ours on every cell listed in the hidden record column of the
  previous 校验结果 sheet or carrying one of our notes; it is restored to
  the template's fill for the cell's layout role (inputs have none).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Protocol

from .. import __version__
from ..errors import UnreadableWorkbook
from ..engine.findings import (NOTE_AUTHOR, RESULTS_EXPLANATION_COL, RESULTS_HEADER_ROW, RESULTS_KEY_COL,
                       RESULTS_SHEET, SEVERITY_LABELS, SEVERITY_ORDER, TABLE_LABELS)
from .. import spec as E
from ..xlsx.styles import FILL_LEVELS, ROLE_STYLES, SEVERITY_FILLS
from ..xlsx.reader import RawBook, RawCell, RawSheet

NOTE_PREFIX = f"{NOTE_AUTHOR}："
# Hidden column after the key: the cells this run marked ("sheet!A1" joined
# by RECORD_SEP), so the next run can restore their fills even when the
# clerk deleted one of our notes by hand.
RESULTS_RECORD_COL = RESULTS_KEY_COL + 1
RESULTS_RECORD_HEADER = "标记单元格（程序使用）"
RECORD_SEP = "\n"
RESULTS_FIRST_ROW = RESULTS_HEADER_ROW + 1
RESULTS_WIDTHS = {"A": 6, "B": 7, "C": 8, "D": 8, "E": 22, "F": 70, "G": 40, "H": 24, "I": 24}


def results_row_height(values: list, line_height: float = 13.5) -> float:
    """Row height (points) that shows wrapped text of a 校验结果 row in full.

    Spreadsheet programs do not all fit rows to wrapped text on opening, so the
    height is set: a CJK character takes about two width units of a column.
    """
    from ..xlsx.cellref import col_letters as get_column_letter
    lines = 1
    for i, value in enumerate(values, start=1):
        width = RESULTS_WIDTHS.get(get_column_letter(i))
        if not width or value in (None, "") or i >= len(RESULTS_WIDTHS) - 1:
            continue
        for part in str(value).split("\n"):
            units = sum(2 if ord(ch) > 0x2E7F else 1 for ch in part)
            lines_here = max(1, -(-units // max(1, int(width) - 1)))
            lines = max(lines, lines_here)
    return min(409, lines * line_height + 4)
SEVERITY_COLOURS = {"error": "红色", "verify": "黄色", "hint": "蓝色"}

_ADDR = re.compile(r"^([A-Z]{1,3})(\d+)$")


# ---------------------------------------------------------------------------
# The interface a workbook writer implements
# ---------------------------------------------------------------------------


@dataclass
class SheetContent:
    """What :meth:`MarkableBook.read_sheet` returns for one sheet."""

    cells: dict = field(default_factory=dict)  # "B12" -> (value, formula or None)
    merges: list = field(default_factory=list)  # "A1:D1"
    validated: list = field(default_factory=list)  # sqref strings with a data validation
    protected: bool = False
    errors: dict = field(default_factory=dict)  # "B12" -> "#DIV/0!"


@dataclass
class ResultRow:
    """One row of the 校验结果 sheet."""

    values: list  # one value per RESULTS_HEADERS column
    severity: str
    link: tuple | None = None  # (sheet, address) the 单元格 column links to
    record: str = ""  # hidden record column: the cells marked for this finding


class MarkableBook(Protocol):
    """A workbook that can be read and marked (openpyxl copy or live Excel)."""

    path: str

    def sheet_names(self) -> list: ...

    def sheet_state(self, name: str) -> str: ...  # visible | hidden | veryHidden

    def structure_locked(self) -> bool: ...

    def has_vba(self) -> bool: ...

    def read_sheet(self, name: str) -> SheetContent: ...

    def unprotect(self) -> None: ...  # sheets and workbook structure; remembers the state

    def protect(self) -> None: ...  # restores what unprotect() found

    def clear_notes(self) -> list: ...  # removes our notes, returns [(sheet, address)]

    def write_note(self, sheet: str, address: str, text: str) -> None: ...

    def set_fill(self, sheet: str, address: str, colour: str | None) -> None: ...

    def write_results(self, summary: str, rows: list) -> None: ...  # (re)creates the sheet

    def remove_results(self) -> None: ...

    def alert(self, message: str) -> None: ...


def is_our_note(author, text) -> bool:
    return (author or "").strip() == NOTE_AUTHOR or str(text or "").startswith(NOTE_PREFIX)


# A cell has one note.  When a finding hits a cell that already carries the
# clerk's own note, our note embeds it after this line and clearing our note
# puts the clerk's note back (author included).
KEPT_NOTE_MARK = "——以下为原有批注（作者：{author}），清除校验标记后恢复——"
_KEPT_NOTE = re.compile(r"\n——以下为原有批注（作者：(.*?)），清除校验标记后恢复——\n", re.S)


def combine_note(ours: str, author: str | None, text: str | None) -> str:
    """Our note text, keeping an existing note of someone else inside it."""
    if text is None or is_our_note(author, text):
        return ours
    return f"{ours}\n{KEPT_NOTE_MARK.format(author=author or '')}\n{text}"


def kept_note(text: str) -> tuple | None:
    """``(author, text)`` of the clerk's note kept inside our note, if any."""
    m = _KEPT_NOTE.search(str(text or ""))
    if not m:
        return None
    return m.group(1), str(text)[m.end():]


# ---------------------------------------------------------------------------
# Reading the book into the engine
# ---------------------------------------------------------------------------


def wanted_sheets() -> set:
    from ..engine.report import wanted_sheets as w
    return w()


def raw_book(book: MarkableBook) -> RawBook:
    """A :class:`RawBook` of the sheets the engine reads, through the interface."""
    raw = RawBook(path=book.path, structure_locked=book.structure_locked(), has_vba=book.has_vba())
    wanted = wanted_sheets()
    for name in book.sheet_names():
        raw.sheet_names.append(name)
        raw.sheet_states[name] = book.sheet_state(name)
        if name not in wanted:
            continue
        content = book.read_sheet(name)
        sheet = RawSheet(name=name, state=raw.sheet_states[name], merges=list(content.merges),
                         protected=content.protected,
                         validations=[{"sqref": s, "type": "any", "operator": "between",
                                       "formula1": None} for s in content.validated])
        for addr, (value, formula) in content.cells.items():
            err = content.errors.get(addr)
            if value is None and formula is None and err is None:
                continue
            if isinstance(value, str) and value == "" and formula is None:
                continue
            sheet.cells[addr] = RawCell(value=None if err else value, formula=formula, error=err)
        raw.sheets[name] = sheet
    return raw


def check_book(book: MarkableBook):
    """Run the engine on the book's current contents → ``CheckResult``."""
    from ..engine.check import CheckResult
    from ..engine.report import report_from_book
    from ..engine.rules import evaluate
    try:
        rep = report_from_book(raw_book(book))
    except UnreadableWorkbook as exc:
        return CheckResult(file=book.path, error=exc.reason)
    return CheckResult(file=book.path, report=rep, findings=evaluate(rep))


# ---------------------------------------------------------------------------
# What to mark
# ---------------------------------------------------------------------------


def _anchor(address: str, merges: list) -> str:
    """The top-left cell of the merged range holding ``address`` (or itself)."""
    from ..xlsx.cellref import range_bounds, split_ref
    pos = split_ref(address) if _ADDR.match(address) else None
    if not pos:
        return address
    col, row = pos
    for rng in merges:
        if ":" not in rng or range_bounds(rng) is None:
            continue
        c1, r1, c2, r2 = range_bounds(rng)
        if c1 <= col <= c2 and r1 <= row <= r2:
            return rng.split(":")[0]
    return address


# Roles of a cell in a finding (what the cell gets):
#   culprit   — the cell most likely wrong: strong fill and the note;
#   flag      — a cell a finding is about when no culprit is computed (a blank cell, a
#               规章 entry, a rule that could not be localised): strong fill and the note;
#   anchor    — carries the note of a finding with several equally likely cells: light fill;
#   candidate — one of several equally likely cells: medium fill, no note;
#   operand   — another cell of a broken rule: light fill, no note.
ROLE_LEVEL = {"culprit": 3, "flag": 3, "candidate": 2, "anchor": 1, "operand": 1}
NOTE_ROLES = ("culprit", "flag", "anchor")


@dataclass
class Mark:
    """What one cell gets: the findings of its note, its fill level and severity."""

    notes: list = field(default_factory=list)  # findings whose message is in the cell's note
    roles: dict = field(default_factory=dict)  # role -> [findings]

    @property
    def level(self) -> int:
        return max(ROLE_LEVEL[r] for r in self.roles)

    @property
    def severity(self) -> str:
        top = [f for r, fs in self.roles.items() if ROLE_LEVEL[r] == self.level for f in fs]
        return worst(top)

    @property
    def fill(self) -> str:
        return FILL_LEVELS[self.level][self.severity]

    @property
    def role(self) -> str:
        return max(self.roles, key=lambda r: (ROLE_LEVEL[r], r in NOTE_ROLES))

    def add(self, f, role: str) -> bool:
        """Mark the cell for finding ``f`` in ``role``; True when ``f``'s message joined its note."""
        fs = self.roles.setdefault(role, [])
        if f not in fs:
            fs.append(f)
        if role in NOTE_ROLES and f not in self.notes:
            self.notes.append(f)
            return True
        return False


def finding_roles(f) -> list:
    """``[(CellRef, role)]`` for the cells of one finding (see ROLE_LEVEL)."""
    focus = f.focus
    candidates = {c["cell"] for c in f.candidates}
    undecided = not f.culprit and len(candidates) > 1
    out = []
    for c in f.cells:
        is_focus = c is focus
        if f.culprit:
            role = "culprit" if is_focus else "operand"
        elif undecided:
            if is_focus:
                out.append((c, "anchor"))
            role = "candidate" if c.cell_id in candidates else (None if is_focus else "operand")
        elif f.lhs is not None:  # a rule no localisation explains: the note on its first cell
            role = "flag" if is_focus else "operand"
        else:  # a finding about each of its cells (blank cells, 规章 entries, …)
            role = "flag"
        if role:
            out.append((c, role))
    return out


def mark_plan(findings: list, sheet_names, merges: dict | None = None) -> dict:
    """``{(sheet, address): Mark}`` — which cells get which mark, for every writer.

    Only cells with an address on a sheet of this workbook: not sheet-level
    findings, not the previous year's cells (path ``上年/…``), never our own
    results sheet.  Cells no finding involves get nothing.
    """
    names = set(sheet_names) - {RESULTS_SHEET}
    merges = merges or {}
    out: dict = {}
    for f in findings:
        for c, role in finding_roles(f):
            if not c.address or c.sheet not in names or (c.path or "").startswith("上年/"):
                continue
            if not _ADDR.match(c.address):
                continue
            key = (c.sheet, _anchor(c.address, merges.get(c.sheet, [])))
            out.setdefault(key, Mark()).add(f, role)
    return out


def marked_cells(findings: list, sheet_names, merges: dict | None = None) -> dict:
    """``{(sheet, address): [findings]}`` for every cell whose note carries a finding."""
    return {k: m.notes for k, m in mark_plan(findings, sheet_names, merges).items() if m.notes}


def worst(findings: list) -> str:
    return min((f.severity for f in findings), key=lambda s: SEVERITY_ORDER[s])


def finding_line(f) -> str:
    line = f"【{SEVERITY_LABELS[f.severity]} {f.rule}】{f.message}"
    if f.severity == "verify":
        line += (f"（已说明：{f.explanation.strip()}）" if f.explained
                 else f"（请在“{RESULTS_SHEET}”工作表G列填写情况说明）")
    return line


def note_text(findings: list) -> str:
    """One note for a cell: every message, worst severity first."""
    ordered = sorted(findings, key=lambda f: SEVERITY_ORDER[f.severity])
    return NOTE_PREFIX + "\n" + "\n".join(finding_line(f) for f in ordered)


def template_fill(edition: str | None, sheet: str, address: str) -> str | None:
    """The fill colour the template gives ``sheet!address`` (None: no fill).

    Mirrors ``toolkit.xlsx.template.write_layout``: data cells that are filled in
    (inputs, cover fields, texts) have the input fill, other cells the fill of their
    layout role; cells of a bordered merged range take the first cell's.
    """
    from ..spec import EDITIONS, get_edition
    if edition not in EDITIONS:
        return None
    ed = get_edition(edition)
    lay = next((l for l in ed.layouts if l.name == sheet), None)
    if lay is None:
        return None
    first = _anchor(address, lay.merges)
    lc = lay.cells.get(first)
    if lc is None:
        return None
    if lc.cell_id and ed.by_id[lc.cell_id].kind in ("input", "info", "text"):
        return ROLE_STYLES["input"].get("fill")  # the 填报区 fill (toolkit.xlsx.styles)
    style = ROLE_STYLES.get(lc.role, {})
    if first != address and not style.get("border"):
        return None
    return style.get("fill")


def results_rows(result, sheet_names=None) -> list:
    """The rows of the 校验结果 sheet, one per finding (explanations kept by key).

    ``sheet_names``: the book's sheets; a link is only made to one of them.
    """
    explanations = result.report.explanations if result.report else {}
    rows = []
    for i, f in enumerate(result.findings, start=1):
        located = [c for c in f.cells if c.address and not (c.path or "").startswith("上年/")]
        focus = f.focus
        first = focus if focus is not None and focus in located else (
            located[0] if located else (f.cells[0] if f.cells else None))
        where = ""
        link = None
        if first is not None:
            where = _cell_list(located) if located else first.ref
            link = (first.sheet, first.address or "A1")
            if sheet_names is not None and first.sheet not in sheet_names:
                link = None
        explanation = f.explanation or explanations.get(f.key, "")
        record = RECORD_SEP.join(f"{c.sheet}!{c.address}" for c in located)
        rows.append(ResultRow(
            values=[i, SEVERITY_LABELS[f.severity], f.rule, TABLE_LABELS.get(f.table, f.table), where,
                    f.message, explanation, f.key],
            severity=f.severity, link=link, record=record))
    return rows


def _cell_list(cells: list, limit: int = 8) -> str:
    """``sheet!D5、D6、D28`` — the sheet named once per run of cells on it."""
    parts, sheet = [], None
    for c in cells[:limit]:
        parts.append(c.address if c.sheet == sheet else c.ref)
        sheet = c.sheet
    return "、".join(parts) + ("等" if len(cells) > limit else "")


def summary_text(result) -> str:
    """Row 1 of the 校验结果 sheet: the one-line verdict."""
    return f"{result.summary_line()}　（xxgk {__version__} 校验）"


def alert_text(result) -> str:
    """The Chinese message box after the 校验 button."""
    if not result.readable:
        return f"无法校验本工作簿：{result.error}"
    c = result.counts
    if result.verdict == "pass" and not c["verify"] and not c["hint"]:
        return "校验通过：没有发现问题。"
    head = {"pass": "校验通过", "verify": "校验完成，有待核实的项目", "fail": "校验未通过"}[result.verdict]
    parts = [f"错误 {c['error']} 项", f"核实 {c['verify']} 项"
             + (f"（未说明 {c['unexplained_verify']} 项）" if c["verify"] else ""),
             f"提示 {c['hint']} 项"]
    lines = [f"{head}：{'，'.join(parts)}。",
             "最可能填错的单元格已加深色底色和批注（" + "，".join(
                 f"{SEVERITY_COLOURS[s]}={SEVERITY_LABELS[s]}" for s in SEVERITY_COLOURS) + "），"
             "批注中写明应填的数；同一勾稽关系的其他格子只有浅色底色。"
             f"全部问题见“{RESULTS_SHEET}”工作表。"]
    if c["error"]:
        lines.append("“错误”必须改正；改正后请再次点击“校验”。")
    if c["unexplained_verify"]:
        lines.append(f"“核实”项如数据无误，请在“{RESULTS_SHEET}”工作表G列写明情况（至少6个字）。")
    return "\n".join(lines)


# ---------------------------------------------------------------------------
# Doing it
# ---------------------------------------------------------------------------


def _edition_of(book: MarkableBook) -> str | None:
    if E.SHEETS["meta"] not in book.sheet_names():
        return None
    cells = book.read_sheet(E.SHEETS["meta"]).cells
    for addr, (value, _) in cells.items():
        if addr.startswith("A") and value == "edition":
            v = cells.get("B" + addr[1:], (None, None))[0]
            return str(v) if v is not None else None
    return None


def _layout_merges(edition: str | None) -> dict:
    """Merged ranges of the template, by sheet (findings name the first cell of a range)."""
    from ..spec import EDITIONS, get_edition
    if edition not in EDITIONS:
        return {}
    return {lay.name: list(lay.merges) for lay in get_edition(edition).layouts}


def _recorded_cells(book: MarkableBook) -> set:
    """Cells the previous run listed in the record column of 校验结果."""
    if RESULTS_SHEET not in book.sheet_names():
        return set()
    from ..xlsx.cellref import col_letters as get_column_letter
    col = get_column_letter(RESULTS_RECORD_COL)
    out = set()
    for addr, (value, _) in book.read_sheet(RESULTS_SHEET).cells.items():
        m = _ADDR.match(addr)
        if not m or m.group(1) != col or int(m.group(2)) < RESULTS_FIRST_ROW or not isinstance(value, str):
            continue
        for ref in value.split(RECORD_SEP):
            sheet, _, a = ref.strip().rpartition("!")
            if sheet and _ADDR.match(a):
                out.add((sheet, a))
    return out


def _restore(book: MarkableBook, cells, edition, keep=()) -> int:
    names = set(book.sheet_names()) - {RESULTS_SHEET}
    n = 0
    for sheet, addr in sorted(set(cells) - set(keep)):
        if sheet in names:
            book.set_fill(sheet, addr, template_fill(edition, sheet, addr))
            n += 1
    return n


def apply_marks(book: MarkableBook, result) -> dict:
    """Replace our earlier marks with the marks of ``result``.

    Returns ``{(sheet, address): Mark}`` of the cells marked (see :func:`mark_plan`).
    """
    edition = result.report.edition if result.report else _edition_of(book)
    names = book.sheet_names()
    recorded = _recorded_cells(book)
    merges = _layout_merges(edition)
    marks = mark_plan(result.findings, names, merges)
    book.unprotect()
    try:
        removed = book.clear_notes()
        _restore(book, set(removed) | recorded, edition, keep=marks)
        for (sheet, addr), mark in marks.items():
            if mark.notes:
                book.write_note(sheet, addr, note_text(mark.notes))
            book.set_fill(sheet, addr, mark.fill)
        book.write_results(summary_text(result), results_rows(result, names))
    finally:
        book.protect()
    return marks


def clear_marks(book: MarkableBook) -> int:
    """Remove our notes and fills; returns how many cells were restored.

    The 校验结果 sheet is removed unless a clerk wrote explanations in it
    (those are kept for the next 校验, so the sheet stays).
    """
    edition = _edition_of(book)
    recorded = _recorded_cells(book)
    explained = _has_explanations(book)
    book.unprotect()
    try:
        removed = book.clear_notes()
        n = _restore(book, set(removed) | recorded, edition)
        if RESULTS_SHEET in book.sheet_names() and not explained:
            book.remove_results()
    finally:
        book.protect()
    return n


def _has_explanations(book: MarkableBook) -> bool:
    if RESULTS_SHEET not in book.sheet_names():
        return False
    from ..xlsx.cellref import col_letters as get_column_letter
    col = get_column_letter(RESULTS_EXPLANATION_COL)
    for addr, (value, _) in book.read_sheet(RESULTS_SHEET).cells.items():
        m = _ADDR.match(addr)
        if m and m.group(1) == col and int(m.group(2)) >= RESULTS_FIRST_ROW and str(value or "").strip():
            return True
    return False


def validate(book: MarkableBook):
    """The 校验 button: check the book as it is now, mark it, tell the clerk."""
    result = check_book(book)
    if result.readable:
        apply_marks(book, result)
    book.alert(alert_text(result))
    return result


def clear(book: MarkableBook) -> int:
    """The 清除标记 button."""
    n = clear_marks(book)
    msg = f"已清除校验标记（{n} 个单元格）。" if n else "没有需要清除的校验标记。"
    if RESULTS_SHEET in book.sheet_names():
        msg += f"“{RESULTS_SHEET}”工作表中填写的情况说明已保留。"
    book.alert(msg)
    return n


__all__ = ["MarkableBook", "SheetContent", "ResultRow", "NOTE_PREFIX", "RESULTS_RECORD_COL",
           "RESULTS_RECORD_HEADER", "apply_marks", "clear_marks", "validate",
           "clear", "check_book", "raw_book", "marked_cells", "mark_plan", "Mark", "note_text", "template_fill",
           "results_rows", "summary_text", "alert_text", "is_our_note"]
