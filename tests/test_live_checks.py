"""Live checks (issue #16): the formulas of the 校验 sheet against ``xxgk check``.

Random consistent reports (both editions) are written with the template
writer (formulas without cached values) and single-cell perturbations of
them are made by changing that one cell in the sheet XML; all files are
recalculated by LibreOffice headless in ONE soffice call (every sheet saved as
CSV), then for every rule instance the status LibreOffice computed is
compared with what the rule engine says about the same instance of the same
file:

* 不符 / 请核实 — the engine reports that rule instance;
* 未判断 — a cell it is computed from holds text or a number its type forbids
  (the engine reports that cell: R-1, R-2, T2-7 or T*-4) — the formulas do not
  guess what text means, Python does;
* 通过 — neither.

The cell-type rows (T2-4, T3-4, T4-4) are 不符 exactly when the engine
reports a bad entry in that table.  Also: the cover and table status lines
count the same statuses.  Files are kept in tests/artifacts/live/.
"""

from __future__ import annotations

import csv
import random
import re
import shutil
import subprocess
import zipfile
from pathlib import Path
from xml.sax.saxutils import escape

import pytest

import lo
from lo import needs_libreoffice
from toolkit.demo.sample import sample_info, sample_texts, sample_values
from toolkit.engine.report import read_report
from toolkit.engine.rules import evaluate, rule_failures
from toolkit.spec import editions as E
from toolkit.spec import get_edition
from toolkit.spec import live
from toolkit.xlsx.template import write_filled_workbook

ARTIFACTS = Path(__file__).resolve().parent / "artifacts" / "live"
EDITIONS = ["2019", "2021"]
YEAR = {"2019": 2020, "2021": 2021}
BASES = 8  # random consistent reports per edition
PERTURBATIONS = 26  # per base report: 8 × 26 = 208 per edition
# every sheet as UTF-8 CSV, formula results as shown (LibreOffice 7.2+: last token -1)
CSV_FILTER = "csv:Text - txt - csv (StarCalc):44,34,76,1,,0,false,true,false,false,false,-1"
BAD_ENTRY_RULES = {"R-1", "R-2", "T2-7", "T2-4", "T3-4", "T4-4"}
UNIT_TYPES = ["乡镇", "街道", "县级政府部门", "县级人民政府"]


# -- the oracle: what the rule engine says about each live row ------------------------


def engine_statuses(path) -> tuple[dict, list]:
    """(row of the 校验 sheet -> status the engine implies, findings)."""
    rep = read_report(path)
    ed = rep.spec
    findings = evaluate(rep)
    bad = {f.cells[0].cell_id for f in findings if f.rule in BAD_ENTRY_RULES and f.cells}
    # check's judgement of each rule instance; the findings fold them into causes (issue #13),
    # so every failing instance must still be named by some finding
    failed = {(r.id, r.lhs[0].cell): f for r, f in rule_failures(rep)}
    named = {rid for f in findings for rid in [f.rule, *(f.rules or [])]}
    assert {rid for rid, _ in failed} <= named, (path, failed.keys(), named)
    rules = {(r.id, r.lhs[0].cell): r for r in ed.rules}
    out = {}
    for row, rid, key in ed.live_checks:
        if key in live.TYPE_RULES:
            out[row] = live.FAIL if any(ed.by_id[c].table == key for c in bad if c) else live.PASS
            continue
        rule = rules[(rid, key)]
        leaves = {l for t in rule.lhs + rule.rhs for l in live.leaves(t.cell, ed.formulas)}
        if leaves & bad:
            out[row] = live.UNDECIDED
        elif (rid, key) in failed:
            out[row] = live.FAIL_STATUS[rule.severity]
        else:
            out[row] = live.PASS
    return out, findings


# -- workbooks and the LibreOffice run ------------------------------------------------------


def _write(path, edition, values, rng):
    unit = "某某镇人民政府"
    info = sample_info(unit, rng.choice(UNIT_TYPES), YEAR[edition])
    texts = sample_texts(unit, YEAR[edition], values, rng)
    write_filled_workbook(path, edition, values, info, texts)


def patch_cell(src: Path, dst: Path, sheet_index: int, addr: str, value) -> None:
    """Copy of ``src`` with one cell replaced in the sheet XML (number, text or blank)."""
    part = f"xl/worksheets/sheet{sheet_index + 1}.xml"
    with zipfile.ZipFile(src) as zin, zipfile.ZipFile(dst, "w", zipfile.ZIP_DEFLATED) as zout:
        for info in zin.infolist():
            data = zin.read(info.filename)
            if info.filename == part:
                xml = data.decode("utf-8")
                m = re.search(rf'<c r="{addr}"( s="\d+")?[^>]*?(/>|>.*?</c>)', xml)
                assert m, (src, part, addr)
                style = m.group(1) or ""
                if value is None:
                    new = f'<c r="{addr}"{style}/>'
                elif isinstance(value, str):
                    new = f'<c r="{addr}"{style} t="inlineStr"><is><t>{escape(value)}</t></is></c>'
                else:
                    new = f'<c r="{addr}"{style} t="n"><v>{value!r}</v></c>'
                data = (xml[:m.start()] + new + xml[m.end():]).encode("utf-8")
            zout.writestr(info, data)


def batch_csv(files: list, outdir: Path, per_call: int = 150) -> None:
    """Recalculate the files with LibreOffice, many per soffice call (one call
    stops after about 250 files); every sheet saved as CSV
    (``<stem>-<sheet>.csv``), much cheaper than re-saving xlsx."""
    for at in range(0, len(files), per_call):
        prof = lo._profile()
        try:
            proc = subprocess.run(
                [lo.SOFFICE, f"-env:UserInstallation={prof.as_uri()}", "--headless", "--norestore",
                 "--convert-to", CSV_FILTER, "--outdir", str(outdir),
                 *map(str, files[at:at + per_call])], capture_output=True, text=True, timeout=600)
        finally:
            shutil.rmtree(prof, ignore_errors=True)
    missing = [f for f in files if not (outdir / f"{Path(f).stem}-{live.CHECK_SHEET}.csv").exists()]
    assert not missing, f"LibreOffice did not convert {len(missing)} files: {proc.stderr[-300:]}"


def _csv(outdir: Path, stem: str, sheet: str) -> list:
    with open(outdir / f"{stem}-{sheet}.csv", encoding="utf-8", newline="") as fh:
        return list(csv.reader(fh))


def _perturbation(ed, values: dict, rng: random.Random):
    """One single-cell change: (cell, new value or None for blank, description)."""
    c = rng.choice([c for c in ed.inputs() if c.numeric])
    old = values.get(c.id, 0)
    kind = rng.choice(["+1", "-1", "+n", "zero", "blank", "half", "negative", "text_same",
                       "text_off", "garbage", "suffix", "+1", "-1", "+n"])
    new = {"+1": old + 1, "-1": old - 1, "+n": old + rng.randint(2, 30), "zero": 0, "blank": None,
           "half": old + 0.5, "negative": -abs(old) - 1, "text_same": str(old),
           "text_off": str(old + 1), "garbage": rng.choice(["无", "/", "—", "abc"]),
           "suffix": f"{old}{'万元' if c.type == 'amount' else '件'}"}[kind]
    return c, new, f"{c.id} {kind} {new!r}"


def _at(rows: list, addr: str) -> str:
    r, c = live._rc(addr)
    return rows[r - 1][c - 1] if r <= len(rows) and c <= len(rows[r - 1]) else ""


@pytest.fixture(scope="module")
def played():
    """edition -> [(description, file, {校验 row: LibreOffice status}, cover line, t3 top line)].

    Base reports are real files written by the template writer; each
    perturbation is a copy with one cell changed in its XML.  All files are
    recalculated by LibreOffice in one run; the engine reads the same files.
    """
    work, out = ARTIFACTS / "in", ARTIFACTS / "out"
    for d in (work, out):
        shutil.rmtree(d, ignore_errors=True)
        d.mkdir(parents=True)
    files, plan = [], {}
    for edition in EDITIONS:
        ed = get_edition(edition)
        sheets = [lay.name for lay in ed.layouts]
        rng = random.Random(f"live-{edition}")
        plan[edition] = []
        for b in range(BASES):
            values = sample_values(edition, rng, scale=rng.choice([0.3, 1, 3]),
                                   unit_type=rng.choice(UNIT_TYPES))
            base = work / f"{edition}-{b:02d}.xlsx"
            _write(base, edition, values, rng)
            files.append(base)
            plan[edition].append(("base", base))
            for i in range(PERTURBATIONS):
                c, new, what = _perturbation(ed, values, rng)
                path = work / f"{edition}-{b:02d}-{i:02d}.xlsx"
                patch_cell(base, path, sheets.index(c.sheet), c.address, new)
                files.append(path)
                plan[edition].append((what, path))
    batch_csv(files, out)
    result = {}
    for edition, cases in plan.items():
        ed = get_edition(edition)
        rows = [row for row, _, _ in ed.live_checks]
        cover = next(a for a, lc in ed.layout("cover").cells.items() if lc.role == "status")
        t3_top = next(a for a, lc in ed.layout("t3").cells.items() if lc.role == "status_small")
        result[edition] = []
        for what, path in cases:
            checks = _csv(out, path.stem, live.CHECK_SHEET)
            result[edition].append((
                what, path, {r: _at(checks, f"F{r}") for r in rows},
                _at(_csv(out, path.stem, E.SHEETS["cover"]), cover),
                _at(_csv(out, path.stem, E.SHEETS["t3"]), t3_top)))
    return result


# -- tests -----------------------------------------------------------------------------------


@pytest.mark.libreoffice
@needs_libreoffice
@pytest.mark.parametrize("edition", EDITIONS)
def test_live_status_equals_check_for_every_rule_instance(played, edition):
    cases = played[edition]
    assert sum(1 for what, *_ in cases if what != "base") >= 200
    disagreements = []
    seen: dict = {}
    for what, path, got, _cover, _top in cases:
        expected, findings = engine_statuses(path)
        for row, want in expected.items():
            seen[got[row]] = seen.get(got[row], 0) + 1
            if got[row] != want:
                disagreements.append(f"{path.name} ({what}) 校验!F{row}: sheet {got[row]!r}, "
                                     f"check {want!r}")
    assert not disagreements, f"{len(disagreements)} disagreements:\n" + "\n".join(disagreements[:20])
    # every status occurs (a comparison of constants would prove nothing)
    assert seen.get(live.FAIL, 0) > 50 and seen.get(live.UNDECIDED, 0) > 20, seen
    assert seen.get(live.PASS, 0) > 1000 and set(seen) <= {live.PASS, live.FAIL, live.UNDECIDED,
                                                          live.VERIFY}, seen


@pytest.mark.libreoffice
@needs_libreoffice
@pytest.mark.parametrize("edition", EDITIONS)
def test_status_lines_count_the_same_statuses(played, edition):
    lines = set()
    for what, path, got, cover, top in played[edition]:
        n_fail = sum(1 for s in got.values() if s == live.FAIL)
        n_verify = sum(1 for s in got.values() if s == live.VERIFY)
        if n_fail == n_verify == 0:
            assert cover == "自动校验（勾稽关系）：全部通过", (path.name, what, cover)
        elif n_fail:
            assert cover.startswith(f"自动校验（勾稽关系）：有 {n_fail} 处不符"), (path.name, what, cover)
        else:
            assert f"有 {n_verify} 处请核实" in cover, (path.name, what, cover)
        assert top.startswith("填报单位：某某镇人民政府\n报告年度：" + str(YEAR[edition]) + "\n本表勾稽关系："), top
        lines.add(cover.split("：")[1][:4])
    assert len(lines) >= 2, lines


# -- tamper: the spec's own check formulas -------------------------------------------------


@pytest.mark.parametrize("change", ["altered", "deleted", "status line"])
def test_changed_check_formula_is_tamper(tmp_path, change):
    import openpyxl
    from toolkit.engine.check import check
    rng = random.Random(3)
    path = tmp_path / "r.xlsx"
    _write(path, "2021", sample_values("2021", rng), rng)
    assert not [f for f in check(path).findings if f.rule == "S-2"]
    wb = openpyxl.load_workbook(path)
    row = get_edition("2021").live_checks[3][0]
    if change == "altered":  # a clerk silences a failing rule
        wb[live.CHECK_SHEET][f"F{row}"] = '="通过"'
    elif change == "deleted":
        wb[live.CHECK_SHEET][f"D{row}"] = None
    else:
        wb[E.SHEETS["cover"]]["A10"] = "自动校验（勾稽关系）：全部通过"
    wb.save(path)
    s2 = [f.message for f in check(path).findings if f.rule == "S-2"]
    assert len(s2) == 1 and "模板自带的校验公式" in s2[0], s2
    assert {"altered": "被改动", "deleted": "被删除", "status line": "被改写为固定内容"}[change] in s2[0]
