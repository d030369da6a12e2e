"""Start-up: ``xxgk check FILE`` and the Excel button's module import nothing heavy.

A clerk waits for ``check`` after pressing 校验; openpyxl alone pulls in numpy and
costs ~0.3 s.  These tests run the real entry points in a fresh interpreter and
inspect ``sys.modules`` (timing is measured by bench/, not here).
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import make_report

ROOT = Path(__file__).resolve().parents[1]
HEAVY = ("openpyxl", "numpy", "pandas", "xlsxwriter", "docx")


def _loaded_after(code: str) -> list:
    probe = code + "\nimport sys, json\nprint(json.dumps(sorted(m for m in sys.modules if m.split('.')[0] in %r)))" % (HEAVY,)
    out = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, cwd=ROOT,
                         env={"PYTHONPATH": str(ROOT), "PATH": "/usr/bin:/bin"}, timeout=120)
    assert out.returncode == 0, out.stderr
    return json.loads(out.stdout.strip().splitlines()[-1])


@pytest.fixture(scope="module")
def report(tmp_path_factory):
    path, _ = make_report(tmp_path_factory.mktemp("startup") / "r.xlsx",
                          overrides={"t3.public.natural": "5件"})  # a hint: rendering runs too
    return path


def test_cli_check_imports_no_openpyxl_numpy_pandas(report):
    code = ("import sys\nfrom toolkit.cli import main\nsys.argv = ['xxgk', 'check', %r]\n"
            "try:\n    main()\nexcept SystemExit as e:\n    assert e.code == 0, e.code\n") % str(report)
    assert _loaded_after(code) == []


def test_library_check_imports_no_openpyxl_numpy_pandas(report):
    code = ("import toolkit\nfrom toolkit.engine.check import check\n"
            "r = check(%r)\nassert r.readable and r.findings\nr.to_dict()\n") % str(report)
    assert _loaded_after(code) == []


def test_excel_button_module_imports_no_openpyxl_numpy_pandas():
    assert _loaded_after("import toolkit.excel_button\nimport toolkit.marks.excel_button") == []


def test_probe_sees_heavy_imports():
    """The probe itself works: importing the template writer does load openpyxl."""
    assert "openpyxl" in _loaded_after("import toolkit\ntoolkit.build_template")
