"""Every test that runs LibreOffice carries the ``libreoffice`` marker, so the fast lane
(``python -m pytest -m "not libreoffice"``) really leaves them out."""

from __future__ import annotations

import ast
from pathlib import Path

TESTS = Path(__file__).resolve().parent
LO_NAMES = {"convert", "recalculated_values", "SOFFICE", "soffice"}


def _marked(decorators) -> bool:
    return any("libreoffice" in ast.unparse(d) and "needs_libreoffice" != ast.unparse(d)
               for d in decorators)


def lo_tests_without_marker(path: Path) -> list:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    module_marked = any(isinstance(n, ast.Assign) and any(getattr(t, "id", "") == "pytestmark" for t in n.targets)
                        and "libreoffice" in ast.unparse(n.value) for n in tree.body)
    out = []
    for node in tree.body:
        if isinstance(node, ast.FunctionDef) and node.name.startswith("test_"):
            names = {n.id for n in ast.walk(node) if isinstance(n, ast.Name)} | \
                    {n.attr for n in ast.walk(node) if isinstance(n, ast.Attribute)}
            if names & LO_NAMES and not module_marked and not _marked(node.decorator_list):
                out.append(f"{path.name}::{node.name}")
    return out


def test_libreoffice_tests_are_marked():
    missing = [t for p in sorted(TESTS.glob("test_*.py")) for t in lo_tests_without_marker(p)]
    assert not missing, missing


def test_the_marker_scan_sees_an_unmarked_test(tmp_path):
    p = tmp_path / "test_x.py"
    p.write_text("def test_a(tmp_path):\n    convert(1, 'pdf', tmp_path)\n\n"
                 "@pytest.mark.libreoffice\ndef test_b(tmp_path):\n    convert(1, 'pdf', tmp_path)\n")
    assert lo_tests_without_marker(p) == ["test_x.py::test_a"]
