"""xxgk — 政府信息公开工作年度报告 toolkit: template, check, merge, fill."""

__version__ = "0.1.0"

from .spec import get_edition, edition_for_year  # noqa: E402

__all__ = ["__version__", "get_edition", "edition_for_year"]
