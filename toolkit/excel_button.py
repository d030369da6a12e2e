"""Compatibility shim: the shipped ``.xlsm`` files run
``import toolkit.excel_button as b; b.validate()``. The code lives in
``toolkit.marks.excel_button``."""
from .marks.excel_button import *  # noqa: F401,F403
from .marks.excel_button import clear, validate  # noqa: F401
