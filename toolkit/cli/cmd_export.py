"""``xxgk export``: a checked workbook → the published report (.docx)."""

import click

from ..engine.check import check
from ..engine.verdict import may_export
from ..publish.export import export_docx, narrative_findings
from .common import fix_output, friendly_errors


@click.command("export")
@click.argument("workbook", type=click.Path(exists=True, dir_okay=False), metavar="工作簿")
@click.option("-o", "--output", type=click.Path(dir_okay=False), default=None,
              help="输出的 Word 文件（默认：<单位><年度>年政府信息公开工作年度报告.docx）。")
@click.option("--force", is_flag=True, help="覆盖已存在的输出文件；校验有错误时也导出。")
@friendly_errors
def command(workbook, output, force):
    """把填好的工作簿导出为可发布的年度报告（Word 文档）。

    文档包含国家格式规定的六个部分，表二、表三、表四的栏目和合并单元格与
    官方格式一致。校验有错误时默认不导出（加 --force 强制导出）；正文中的数字
    与表格不一致时，导出前会逐条列出，请核对。

    \b
    示例：
      xxgk export 某某镇2021年报.xlsx
      xxgk export 某某镇2021年报.xlsx -o 某某镇2021年政府信息公开工作年度报告.docx
    """
    output = fix_output(output, ('.docx',), "Word 文件")
    result = check(workbook)
    if not result.readable:
        raise click.ClickException(f"{workbook}：{result.error}")
    if not may_export(result.findings) and not force:
        raise click.ClickException(
            f"校验发现 {result.counts['error']} 项错误，请先改正（xxgk check {workbook}），"
            "或加 --force 强制导出")
    shown = narrative_findings(result)
    if shown:
        click.echo(f"注意：正文与表格有 {len(shown)} 处不一致，导出的报告中将原样保留，请核对：", err=True)
        for f in shown:
            click.echo(f"  【{f.severity_label}】{f.rule} {f.message}", err=True)
    rep = result.report
    output = output or f"{rep.unit}{rep.year or ''}年政府信息公开工作年度报告.docx"
    path = export_docx(workbook, output, force=force)
    click.echo(f"已导出年度报告：{path}")
