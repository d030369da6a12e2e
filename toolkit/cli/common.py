"""Shared option types and error handling for CLI commands."""

from __future__ import annotations

import functools
import json
import os
import re
import sys
from pathlib import Path

import click

from ..errors import XxgkError
from ..spec import DEFAULT_EDITION, EDITIONS, edition_info

class EditionChoice(click.Choice):
    """``--edition``: the editions of the registry at the time of the call (not of import)."""

    def __init__(self):
        super().__init__(tuple(EDITIONS))

    @property
    def choices(self):
        return tuple(EDITIONS)

    @choices.setter
    def choices(self, _value):
        pass


edition_option = click.option(
    "--edition", type=EditionChoice(), default=DEFAULT_EDITION, show_default=True,
    help="表格版本：" + "；".join(f"{k}（用于{edition_info(k)['years_text']}报告）" for k in EDITIONS) + "。")


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
        except (SystemExit, KeyboardInterrupt, click.exceptions.Abort, click.exceptions.Exit):
            raise
        except OSError as exc:  # disk full, unreadable input, …: the user's to fix
            raise UserError(f"文件读写失败：{exc.filename or ''}（{exc.strerror or exc}）") from None
        except MemoryError:
            click.echo("错误：内存不足，处理已中止（输入文件可能过大或已损坏）", err=True)
            raise SystemExit(2) from None
        except RecursionError:
            click.echo("错误：输入文件结构异常（嵌套过深），处理已中止", err=True)
            raise SystemExit(2) from None
        except Exception as exc:  # noqa: BLE001 — a bug of ours: exit 2, a clear message, no traceback
            from ..errors import internal_error_message
            click.echo(f"错误：{internal_error_message(exc)}", err=True)
            if os.environ.get("XXGK_DEBUG"):
                import traceback
                traceback.print_exc()
            raise SystemExit(2) from None
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


def fix_output(value, exts: tuple, what: str = "输出文件"):
    """``-o`` with a missing extension gets the right one (said on stderr); a wrong one is refused."""
    if value is None:
        return None
    p = Path(str(value))
    suffix = p.suffix.lower()
    if suffix in exts:
        return str(value)
    if not re.fullmatch(r"\.[a-z][a-z0-9]{0,4}", suffix):  # no extension (or “某镇.2024”)
        fixed = str(value) + exts[0]
        click.echo(f"提示：输出文件没有扩展名，已改为 {fixed}", err=True)
        return fixed
    raise click.UsageError(f"{what}应为 {'、'.join(exts)} 文件，“{value}”的扩展名是 {p.suffix}，请改正后重试")
