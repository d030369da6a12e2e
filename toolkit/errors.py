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


BUG_REPORT_HINT = ("这是 xxgk 的程序错误，不是您的操作问题。请把出错的文件（如可提供）和这条消息"
                   "发给维护人员，或在项目的问题跟踪中报告（附上 xxgk --version 的输出）")


def internal_error_message(exc: BaseException) -> str:
    """The one-line Chinese message for an internal error (a bug of ours) on an input."""
    detail = str(exc).replace("\n", " ")[:200]
    return f"程序内部错误（{type(exc).__name__}{'：' + detail if detail else ''}）。{BUG_REPORT_HINT}"
