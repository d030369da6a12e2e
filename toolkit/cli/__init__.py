"""The ``xxgk`` command: a thin shell over the library.

Each command lives in its own module (``toolkit/cli/cmd_*.py``) and only
parses options, calls one library function and renders the result.
"""

from __future__ import annotations

import importlib
import sys

import click

from .. import __version__
from . import zh

zh.install()  # before the decorators below evaluate their help texts

# Command modules, in --help order.  Each defines ``command`` (a click command).
# A module is imported only when its command runs (or --help lists them all):
# ``xxgk check`` must not import what ``merge``, ``fill`` or ``export`` need.
COMMANDS = {
    "demo": "cmd_demo",
    "check": "cmd_check",
    "merge": "cmd_merge",
    "fill": "cmd_fill",
    "import": "cmd_import",
    "export": "cmd_export",
    "template": "cmd_template",
    "cells": "cmd_cells",
    "register-template": "cmd_register",
}
COMMAND_MODULES = list(COMMANDS.values())

CONTEXT = dict(help_option_names=["-h", "--help"], max_content_width=100)


class OrderedGroup(click.Group):
    """Commands in ``COMMANDS`` order, each module imported when first needed.

    ``get_command`` (what running one command uses) imports only that
    command's module; reading ``commands`` (--help, docs, tests) imports all.
    """

    @property
    def commands(self) -> dict:
        for name in COMMANDS:
            self._load(name)
        # In COMMANDS order, whichever command was loaded first.
        order = [n for n in COMMANDS if n in self._commands] + [n for n in self._commands if n not in COMMANDS]
        self._commands = {n: self._commands[n] for n in order}
        return self._commands

    @commands.setter
    def commands(self, value) -> None:
        self._commands = dict(value or {})

    def add_command(self, cmd, name=None) -> None:
        self._commands[name or cmd.name] = cmd

    def _load(self, name: str):
        if name not in self._commands and name in COMMANDS:
            try:
                mod = importlib.import_module(f".{COMMANDS[name]}", __name__)
            except ModuleNotFoundError as exc:  # command not built yet in this checkout
                if exc.name != f"{__name__}.{COMMANDS[name]}":
                    raise
                return None
            mod.command.options_metavar = "[选项]"  # click's “[OPTIONS]” in Chinese
            self._commands[name] = mod.command
        return self._commands.get(name)

    def list_commands(self, ctx):
        return list(self.commands)

    def get_command(self, ctx, name):
        return self._load(name)

    def main(self, *args, **kwargs):
        kwargs.pop("standalone_mode", None)
        for stream in (sys.stdout, sys.stderr):
            # Output redirected on Windows is encoded in the ANSI code page (GBK):
            # a character it lacks (a rare unit-name character) must not crash the run.
            if hasattr(stream, "reconfigure") and (stream.encoding or "").lower() not in ("utf-8", "utf8"):
                stream.reconfigure(errors="replace")
        try:
            return super().main(*args, standalone_mode=False, **kwargs)
        except (click.exceptions.Abort, KeyboardInterrupt):  # Ctrl-C: the shell's convention
            click.echo("\n已中止。", err=True)
            raise SystemExit(130) from None
        except click.exceptions.UsageError as exc:
            cmd = exc.ctx.command_path if exc.ctx else "xxgk"
            click.echo(f"用法错误：{exc.format_message()}", err=True)
            click.echo(f"运行“{cmd} --help”查看用法和示例。", err=True)
            raise SystemExit(exc.exit_code) from None
        except click.exceptions.ClickException as exc:
            exc.show()
            raise SystemExit(exc.exit_code) from None


@click.group(cls=OrderedGroup, context_settings=CONTEXT)
@click.version_option(__version__, "-V", "--version", message="xxgk %(version)s")
def main():
    """xxgk：政府信息公开工作年度报告工具箱。

    \b
    生成锁定的 Excel 填报模板，校验填好的报告，把各乡镇（街道）、部门的报告
    汇总成区（县）汇总表。

    \b
    常用示例：
      xxgk demo                       生成示例数据并汇总（先试这个）
      xxgk template -o 模板.xlsx       生成2021版填报模板
      xxgk check 某某镇.xlsx           校验一个报告
      xxgk merge 报告文件夹 -o 汇总.xlsx 汇总一个文件夹
    """

# click's own usage words (“[OPTIONS]”, “COMMAND [ARGS]...”) in Chinese too
# (each command gets its own when OrderedGroup._load imports it).
main.options_metavar = "[选项]"
main.subcommand_metavar = "命令 [参数]..."
