"""The design's boundaries, checked on the source (AST, no imports of the code under test):

* only ``toolkit/spec`` reads the raw spec data (``toolkit.spec.editions``);
* no edition key or report-year comparison is written outside ``toolkit/spec``: every
  module asks the registry (``EDITIONS``, ``get_edition``, ``edition_for_year`` …);
* no severity literal is written outside ``toolkit/spec`` (the catalogue gives it);
* no import cycle among toolkit modules (function-level imports included);
* every package says in its docstring what it owns.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
TOOLKIT = ROOT / "toolkit"
# Literal edition keys as the spec declares them, read from the data file's source so this
# test does not depend on the code it checks.
_DATA = ast.parse((TOOLKIT / "spec" / "editions.py").read_text(encoding="utf-8"))
EDITION_KEYS = {
    v.value
    for node in ast.walk(_DATA) if isinstance(node, ast.Dict)
    for k, v in zip(node.keys, node.values)
    if isinstance(k, ast.Constant) and k.value == "key" and isinstance(v, ast.Constant)
}
# Years at which the editions change (first and last report years, ±1): a comparison with one
# of them outside the spec is an edition decision (``year <= 2020``) the registry should make.
# Plausibility bounds (2000 <= year <= 2100) are not edition decisions.
BOUNDARY_YEARS = {
    y + d
    for node in ast.walk(_DATA) if isinstance(node, ast.Dict)
    for k, v in zip(node.keys, node.values)
    if isinstance(k, ast.Constant) and k.value in ("first_year", "last_year")
    and isinstance(v, ast.Constant) and isinstance(v.value, int)
    for y in [v.value] for d in (-1, 0, 1)
}
SEVERITIES = {"error", "verify", "hint"}


def module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def modules() -> dict:
    return {module_name(p): p for p in sorted(TOOLKIT.rglob("*.py"))}


def outside_spec() -> list:
    return [(n, p) for n, p in modules().items() if not n.startswith("toolkit.spec")]


def _resolve(name: str, path: Path, node: ast.ImportFrom) -> str:
    if not node.level:
        return node.module or ""
    pkg = name.split(".") if path.name == "__init__.py" else name.split(".")[:-1]
    base = pkg[: len(pkg) - (node.level - 1)]
    return ".".join(base + ([node.module] if node.module else []))


def imports_of(name: str, path: Path, known: dict) -> set:
    """Toolkit modules ``name`` imports (a ``from pkg import mod`` names the module)."""
    out = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            out.update(a.name for a in node.names if a.name.startswith("toolkit"))
        elif isinstance(node, ast.ImportFrom):
            mod = _resolve(name, path, node)
            if not mod.startswith("toolkit"):
                continue
            for a in node.names:
                sub = f"{mod}.{a.name}"
                out.add(sub if sub in known else mod)
    return {m for m in out if m in known}


def test_edition_keys_found():
    assert len(EDITION_KEYS) >= 2, EDITION_KEYS
    assert {2019, 2020, 2021} <= BOUNDARY_YEARS, BOUNDARY_YEARS


def test_spec_data_is_imported_only_by_spec():
    known = modules()
    offenders = [(n, m) for n, p in outside_spec() for m in imports_of(n, p, known)
                 if m == "toolkit.spec.editions"]
    for n, p in outside_spec():  # the alias toolkit.spec.data (kept for tests)
        for node in ast.walk(ast.parse(p.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ImportFrom) and _resolve(n, p, node) == "toolkit.spec" \
                    and any(a.name in ("data", "editions") for a in node.names):
                offenders.append((n, "toolkit.spec.data"))
    assert not offenders, f"modules outside toolkit/spec reading the raw spec data: {offenders}"


def _docstring_nodes(tree) -> set:
    out = set()
    for node in ast.walk(tree):
        if isinstance(node, (ast.Module, ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            body = node.body
            if body and isinstance(body[0], ast.Expr) and isinstance(body[0].value, ast.Constant):
                out.add(id(body[0].value))
    return out


def _literal_offences(path: Path) -> list:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    docs = _docstring_nodes(tree)
    out = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Constant) and isinstance(node.value, str) and id(node) not in docs:
            if node.value in EDITION_KEYS:
                out.append(f"{path.name}:{node.lineno}: edition key {node.value!r}")
        if isinstance(node, ast.Compare):
            for c in [node.left, *node.comparators]:
                if isinstance(c, ast.Constant) and isinstance(c.value, int) and c.value in BOUNDARY_YEARS:
                    out.append(f"{path.name}:{node.lineno}: year comparison with {c.value}")
        if isinstance(node, ast.keyword) and node.arg == "severity" and isinstance(node.value, ast.Constant):
            out.append(f"{path.name}:{node.lineno}: severity literal {node.value.value!r}")
    return out


def test_no_edition_literals_or_year_checks_outside_spec():
    offences = [o for _, p in outside_spec() for o in _literal_offences(p)]
    assert not offences, "\n".join(offences)


def test_the_literal_scanner_finds_what_it_should(tmp_path):
    """The scanner is not blind: it reports an edition tuple, a year check and a severity."""
    key = sorted(EDITION_KEYS)[0]
    bad = tmp_path / "bad.py"
    bad.write_text(f'"""doc {key}"""\nX = ("{key}",)\nif year <= 2020:\n    pass\n'
                   f'F(severity="error")\n', encoding="utf-8")
    found = _literal_offences(bad)
    assert len(found) == 3, found


def _cycles(graph: dict) -> list:
    index, low, stack, on, out = {}, {}, [], set(), []
    counter = [0]

    def strong(v):
        index[v] = low[v] = counter[0]
        counter[0] += 1
        stack.append(v)
        on.add(v)
        for w in graph.get(v, ()):
            if w not in index:
                strong(w)
                low[v] = min(low[v], low[w])
            elif w in on:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            comp = []
            while True:
                w = stack.pop()
                on.discard(w)
                comp.append(w)
                if w == v:
                    break
            if len(comp) > 1 or v in graph.get(v, ()):
                out.append(sorted(comp))

    for v in graph:
        if v not in index:
            strong(v)
    return out


def import_graph() -> dict:
    """Module -> modules it imports.  An import of an enclosing package (``from .. import
    __version__``, ``from .. import spec``) is not an edge back into the package's own
    subtree: Python initialises a package before its submodules."""
    known = modules()
    graph = {}
    for n, p in known.items():
        graph[n] = {m for m in imports_of(n, p, known)
                    if m != n and not n.startswith(m + ".")}
    # A package's __init__ importing from its own submodules is the usual re-export.
    return graph


def test_no_import_cycle_among_toolkit_modules():
    cycles = _cycles(import_graph())
    assert not cycles, f"import cycles: {cycles}"


def test_the_cycle_finder_finds_a_cycle():
    assert _cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c"]]


@pytest.mark.parametrize("pkg", sorted(p.parent.name for p in TOOLKIT.glob("*/__init__.py")))
def test_every_package_says_what_it_owns(pkg):
    doc = ast.get_docstring(ast.parse((TOOLKIT / pkg / "__init__.py").read_text(encoding="utf-8")))
    assert doc and len(doc) >= 40, f"toolkit/{pkg}/__init__.py needs a docstring saying what it owns"


def _spec_exports() -> set:
    tree = ast.parse((TOOLKIT / "spec" / "__init__.py").read_text(encoding="utf-8"))
    for node in tree.body:
        if isinstance(node, ast.Assign) and any(getattr(t, "id", "") == "__all__" for t in node.targets):
            return set(ast.literal_eval(node.value))
    return set()


def test_modules_use_only_what_spec_exports():
    """``from .. import spec as E`` then ``E.NAME``: NAME must be part of the spec's API
    (``toolkit/spec/__init__.py`` ``__all__``), not raw data reached through it."""
    exported = _spec_exports() | {"catalogue", "model", "examples", "claims"}
    bad = []
    for name, path in outside_spec():
        tree = ast.parse(path.read_text(encoding="utf-8"))
        aliases = {a.asname or a.name for n in ast.walk(tree) if isinstance(n, ast.ImportFrom)
                   for a in n.names if a.name == "spec" and _resolve(name, path, n) == "toolkit"}
        for n in ast.walk(tree):
            if isinstance(n, ast.Attribute) and isinstance(n.value, ast.Name) and n.value.id in aliases \
                    and n.attr not in exported:
                bad.append(f"{path.name}:{n.lineno}: spec.{n.attr}")
    assert not bad, bad
