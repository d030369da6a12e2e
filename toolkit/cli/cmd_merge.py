"""``xxgk merge``: check every workbook of a folder and write the summary workbook."""

import sys

import click

from ..merge.run import DEFAULT_TIMEOUT, merge
from .common import echo_json, friendly_errors, progress_printer  # noqa: F401 (re-exported)


@click.command("merge")
@click.argument("folder", type=click.Path(file_okay=False))
@click.option("-o", "--output", type=click.Path(dir_okay=False), default="汇总表.xlsx",
              show_default=True, help="汇总表文件。")
@click.option("--units", type=click.Path(dir_okay=False), default=None,
              help="单位名单：.txt（每行一个单位名称）或 .xlsx（第一列每格一个），用于查找未报送的单位。")
@click.option("--previous", type=click.Path(exists=True), default=None,
              help="上一年度的汇总表，或存放上一年度各单位报告的文件夹，用于跨年度核对。")
@click.option("--year", type=int, default=None, help="汇总的报告年度（默认：多数工作簿的年度）。")
@click.option("--name", default=None, help="汇总表封面上的单位名称（默认：<所属区县>（汇总））。")
@click.option("--recursive", "-r", is_flag=True, help="同时读取子文件夹中的工作簿。")
@click.option("--force", is_flag=True, help="覆盖已存在的汇总表。")
@click.option("--json", "as_json", is_flag=True, help="在标准输出打印 JSON 格式的汇总结果。")
@click.option("--export-csv", type=click.Path(file_okay=False), default=None,
              help="另存 CSV（UTF-8，可用 Excel 打开）：各单位数据、问题、汇总数。")
@click.option("--progress/--no-progress", default=None,
              help="显示进度条（默认：在终端中运行时显示）。")
@click.option("--workers", type=int, default=None, help="并行进程数（默认：CPU 核数）。")
@click.option("--timeout", type=float, default=DEFAULT_TIMEOUT, show_default=True,
              help="单个文件的读取时限（秒），超时的文件按无法读取处理。")
@friendly_errors
def command(folder, output, units, previous, year, name, recursive, force, as_json, export_csv,
            progress, workers, timeout):
    """汇总一个文件夹中各单位的年度报告工作簿。

    逐个校验文件夹中的 .xlsx/.xlsm 工作簿（与 xxgk check 相同的规则），
    把能读取的报告相加，写出一个汇总表：说明、汇总（与填报模板格式相同
    的各表）、明细（每个单位一行，问题格子带批注和底色）、问题清单和
    图表。原文件不会被修改；个别文件损坏不影响其他文件的汇总。

    同一单位报送了多个工作簿时，这几个工作簿都不计入汇总，请只保留正确
    的一份后重新汇总。

    退出状态：0 = 没有错误；1 = 有错误；2 = 有文件无法读取。

    \b
    示例：
      xxgk merge 报告 -o 2024年汇总.xlsx
      xxgk merge 报告 -o 2024年汇总.xlsx --units 单位名单.txt --previous 2023年汇总.xlsx
      xxgk merge 各区县汇总表 -o 全市汇总.xlsx --name 某某市（汇总）
    """
    if progress is None:
        progress = sys.stderr.isatty()
    result = merge(folder, output, units=units, previous=previous, year=year, recursive=recursive,
                   name=name, workers=workers, timeout=timeout,
                   progress=progress_printer(progress), force=force)
    if export_csv:
        for p in result.export_csv(export_csv):
            click.echo(f"已写出 {p}", err=True)
    if as_json:
        echo_json(result.to_dict())
    else:
        click.echo(result.summary_line())
        for u in result.unreadable:
            click.echo(f"  无法读取：{u.file}：{u.error}")
        for n in result.missing:
            click.echo(f"  未报送：{n}")
        click.echo(f"已写出汇总表：{result.output}（问题详见其中的“问题清单”工作表）")
    raise SystemExit(result.exit_code)
