"""Word 97–2003 ``.doc``: converted to ``.docx`` with LibreOffice, then read as .docx."""

from __future__ import annotations

import shutil
import subprocess
import tempfile
from pathlib import Path

from ...errors import XxgkError
from . import Document

CONVERT_TIMEOUT = 120


def soffice() -> str | None:
    return shutil.which("soffice") or shutil.which("libreoffice")


def read_doc(data: bytes, name: str) -> Document:
    exe = soffice()
    if exe is None:
        raise XxgkError(f"{name}：这是旧版 Word（.doc）文件，读取它需要安装 LibreOffice（soffice）；"
                        "或在 Word 中“另存为 .docx”后再导入")
    with tempfile.TemporaryDirectory(prefix="xxgk-doc-") as tmp:
        src = Path(tmp) / "report.doc"
        src.write_bytes(data)
        profile = Path(tmp) / "profile"
        try:
            subprocess.run([exe, f"-env:UserInstallation=file://{profile}", "--headless", "--norestore",
                            "--convert-to", "docx:MS Word 2007 XML", "--outdir", str(Path(tmp) / "out"),
                            str(src)], capture_output=True, timeout=CONVERT_TIMEOUT, check=False,
                           stdin=subprocess.DEVNULL)
        except subprocess.TimeoutExpired:
            raise XxgkError(f"{name}：LibreOffice 转换 .doc 超时，文件可能已损坏") from None
        out = Path(tmp) / "out" / "report.docx"
        if not out.exists():
            raise XxgkError(f"{name}：LibreOffice 无法转换这个 .doc 文件（文件可能已损坏）")
        from .docx import read_docx
        doc = read_docx(out.read_bytes(), name)
    doc.kind = "doc"
    doc.notes.append("旧版 Word（.doc）已用 LibreOffice 转换后读取")
    return doc
