"""docs/rules.md is generated from the spec and the engine and must not drift."""

from pathlib import Path

from toolkit.docs_gen import rules_markdown
from toolkit.spec import get_edition

DOC = Path(__file__).resolve().parents[1] / "docs" / "rules.md"


def test_rules_page_is_current():
    assert DOC.read_text(encoding="utf-8") == rules_markdown(), \
        "docs/rules.md is stale: run `python -m toolkit.docs_gen`"


def test_every_rule_of_both_editions_is_documented_with_an_example():
    text = DOC.read_text(encoding="utf-8")
    for edition in ("2019", "2021"):
        ed = get_edition(edition)
        ids = {r.id for r in ed.rules + ed.cross_year_rules} | {r["id"] for r in ed.other_rules}
        for rid in ids:
            assert f"## {rid}　" in text, rid
            section = text.split(f"## {rid}　", 1)[1].split("\n## ", 1)[0]
            assert "- 示例：`" in section, rid


def test_cli_reference_is_current():
    from toolkit.docs_gen import cli_markdown
    doc = DOC.parent / "cli.md"
    assert doc.read_text(encoding="utf-8") == cli_markdown(), \
        "docs/cli.md is stale: run `python -m toolkit.docs_gen`"


def test_readme_and_docs_links_resolve():
    import re
    root = DOC.parents[1]
    for page in [root / "README.md", *sorted((root / "docs").glob("*.md"))]:
        text = page.read_text(encoding="utf-8")
        for target in re.findall(r"\]\(([^)#\s]+)(?:#[^)]*)?\)", text):
            if target.startswith(("http://", "https://", "mailto:")):
                continue
            assert (page.parent / target).exists(), f"{page.name}: broken link {target}"
