"""Render one PNG per sheet of the template for the documentation.

LibreOffice (headless) prints the template to PDF, ``pdftotext`` tells which
page holds which sheet (by the sheet's title in A1), ``pdftoppm`` renders
each sheet's first page, cropped to its printed content, as
``docs/img/template-<key>.png`` (keys: cover, t2, t3, t4, text).

``--annotated`` renders instead table 三 of the demo's annotated workbooks
(``xxgk check --annotate``) of 石桥镇 (a total typed over: the culprit marked)
and 柳湾乡 (one of two cells: the candidates marked) as
``docs/img/annotated-<unit>-t3.png``, with our notes shown.

Usage::

    python docs/render_images.py                  # 2021 edition, 100 dpi
    python docs/render_images.py --edition 2019 --outdir /tmp/img
    python docs/render_images.py --annotated

Needs ``soffice`` (LibreOffice) and ``pdftoppm``/``pdftotext`` (poppler-utils);
CJK glyphs need a CJK font such as fonts-wqy-zenhei.
"""

from __future__ import annotations

import argparse
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from toolkit.spec import DEFAULT_EDITION, EDITIONS, get_edition  # noqa: E402
from toolkit.xlsx.template import write_template  # noqa: E402

_RECALC_XCU = """<?xml version="1.0" encoding="UTF-8"?>
<oor:items xmlns:oor="http://openoffice.org/2001/registry" xmlns:xs="http://www.w3.org/2001/XMLSchema" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">
<item oor:path="/org.openoffice.Office.Calc/Formula/Load"><prop oor:name="OOXMLRecalcMode" oor:op="fuse"><value>0</value></prop></item>
</oor:items>
"""
WHITE = bytes(range(248, 256))  # grey levels counted as background when cropping
PAD = 12  # pixels of white kept around the printed content


def soffice() -> str:
    exe = shutil.which("soffice") or shutil.which("libreoffice")
    if not exe:
        sys.exit("LibreOffice (soffice) not found")
    return exe


def to_pdf(xlsx: Path, outdir: Path) -> Path:
    """Print a workbook to PDF with LibreOffice, using a throw-away profile."""
    profile = Path(tempfile.mkdtemp(prefix="xxgk-lo-"))
    (profile / "user").mkdir()
    (profile / "user" / "registrymodifications.xcu").write_text(_RECALC_XCU, encoding="utf-8")
    try:
        subprocess.run([soffice(), f"-env:UserInstallation={profile.as_uri()}", "--headless",
                        "--norestore", "--convert-to", "pdf", "--outdir", str(outdir), str(xlsx)],
                       check=True, capture_output=True, timeout=180)
    finally:
        shutil.rmtree(profile, ignore_errors=True)
    pdf = outdir / (xlsx.stem + ".pdf")
    if not pdf.exists():
        sys.exit(f"LibreOffice did not produce {pdf}")
    return pdf


def page_count(pdf: Path) -> int:
    info = subprocess.run(["pdfinfo", str(pdf)], check=True, capture_output=True, text=True).stdout
    return int(next(line.split()[-1] for line in info.splitlines() if line.startswith("Pages:")))


def page_text(pdf: Path, page: int) -> str:
    out = subprocess.run(["pdftotext", "-f", str(page), "-l", str(page), str(pdf), "-"],
                         check=True, capture_output=True, text=True).stdout
    return "".join(out.split())


def sheet_pages(pdf: Path, titles: dict) -> dict:
    """key -> first page number whose text contains that sheet's title."""
    texts = [page_text(pdf, p) for p in range(1, page_count(pdf) + 1)]
    pages = {}
    for key, title in titles.items():
        hits = [i + 1 for i, t in enumerate(texts) if "".join(title.split()) in t]
        if not hits:
            sys.exit(f"sheet {key!r} ({title}) not found in {pdf}")
        pages[key] = hits[0]
    return pages


def content_box(pdf: Path, page: int, dpi: int, workdir: Path) -> tuple[int, int, int, int]:
    """(x, y, w, h) in pixels of the non-white part of a page."""
    stem = workdir / f"crop-{page}"
    subprocess.run(["pdftoppm", "-gray", "-r", str(dpi), "-f", str(page), "-l", str(page),
                    "-singlefile", str(pdf), str(stem)], check=True, capture_output=True)
    data = (workdir / f"crop-{page}.pgm").read_bytes()
    parts = data.split(maxsplit=4)  # P5, width, height, maxval, pixels
    width, height, pixels = int(parts[1]), int(parts[2]), parts[4]
    top = bottom = None
    left, right = width, 0
    for y in range(height):
        row = pixels[y * width:(y + 1) * width]
        stripped = row.lstrip(WHITE)
        if not stripped:
            continue
        top = y if top is None else top
        bottom = y
        left = min(left, width - len(stripped))
        right = max(right, len(row.rstrip(WHITE)))
    if top is None:
        return 0, 0, width, height
    x, y = max(0, left - PAD), max(0, top - PAD)
    return x, y, min(width, right + PAD) - x, min(height, bottom + 1 + PAD) - y


def render(edition: str = DEFAULT_EDITION, dpi: int = 100, outdir: Path = ROOT / "docs" / "img") -> list:
    ed = get_edition(edition)
    titles = {lay.key: lay.cells["A1"].value for lay in ed.layouts}
    outdir.mkdir(parents=True, exist_ok=True)
    written = []
    with tempfile.TemporaryDirectory(prefix="xxgk-img-") as tmp:
        tmp = Path(tmp)
        xlsx = write_template(tmp / f"template-{edition}.xlsx", edition)
        pdf = to_pdf(xlsx, tmp)
        for key, page in sheet_pages(pdf, titles).items():
            written.append(page_png(pdf, page, dpi, tmp, outdir / f"template-{key}.png"))
    return written


ANNOTATED = {"shiqiao": "石桥镇", "liuwan": "柳湾乡"}


def show_notes(xlsx: Path) -> None:
    """Make every note of the workbook visible (printed by LibreOffice where it is shown)."""
    import zipfile
    with zipfile.ZipFile(xlsx) as zin:
        items = [(i, zin.read(i)) for i in zin.infolist()]
    tmp = xlsx.with_suffix(".tmp")
    with zipfile.ZipFile(tmp, "w", zipfile.ZIP_DEFLATED) as zout:
        for info, data in items:
            if info.filename.endswith(".vml"):
                text = data.decode("utf-8")
                text = text.replace("visibility:hidden", "visibility:visible")
                text = text.replace('ObjectType="Note">', 'ObjectType="Note"><x:Visible/>')
                data = text.encode("utf-8")
            zout.writestr(info, data)
    tmp.replace(xlsx)


def render_annotated(dpi: int = 100, outdir: Path = ROOT / "docs" / "img") -> list:
    """Table 三 of the demo's annotated 石桥镇 and 柳湾乡 workbooks."""
    from toolkit.demo.run import build_demo
    from toolkit.marks.annotate import annotate_file
    ed = get_edition("2021")
    title = ed.layout("t3").cells["A1"].value
    outdir.mkdir(parents=True, exist_ok=True)
    written = []
    with tempfile.TemporaryDirectory(prefix="xxgk-annimg-") as tmp:
        tmp = Path(tmp)
        demo = build_demo(tmp / "demo")
        for key, unit in ANNOTATED.items():
            src = next(p for p in demo.reports.glob("*.xlsx") if p.name.startswith(unit))
            xlsx = annotate_file(src, tmp / f"annotated-{key}.xlsx")
            show_notes(xlsx)
            pdf = to_pdf(xlsx, tmp)
            page = sheet_pages(pdf, {"t3": title})["t3"]
            written.append(page_png(pdf, page, dpi, tmp, outdir / f"annotated-{key}-t3.png"))
    return written


def page_png(pdf: Path, page: int, dpi: int, tmp: Path, target: Path) -> Path:
    """Render one PDF page, cropped to its content, to ``target`` (PNG)."""
    x, y, w, h = content_box(pdf, page, dpi, tmp)
    subprocess.run(["pdftoppm", "-png", "-r", str(dpi), "-f", str(page), "-l", str(page),
                    "-x", str(x), "-y", str(y), "-W", str(w), "-H", str(h),
                    "-singlefile", str(pdf), str(target.with_suffix(""))],
                   check=True, capture_output=True)
    return target


def main(argv=None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--edition", default=DEFAULT_EDITION, choices=EDITIONS)
    ap.add_argument("--dpi", type=int, default=100)
    ap.add_argument("--outdir", type=Path, default=ROOT / "docs" / "img")
    ap.add_argument("--annotated", action="store_true",
                    help="render table 三 of the demo's annotated 石桥镇 and 柳湾乡 workbooks")
    args = ap.parse_args(argv)
    paths = (render_annotated(args.dpi, args.outdir) if args.annotated
             else render(args.edition, args.dpi, args.outdir))
    for path in paths:
        print(f"{path}  ({path.stat().st_size // 1024} KB)")


if __name__ == "__main__":
    main()
