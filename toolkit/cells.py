"""The public list of cells (``xxgk cells``)."""

from __future__ import annotations

from .spec import DEFAULT_EDITION, get_edition


def cell_table(edition: str = DEFAULT_EDITION) -> list[dict]:
    """Every data cell, cover field and narrative cell of ``edition`` as dicts.

    Keys: ``id``, ``path``, ``sheet``, ``address``, ``kind`` (input / total /
    info / text), ``type`` (count / signed / amount / text / choice / year),
    ``table``.  Ids and addresses are stable across releases.
    """
    return [c.as_dict() for c in get_edition(edition).cells]


def cells_frame(edition: str = DEFAULT_EDITION):
    """The same list as a pandas DataFrame."""
    import pandas as pd
    return pd.DataFrame(cell_table(edition))
