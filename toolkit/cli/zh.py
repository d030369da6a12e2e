"""Chinese for the few English strings click prints itself (help headings, errors).

click passes its user-visible strings through ``gettext``; we replace the
translation functions of its modules with a small table.  Strings not in the
table stay English (they are rare: developer errors, unusual option types).
"""

from __future__ import annotations

import re

import click
import click.core
import click.decorators
import click.exceptions
import click.formatting
import click.parser
import click.types

ZH = {
    "Usage:": "用法：",
    "Options": "选项",
    "Commands": "命令",
    "Show this message and exit.": "显示本帮助并退出。",
    "Show the version and exit.": "显示版本号并退出。",
    "default: {default}": "默认：{default}",
    "required": "必填",
    "Aborted!": "已中止。",
    "Missing command.": "缺少命令。",
    "file": "文件",
    "directory": "文件夹",
    "path": "路径",
    "{name} {filename!r} does not exist.": "{name}“{filename}”不存在。",
    "{name} {filename!r} is a file.": "{name}“{filename}”是文件，应为文件夹。",
    "{name} {filename!r} is a directory.": "{name}“{filename}”是文件夹，应为文件。",
    "{name} {filename!r} is not readable.": "{name}“{filename}”无法读取。",
    "{name} {filename!r} is not writable.": "{name}“{filename}”无法写入。",
    "{value!r} is not a valid {number_type}.": "“{value}”不是有效的{number_type}。",
    "integer": "整数",
    "float": "数字",
    "Choose from:\n\t{choices}": "可选：\n\t{choices}",
    "{value!r} is not {choice}.": "“{value}”不是 {choice}。",
    "{value!r} is not one of {choices}.": "“{value}”不在可选范围内：{choices}。",
    "Missing argument": "缺少参数",
    "Missing option": "缺少选项",
    "Missing parameter": "缺少参数",
    "Did you mean {possibility}?": "是不是 {possibility}？",
    "(Did you mean one of: {possibilities}?)": "（是不是：{possibilities}？）",
    "Option {name!r} requires {nargs} arguments.": "选项 {name} 需要 {nargs} 个值。",
    "Option {name!r} does not take a value.": "选项 {name} 不接受值。",
    "Error: {message}": "错误：{message}",
    "Try '{command} {option}' for help.": "运行“{command} {option}”查看帮助。",
    "Invalid value for {param_hint}: {message}": "{param_hint} 的值无效：{message}",
    "Invalid value: {message}": "值无效：{message}",
    "No such option {name!r}.": "没有选项 {name}。",
    "Option {name!r} requires an argument.": "选项 {name} 需要一个值。",
    "Got unexpected extra argument ({args})": "多余的参数：{args}",
    "Got unexpected extra arguments ({args})": "多余的参数：{args}",
    "No such command {name!r}.": "没有命令“{name}”。",
    "{value} is not in the range {range}.": "{value} 不在允许的范围（{range}）内。",
    "{value!r} is not a valid boolean. Recognized values: {states}": "“{value}”不是有效的是/否值，可用：{states}",
    "{name} {filename!r} is not executable.": "{name}“{filename}”无法执行。",
}

# Type names click shows in help (``--year INTEGER``) and puts in messages
# (“不是有效的integer”): class attributes, so every instance is covered.
TYPE_NAMES = {
    click.types.IntParamType: "整数",
    click.types.IntRange: "整数",
    click.types.FloatParamType: "数字",
    click.types.FloatRange: "数字",
    click.types.StringParamType: "文字",
    click.types.BoolParamType: "是/否",
    click.types.UUIDParameterType: "UUID",
}


def _gettext(message: str) -> str:
    return ZH.get(message, message)


def _ngettext(singular: str, plural: str, n: int) -> str:
    return _gettext(singular if n == 1 else plural)


_CJK = "\u3000-\u303f\u4e00-\u9fff\uff00-\uffef"
_CJK_BREAK = re.compile(f"(?<=[{_CJK}])\n(?=[{_CJK}])")
_original_wrap_text = click.formatting.wrap_text


def _wrap_text(text: str, *args, **kwargs) -> str:
    """click joins the lines of a paragraph with spaces; between Chinese characters
    that space is wrong, so such line breaks are removed first."""
    return _original_wrap_text(_CJK_BREAK.sub("", text), *args, **kwargs)


def install() -> None:
    click.formatting.wrap_text = _wrap_text
    for cls, name in TYPE_NAMES.items():
        cls.name = name
    for mod in (click.core, click.decorators, click.exceptions, click.formatting, click.parser,
                click.types):
        if hasattr(mod, "_"):
            mod._ = _gettext
        if hasattr(mod, "ngettext"):
            mod.ngettext = _ngettext
