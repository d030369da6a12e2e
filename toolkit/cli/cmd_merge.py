"""``xxgk merge``: check every workbook of a folder and write the summary workbook."""

import sys
from datetime import date

import click

from ..merge.run import DEFAULT_TIMEOUT, PREFER_CHOICES, merge
from ..outputs import terminal_text
from .common import echo_json, fix_output, friendly_errors, progress_printer  # noqa: F401 (re-exported)

FIRST_YEAR = 2019  # the oldest edition of the tables (2019 版, used for 2019 and 2020)


@click.command("merge")
@click.argument("folder", type=click.Path(exists=True, file_okay=False), metavar="文件夹")
@click.option("-o", "--output", type=click.Path(dir_okay=False), default="汇总表.xlsx",
              show_default=True, help="汇总表文件。")
@click.option("--units", type=click.Path(exists=True, dir_okay=False), default=None,
              help="单位名单：.txt（每行一个单位名称），或 .csv、.xlsx（“单位名称”一列，在哪一列都可以），"
                   "用于查找未报送的单位。")
@click.option("--previous", type=click.Path(exists=True), default=None,
              help="上一年度的汇总表，或存放上一年度各单位报告的文件夹，用于跨年度核对。")
@click.option("--year", type=click.IntRange(FIRST_YEAR, date.today().year + 1), default=None,
              help="汇总的报告年度（默认：多数工作簿的年度）。")
@click.option("--name", default=None, help="汇总表封面上的单位名称（默认：<所属区县>（汇总））。")
@click.option("--recursive/--no-recurse", "-r", "recursive", default=True,
              help="是否读取子文件夹（默认读取；--no-recurse 只读这个文件夹本身）。")
@click.option("--prefer", type=click.Choice(PREFER_CHOICES), default=None,
              help="同一单位有数据不同的多个工作簿时：newest = 计入较新的一份（按封面填报日期，其次文件修改时间），"
                   "较早的列入问题清单。默认都不计入。")
@click.option("--force", is_flag=True, help="覆盖已存在的汇总表（和 --export-csv 的 CSV 文件）。")
@click.option("--json", "as_json", is_flag=True, help="在标准输出打印 JSON 格式的汇总结果。")
@click.option("--export-csv", type=click.Path(file_okay=False), default=None,
              help="另存 CSV（UTF-8，可用 Excel 打开）：各单位数据、问题、汇总数。")
@click.option("--progress/--no-progress", default=None,
              help="显示进度条（默认：在终端中运行时显示）。")
@click.option("--workers", type=click.IntRange(min=1), default=None, help="并行进程数（默认：CPU 核数）。")
@click.option("--timeout", type=click.FloatRange(min=0, min_open=True), default=DEFAULT_TIMEOUT,
              show_default=True,
              help="单个文件的读取时限（秒），超时的文件按无法读取处理。")
@friendly_errors
def command(folder, output, units, previous, year, name, recursive, prefer, force, as_json,
            export_csv, progress, workers, timeout):
    """汇总一个文件夹中各单位的年度报告。

    逐个校验文件夹（含子文件夹）中的每个文件：.xlsx/.xlsm 工作簿，.xls、
    .xlsb、.ods、.et 表格，Word、PDF、网页、文本报告，.zip 压缩包中的文件
    （与 xxgk check 相同的规则），把能读取的报告相加，写出一个汇总表：说明、
    汇总（与填报模板格式相同的各表）、明细（每个单位一行，问题格子带批注和
    底色）、问题清单和图表。每个文件要么计入，要么列出原因和处理办法；原
    文件不会被修改；个别文件损坏不影响其他文件的汇总。

    同一单位有多个数据相同的文件时只计入一次；数据不同时都不计入，请只保留
    正确的一份后重新汇总（或加 --prefer newest 计入较新的一份）。

    退出状态：0 = 没有错误；1 = 有错误；2 = 有文件无法读取。

    \b
    示例：
      xxgk merge 报告 -o 2024年汇总.xlsx
      xxgk merge 报告 -o 2024年汇总.xlsx --units 单位名单.txt --previous 2023年汇总.xlsx
      xxgk merge 报告 -o 2024年汇总.xlsx --prefer newest
      xxgk merge 各区县汇总表 -o 全市汇总.xlsx --name 某某市（汇总）
    """
    output = fix_output(output, (".xlsx",), "汇总表")
    if progress is None:
        progress = sys.stderr.isatty()
    if export_csv:  # before the long run: refuse existing CSV files now, not after it
        from pathlib import Path

        from ..outputs import check_output
        for n in ("values", "findings", "totals"):
            check_output(Path(export_csv) / f"{n}.csv", [], force)
    result = merge(folder, output, units=units, previous=previous, year=year, recursive=recursive,
                   name=name, workers=workers, timeout=timeout,
                   progress=progress_printer(progress), force=force, prefer=prefer)
    if export_csv:
        for p in result.export_csv(export_csv, force=force):
            click.echo(f"已写出 {terminal_text(p)}", err=True)
    if as_json:
        echo_json(result.to_dict())
    else:
        click.echo(result.summary_line())
        for line in result.file_lines():
            click.echo(terminal_text(line))
        for n in result.missing:
            click.echo(f"  未报送：{terminal_text(n)}")
        click.echo(f"已写出汇总表：{terminal_text(result.output)}（问题详见其中的“问题清单”工作表）")
    raise SystemExit(result.exit_code)
