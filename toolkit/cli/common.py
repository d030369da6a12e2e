"""Shared option types and error handling for CLI commands."""

from __future__ import annotations

import functools
import json
import sys

import click

from ..errors import XxgkError
from ..spec import EDITIONS

edition_option = click.option(
    "--edition", type=click.Choice(EDITIONS), default="2021", show_default=True,
    help="表格版本：2019（用于2019、2020年度报告）或 2021（用于2021年度及以后）。")


class UserError(click.ClickException):
    """A Chinese one-line error for the user (exit status 1)."""

    def show(self, file=None):
        click.echo(f"错误：{self.format_message()}", err=True)


def friendly_errors(fn):
    """Turn library errors into a one-line Chinese message (exit 1), never a traceback."""
    @functools.wraps(fn)
    def wrapper(*args, **kwargs):
        try:
            return fn(*args, **kwargs)
        except click.ClickException as exc:
            if type(exc) is click.ClickException:  # plain ones raised by commands
                raise UserError(exc.format_message()) from None
            raise
        except XxgkError as exc:
            raise UserError(str(exc)) from None
        except (FileExistsError, PermissionError, IsADirectoryError) as exc:
            raise UserError(f"无法写入：{exc.filename or exc}") from None
    return wrapper


def echo_json(obj) -> None:
    sys.stdout.write(json.dumps(obj, ensure_ascii=False, indent=2) + "\n")


def progress_printer(enabled: bool):
    """A progress callback drawing one line on stderr (or None)."""
    if not enabled:
        return None
    state = {"last": -1}

    def show(done: int, total: int) -> None:
        pct = done * 100 // max(total, 1)
        if pct == state["last"] and done != total:
            return
        state["last"] = pct
        bar = "█" * (pct // 4) + "░" * (25 - pct // 4)
        sys.stderr.write(f"\r检查中 {bar} {done}/{total}（{pct}%）")
        if done == total:
            sys.stderr.write("\n")
        sys.stderr.flush()

    return show
