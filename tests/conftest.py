"""Shared fixtures: real filled workbooks on disk."""

from __future__ import annotations

import random
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent))

from toolkit.demo.sample import sample_info, sample_texts, sample_values, write_sample_workbook  # noqa: E402

YEARS = {"2019": 2020, "2021": 2021}


def make_report(path: Path, edition: str = "2021", seed: int = 0, overrides: dict | None = None,
                values: dict | None = None, unit: str = "某某镇人民政府", unit_type: str = "乡镇",
                info: dict | None = None, texts: dict | None = None) -> tuple[Path, dict]:
    """Write a consistent sample report (then apply ``overrides``); returns (path, values)."""
    rng = random.Random(seed)
    values = dict(values) if values is not None else sample_values(edition, rng, unit_type=unit_type)
    info = info if info is not None else sample_info(unit, unit_type, YEARS[edition])
    texts = texts if texts is not None else sample_texts(unit, YEARS[edition], values, rng)
    write_sample_workbook(path, edition, values, info, texts, overrides=overrides, force=True)
    return path, values


@pytest.fixture
def report_factory(tmp_path):
    counter = {"n": 0}

    def factory(edition="2021", **kw):
        counter["n"] += 1
        name = kw.pop("name", f"report{counter['n']}.xlsx")
        return make_report(tmp_path / name, edition, **kw)

    return factory
