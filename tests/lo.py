"""LibreOffice headless as an independent engine for tests.

Each call uses its own user profile (so parallel runs never collide) that is
configured to always recalculate OOXML formulas on load.
"""

from __future__ import annotations

import shutil
import subprocess
import tempfile
from pathlib import Path

import pytest

SOFFICE = shutil.which("soffice") or shutil.which("libreoffice")

needs_libreoffice = pytest.mark.skipif(
    SOFFICE is None and not __import__("os").environ.get("CI"),
    reason="LibreOffice (soffice) not installed")

_XCU = """<?xml version="1.0" encoding="UTF-8"?>
<oor:items xmlns:oor="http://openoffice.org/2001/registry" xmlns:xs="http://www.w3.org/2001/XMLSchema" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">
<item oor:path="/org.openoffice.Office.Calc/Formula/Load"><prop oor:name="OOXMLRecalcMode" oor:op="fuse"><value>0</value></prop></item>
<item oor:path="/org.openoffice.Office.Calc/Formula/Load"><prop oor:name="ODFRecalcMode" oor:op="fuse"><value>0</value></prop></item>
</oor:items>
"""


def _profile() -> Path:
    d = Path(tempfile.mkdtemp(prefix="xxgk-lo-"))
    (d / "user").mkdir()
    (d / "user" / "registrymodifications.xcu").write_text(_XCU, encoding="utf-8")
    return d


def convert(src: str | Path, fmt: str, outdir: str | Path, timeout: int = 180) -> Path:
    """``soffice --convert-to fmt``; returns the output path. Raises on failure."""
    if SOFFICE is None:
        raise RuntimeError("LibreOffice not installed")
    src, outdir = Path(src), Path(outdir)
    outdir.mkdir(parents=True, exist_ok=True)
    prof = _profile()
    try:
        proc = subprocess.run(
            [SOFFICE, f"-env:UserInstallation={prof.as_uri()}", "--headless", "--norestore",
             "--convert-to", fmt, "--outdir", str(outdir), str(src)],
            capture_output=True, text=True, timeout=timeout)
    finally:
        shutil.rmtree(prof, ignore_errors=True)
    ext = fmt.split(":")[0]
    out = outdir / (src.stem + "." + ext)
    if proc.returncode != 0 or not out.exists():
        raise RuntimeError(f"LibreOffice failed on {src}: {proc.stdout} {proc.stderr}")
    return out


def recalculated_values(src: str | Path, workdir: str | Path) -> "openpyxl.Workbook":
    """Open ``src`` in LibreOffice, recalculate, save as xlsx; load values with openpyxl."""
    import openpyxl
    out = convert(src, "xlsx:Calc MS Excel 2007 XML", Path(workdir) / "recalc")
    return openpyxl.load_workbook(out, data_only=True)
