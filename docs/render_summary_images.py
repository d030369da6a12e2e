"""Render PNGs of the demo summary workbook's sheets for docs/merge.md.

Builds the demo district (``toolkit.demo.run.build_demo``) in a temp dir, prints the
summary to PDF with LibreOffice and writes the first page of each sheet,
cropped, as ``docs/img/summary-<key>.png`` (keys: about, t3, detail, issues,
charts).  Reuses the helpers of ``docs/render_images.py``.

Usage::

    python docs/render_summary_images.py [--dpi 80] [--outdir docs/img]
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "docs"))

from render_images import page_count, page_png, page_text, to_pdf  # noqa: E402

from toolkit.demo.run import build_demo  # noqa: E402

# key -> words that identify the first page of that sheet in the PDF text
MARKERS = {
    "about": ["政府信息公开工作年度报告汇总表：", "生成工具"],
    "t3": ["三、收到和处理政府信息公开申请情况", "申请人情况"],
    "detail": ["单位名称", "校验结论", "计入汇总"],
    "issues": ["或封面单位名称与名单不一致"],
    "charts": ["各单位本年新收政府信息公开申请数量（按申请人类型）"],
}


def render(dpi: int = 80, outdir: Path = ROOT / "docs" / "img") -> list:
    outdir.mkdir(parents=True, exist_ok=True)
    written = []
    with tempfile.TemporaryDirectory(prefix="xxgk-sumimg-") as tmp:
        tmp = Path(tmp)
        demo = build_demo(tmp / "demo")
        xlsx = tmp / "summary.xlsx"
        xlsx.write_bytes(demo.summary.read_bytes())
        pdf = to_pdf(xlsx, tmp)
        texts = [page_text(pdf, p) for p in range(1, page_count(pdf) + 1)]
        for key, words in MARKERS.items():
            page = next((i + 1 for i, t in enumerate(texts) if all(w in t for w in words)), None)
            if page is None:
                sys.exit(f"sheet {key!r} not found in {pdf}")
            written.append(page_png(pdf, page, dpi, tmp, outdir / f"summary-{key}.png"))
    return written


def main(argv=None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--dpi", type=int, default=80)
    ap.add_argument("--outdir", type=Path, default=ROOT / "docs" / "img")
    args = ap.parse_args(argv)
    for path in render(args.dpi, args.outdir):
        print(f"{path}  ({path.stat().st_size // 1024} KB)")


if __name__ == "__main__":
    main()
