"""Filling a new template from existing data: data files, last year's report and the
依申请公开登记台账 (``register``)."""
from .core import fill  # noqa: F401
