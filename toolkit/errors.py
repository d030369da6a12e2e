"""Exceptions that carry a Chinese message for the user."""


class XxgkError(Exception):
    """An error the user can act on; ``str(e)`` is the Chinese message."""


class UnreadableWorkbook(XxgkError):
    """The file cannot be read as a report workbook (exit status 2)."""

    def __init__(self, path, message: str, sheet: str = "", cell: str = ""):
        self.path = str(path)
        self.reason = message
        self.sheet = sheet
        self.cell = cell
        where = self.path
        if sheet:
            where += f" 工作表“{sheet}”"
        if cell:
            where += f" 单元格 {cell}"
        super().__init__(f"{where}：{message}")
