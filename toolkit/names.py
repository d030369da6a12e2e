"""Unit names: one normalisation used everywhere names are compared.

A unit's name is typed by hand on a cover sheet, in a roster, in last year's
summary.  The same unit must never count twice because one copy carries an
invisible character, a full-width space or a different suffix, so every
comparison of unit names goes through :func:`name_key` (exact identity) and,
for roster matching, :func:`name_core` (without the administrative suffix
and the 县/区 prefix).
"""

from __future__ import annotations

import re
import unicodedata

# Zero-width and bidi control characters seen in names pasted from web pages
# and chat messages; NFKC keeps them, so they are removed explicitly.
INVISIBLE = "\u200b\u200c\u200d\u200e\u200f\u2060\u00ad\ufeff\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069"
_INVISIBLE_RE = re.compile(f"[{INVISIBLE}]")

SUFFIXES = ("人民政府", "办事处", "政府")  # 东关街道办事处 → 东关街道
PREFIXES = ("县", "区")


def tidy_name(name) -> str:
    """The name for display: invisible characters removed, spaces collapsed, otherwise as typed."""
    return " ".join(_INVISIBLE_RE.sub("", str(name or "")).split())


def clean_name(name) -> str:
    """NFKC (全角→半角), invisible characters removed, spaces collapsed."""
    s = unicodedata.normalize("NFKC", str(name or ""))
    s = _INVISIBLE_RE.sub("", s)
    return " ".join(s.split())


def name_key(name) -> str:
    """Identity key of a unit name: :func:`clean_name` without any whitespace."""
    return "".join(clean_name(name).split())


def name_core(name) -> str:
    """Key without the 人民政府/政府/办事处 suffix and a 县/区 prefix (石桥镇人民政府 → 石桥镇)."""
    s = name_key(name)
    for suffix in SUFFIXES:
        if s.endswith(suffix) and len(s) > len(suffix) + 1:
            s = s[: -len(suffix)]
            break
    for prefix in PREFIXES:
        if s.startswith(prefix) and len(s) > len(prefix) + 2:
            s = s[len(prefix):]
            break
    return s
