"""The reader's per-process caches (toolkit.xlsx.reader ``_PARTS``, toolkit.engine.report
``_CLEAN``): a part read before is not parsed again, and nothing a cache keeps can
change what is read or hide a finding."""

from __future__ import annotations

import shutil
import zipfile

import pytest

from conftest import make_report
from toolkit.engine.check import check
from toolkit.engine.report import read_report, wanted_sheets
from toolkit.spec import get_edition
from toolkit.spec import live
from toolkit.xlsx import reader as R


@pytest.fixture(autouse=True)
def _fresh_cache():
    R._PARTS.clear()
    R._PARTS.seen.clear()
    for memo in (R._READ_CELLS, R._INLINE, R._SI_TEXTS):
        memo.clear()
        memo.seen.clear()
    yield
    R._PARTS.clear()
    R._PARTS.seen.clear()


def _sheets(path):
    return R.read_workbook(path, wanted_sheets()).sheets


def _snapshot(sheets):
    return {name: ({a: (c.value, c.formula, c.error) for a, c in s.cells.items()}, list(s.merges),
                   [dict(d) for d in s.validations], s.protected, s.dimension)
            for name, s in sheets.items()}


def test_spec_only_part_is_read_once_and_data_parts_are_not_shared(tmp_path):
    a, va = make_report(tmp_path / "a.xlsx", seed=1)
    b, vb = make_report(tmp_path / "b.xlsx", seed=2, unit="另一个镇人民政府")
    assert va != vb
    sa, sb = _sheets(a), _sheets(b)
    # a part is kept the second time it is read: the 校验 sheet, the template's bytes in both
    assert sa[live.CHECK_SHEET].origin is None
    sa, sb = _sheets(a), _sheets(b)
    assert sa[live.CHECK_SHEET].origin is not None
    assert sa[live.CHECK_SHEET].origin == sb[live.CHECK_SHEET].origin
    # the tables hold each unit's own numbers: never the same cache entry
    t3 = get_edition("2021").layout("t3").name
    assert sa[t3].origin != sb[t3].origin
    ra, rb = read_report(a), read_report(b)
    assert {k: ra.values[k] for k in va} == va and {k: rb.values[k] for k in vb} == vb


def test_cached_read_equals_a_fresh_parse(tmp_path):
    a, _ = make_report(tmp_path / "a.xlsx", seed=4)
    _sheets(a)
    first = _snapshot(_sheets(a))
    again = _snapshot(_sheets(a))  # every cacheable part from the cache now
    R._PARTS.clear()
    R._PARTS.seen.clear()
    saved = R._PART_CACHE_BYTES
    R._PART_CACHE_BYTES = -1  # cache off: every part parsed
    try:
        fresh = _snapshot(_sheets(a))
    finally:
        R._PART_CACHE_BYTES = saved
    assert first == again == fresh


def _rewrite_member(src, dst, member, change):
    with zipfile.ZipFile(src) as zin, zipfile.ZipFile(dst, "w", zipfile.ZIP_DEFLATED) as zout:
        for info in zin.infolist():
            data = zin.read(info.filename)
            if info.filename == member:
                data = change(data)
            zout.writestr(info, data)


def _check_sheet_part(path):
    with zipfile.ZipFile(path) as z:
        names = [n for n in z.namelist() if n.startswith("xl/worksheets/sheet")]
        return next(n for n in names if b"COUNTIF" in z.read(n) and z.read(n).count(b"<f>") > 100)


def test_tampered_check_sheet_after_a_clean_one_is_still_found(tmp_path):
    """A pristine 校验 sheet is cached as clean; a changed copy (other bytes) is read in full."""
    a, _ = make_report(tmp_path / "a.xlsx", seed=5)
    assert not [f for f in check(a).findings if f.rule == "S-2"]
    row = get_edition("2021").live_checks[3][0]
    part = _check_sheet_part(a)

    def silence(data: bytes) -> bytes:  # the status formula of one rule replaced by "通过"
        text = data.decode()
        start = text.index(f'<c r="F{row}"')
        end = text.index("</c>", start) + 4
        return (text[:start] + f'<c r="F{row}" t="inlineStr"><is><t>通过</t></is></c>' + text[end:]).encode()

    b = tmp_path / "b.xlsx"
    _rewrite_member(a, b, part, silence)
    for _ in range(2):  # and again, when its own bytes are in the cache
        s2 = [f for f in check(b).findings if f.rule == "S-2"]
        assert len(s2) == 1 and f"F{row}" in s2[0].message, [f.message for f in s2]
    assert not [f for f in check(a).findings if f.rule == "S-2"]


def test_unprotected_copy_of_a_clean_part_is_reported(tmp_path):
    """The clean verdict covers the part's bytes only: removing the protection changes them."""
    a, _ = make_report(tmp_path / "a.xlsx", seed=6)
    assert not [f for f in check(a).findings if f.rule == "S-2"]
    part = _check_sheet_part(a)
    b = tmp_path / "b.xlsx"
    import re
    _rewrite_member(a, b, part, lambda d: re.sub(rb"<sheetProtection[^>]*/>", b"", d))
    msgs = [f.message for f in check(b).findings if f.rule == "S-2"]
    assert any("保护" in m for m in msgs), msgs


def test_parts_with_shared_strings_are_not_cached(tmp_path):
    """A cell that indexes the workbook's shared strings reads differently in another workbook."""
    a, _ = make_report(tmp_path / "a.xlsx", seed=7)
    part = _check_sheet_part(a)
    b = tmp_path / "b.xlsx"
    shutil.copy(a, b)
    _rewrite_member(a, b, part, lambda d: d.replace(b'<c r="A1" s="1" t="inlineStr">', b'<c r="A1" s="1" t="s">', 1))
    R.read_workbook(b, wanted_sheets())
    with zipfile.ZipFile(b) as z:
        assert z.read(part) not in R._PARTS


def test_large_parts_are_not_kept(tmp_path, monkeypatch):
    a, _ = make_report(tmp_path / "a.xlsx", seed=8)
    monkeypatch.setattr(R, "_PART_CACHE_BYTES", 20_000)
    R.read_workbook(a, wanted_sheets())
    sheets = R.read_workbook(a, wanted_sheets()).sheets
    assert R._PARTS and all(len(k) <= 20_000 for k in R._PARTS)
    assert sheets[live.CHECK_SHEET].origin is None  # 125 KB: read every time


def _part_bytes(path, sheet_name):
    import re
    with zipfile.ZipFile(path) as z:
        wb = z.read("xl/workbook.xml").decode()
        rid = re.search(rf'name="{re.escape(sheet_name)}"[^>]*r:id="(rId\d+)"', wb).group(1)
        rels = z.read("xl/_rels/workbook.xml.rels").decode()
        target = re.search(rf'Id="{rid}"[^>]*Target="/?(?:xl/)?([^"]+)"', rels)
        target = target or re.search(rf'Target="/?(?:xl/)?([^"]+)"[^>]*Id="{rid}"', rels)
        return z.read("xl/" + target.group(1))


def test_a_units_own_tables_are_kept_only_when_read_again(tmp_path):
    """Parts read once (each unit's own numbers) are not kept: memory stays flat over a folder."""
    paths = [make_report(tmp_path / f"{i}.xlsx", seed=20 + i, unit=f"第{i}镇人民政府")[0] for i in range(4)]
    for p in paths:
        R.read_workbook(p, wanted_sheets())
    t3 = get_edition("2021").layout("t3").name
    own = [_part_bytes(p, t3) for p in paths]
    assert len(set(own)) == 4 and not any(b in R._PARTS for b in own)
    R.read_workbook(paths[0], wanted_sheets())
    assert own[0] in R._PARTS and not any(b in R._PARTS for b in own[1:])


def test_memos_keep_what_recurs_not_each_units_own_text(tmp_path):
    """The cell memos keep the template's cells (seen in every workbook), never one unit's
    name or 正文: over a folder of different units they do not grow."""
    names = [f"第{i}号测试镇人民政府" for i in range(8)]
    paths = [make_report(tmp_path / f"{i}.xlsx", seed=40 + i, unit=n)[0] for i, n in enumerate(names)]
    sizes = []
    for p in paths:
        R.read_workbook(p, wanted_sheets())
        sizes.append((len(R._READ_CELLS), len(R._INLINE), len(R._SI_TEXTS)))
    assert sizes[2] == sizes[-1], sizes  # flat after the second workbook
    assert sizes[1][0] > 0  # the template's own cells are kept
    kept = [c.value for c in R._READ_CELLS.values()] + list(R._INLINE.values())
    assert not any(isinstance(v, str) and any(n in v for n in names) for v in kept)


def test_findings_hold_no_instance_dict():
    """merge holds every unit's findings at once (31,000 with --previous at 10,000 units): a
    Finding and its CellRefs are slotted, no per-object dict (about 35 MB less at that size)."""
    from toolkit.engine.findings import CellRef, Finding
    f = Finding(rule="T3-1", severity="error", message="m", cells=[CellRef("三", "D5", "t3.new.natural")])
    assert not hasattr(f, "__dict__") and not hasattr(f.cells[0], "__dict__")
    import pickle
    g = pickle.loads(pickle.dumps(f))
    assert g == f and g.cells[0].ref == "三!D5"
