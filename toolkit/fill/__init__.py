"""Filling a new template from existing data.

Owns: ``core`` (``fill``: data files, last year's report as the spec's cross-year rules
say, the template file) and ``register`` (the 依申请公开登记台账: its template, reading
and validating it, counting table 三 from it).
"""
from .core import fill  # noqa: F401
