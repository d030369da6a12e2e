"""``xxgk check``: check filled workbooks."""


import sys
from pathlib import Path

import click

from ..engine.check import check
from ..errors import UnreadableWorkbook
from ..engine.render import render_result
from ..outputs import terminal_text
from .common import echo_json, friendly_errors, progress_printer

DEFAULT_TIMEOUT = 60.0  # as toolkit.merge.run.DEFAULT_TIMEOUT (not imported: start-up time)


@click.command("check")
@click.argument("files", nargs=-1, required=True, type=click.Path(), metavar="文件或文件夹...")
@click.option("--json", "as_json", is_flag=True, help="以 JSON 输出结果（格式见 docs/check-json.md）。")
@click.option("--annotate", "annotate_out", type=click.Path(dir_okay=True), default=None,
              help="另存一份带批注的副本：问题单元格加批注和底色，并增加“校验结果”工作表。"
                   "检查多个文件时请给一个文件夹。")
@click.option("--previous", type=click.Path(exists=True, dir_okay=False), default=None,
              help="上一年度的报告工作簿，用于跨年度核对（上年结转等）。")
@click.option("--force", is_flag=True,
              help="（与 --annotate 一起用）覆盖已存在的带批注副本；其中已填写的情况说明会保留。")
@click.option("--strict", is_flag=True, help="严格模式：未填写情况说明的“核实”项按错误处理。")
@click.option("--no-hints", is_flag=True, help="终端输出中不显示“提示”级别的问题。")
@click.option("--only-failures", is_flag=True,
              help="只列出未通过和无法读取的文件（通过、待核实的文件只计入最后一行的统计），适合检查大文件夹。")
@click.option("--progress/--no-progress", default=None,
              help="检查多个文件时显示进度条（默认：在终端中运行时显示）。")
@click.option("--workers", type=int, default=None, help="检查多个文件时的并行进程数（默认：CPU 核数）。")
@click.option("--timeout", type=float, default=DEFAULT_TIMEOUT, show_default=True,
              help="单个文件的读取时限（秒），超时的文件按无法读取处理。")
@friendly_errors
def command(files, as_json, annotate_out, previous, force, strict, no_hints, only_failures, progress,
            workers, timeout):
    """校验填好的年度报告工作簿。

    检查表二、表三、表四的勾稽关系和填写错误，以及模板是否被改动。
    问题分三级：错误（必须改正）、核实（可能有误，需在“校验结果”表中
    填写情况说明）、提示（仅供参考）。原文件不会被修改。

    退出状态：0 = 没有错误；1 = 有错误；2 = 有文件无法读取。

    \b
    示例：
      xxgk check 某某镇2021年报.xlsx
      xxgk check 某某镇2021年报.xlsx --previous 某某镇2020年报.xlsx
      xxgk check 某某镇2021年报.xlsx --annotate 某某镇-校验.xlsx
      xxgk check 报告文件夹 --json > 结果.json

    给出文件夹时，检查其中所有 .xlsx/.xlsm 工作簿（跳过 Excel 临时文件 ~$ 和隐藏文件），
    与 merge 一样多进程并行、显示进度；文件很多时可加 --only-failures 只看有问题的文件。
    """
    many = len(files) > 1 or any(Path(f).is_dir() for f in files)
    if many and annotate_out and Path(annotate_out).suffix.lower() in (".xlsx", ".xlsm"):
        raise click.UsageError(f"检查多个文件时 --annotate 应给一个文件夹（每个文件写一份副本），"
                               f"而“{annotate_out}”是工作簿文件名")
    files = _expand(files)
    try:
        if many:
            from ..merge.checks import check_files  # the pool: imported only for many files
            if progress is None:
                progress = sys.stderr.isatty()
            results = check_files(files, previous=previous, strict=strict, workers=workers,
                                  timeout=timeout, progress=progress_printer(progress),
                                  refuse_other_previous=True)
        else:
            results = [check(files[0], previous=previous, strict=strict, refuse_other_previous=True)]
    except UnreadableWorkbook as exc:  # the --previous file
        click.echo(f"错误：上一年度报告无法读取：{exc}", err=True)
        raise SystemExit(2) from None
    if annotate_out:
        from ..marks.annotate import annotate_results
        written = annotate_results(results, annotate_out, force=force,
                                   on_skip=lambda m: click.echo(terminal_text(m), err=True))
        for p in written:
            click.echo(f"已写出带批注的副本：{terminal_text(p)}", err=True)
    if as_json:
        echo_json([r.to_dict() for r in results] if many else results[0].to_dict())
    else:
        for r in results:
            if only_failures and r.verdict not in ("fail", "unreadable"):
                continue
            click.echo(render_result(r, show_hints=not no_hints))
        if len(results) > 1:
            n = {v: sum(1 for r in results if r.verdict == v) for v in ("pass", "verify", "fail", "unreadable")}
            click.echo(f"共 {len(results)} 个文件：通过 {n['pass']}，待核实 {n['verify']}，"
                       f"未通过 {n['fail']}，无法读取 {n['unreadable']}")
    raise SystemExit(max(r.exit_code for r in results))


def _expand(args) -> list:
    """Files as given; a folder stands for the workbooks in it (as ``merge`` finds them)."""
    out = []
    for a in args:
        if Path(a).is_dir():
            from ..merge.run import discover
            found = discover(a)
            if not found:
                raise click.UsageError(f"文件夹“{a}”中没有 .xlsx/.xlsm 工作簿")
            out.extend(str(p) for p in found)
        else:
            out.append(a)
    return out
