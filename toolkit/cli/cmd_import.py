"""``xxgk import``: published reports (web page, PDF, Word, text, workbook) → filled templates."""

import sys
from pathlib import Path

import click

from ..errors import XxgkError
from ..publish.importer import import_folder_items, import_one
from ..spec import UNIT_TYPES
from .common import echo_json, friendly_errors


@click.command("import")
@click.argument("document", type=click.Path(exists=True, dir_okay=True), metavar="文档或文件夹")
@click.option("-o", "--output", type=click.Path(), default=None,
              help="输出的填报工作簿（.xlsx）；导入文件夹时为输出文件夹。只用 --json 时可省略。")
@click.option("--json", "as_json", is_flag=True,
              help="以 JSON 输出识别结果：每个单元格的数值、原文和出处（表格/行/列），便于逐格核对。")
@click.option("--unit", default="", help="单位名称（默认从报告标题或落款识别）。")
@click.option("--unit-type", type=click.Choice(UNIT_TYPES),
              default=None, help="单位类型（默认按单位名称推断）。")
@click.option("--county", default="", help="所属区县。")
@click.option("--year", type=int, default=None, help="报告年度（默认从标题、统计期限或日期识别）。")
@click.option("--force", is_flag=True, help="覆盖已存在的输出文件。")
@friendly_errors
def command(document, output, as_json, unit, unit_type, county, year, force):
    """把已发布的年度报告导入填报模板：网页（.html）、PDF、Word（.docx/.doc）、
    文本（.txt/.md，含从网页复制的“|”表格）、繁体字版本，或自制的 Excel 表格。

    按国家格式的栏目名称识别六个部分和表二、表三、表四，写入对应版本的模板；
    需要解释的格子（“/”“—”按 0、按位置对应等）在工作簿中加批注。印出的合计
    与各项之和不一致时报告 I-1 错误；正文中的数字与表格不一致时报告核实
    （与 xxgk check 相同的规则，--json 列出每一句的核对结果）；报告中途截断时
    说明读到哪一行，未印出的格子留空，不按 0 处理。也可以导入一个文件夹
    （每个报告一个工作簿）。

    退出状态：0 完整导入；1 已导入但有缺漏或问题（截断、缺表、合计不符、
    正文与表格不一致、单位或年度未识别）；2 没有可用内容或文件无法读取。

    \b
    示例：
      xxgk import 某某镇2020年政府信息公开工作年度报告.html -o 某某镇2020.xlsx --county 某某区
      xxgk import 报告.pdf --json > 识别结果.json
      xxgk import 已发布报告/ -o 导入结果/
      xxgk check 某某镇2020.xlsx
    """
    if output is None and not as_json:
        raise click.ClickException("请用 -o 指定输出文件（或文件夹），或用 --json 只查看识别结果")
    kw = dict(unit=unit, county=county, unit_type=unit_type or "", year=year)
    src = Path(document)
    if src.is_dir():
        items = import_folder_items(src)
        if not items:
            raise click.ClickException(f"{src}：文件夹中没有可导入的报告（.html .pdf .docx .doc .txt .md .xlsx）")
        outdir = Path(output) if output else None
        if outdir is not None and outdir.exists() and not outdir.is_dir():
            raise click.ClickException(f"{outdir}：导入文件夹时 -o 应为文件夹")
        results, lines, worst = [], [], 0
        with click.progressbar(items, label="导入", file=sys.stderr, show_pos=True) as bar:
            for path in bar:
                target = outdir / (path.stem + ".xlsx") if outdir else None
                code, line, data = import_one(path, target, force, **kw)
                worst = max(worst, code)
                lines.append(line)
                results.append(data)
        if as_json:
            echo_json(results)
        else:
            for line in lines:
                click.echo(line)
        sys.exit(worst)
    code, line, data = import_one(src, Path(output) if output else None, force, verbose=True, **kw)
    if as_json:
        echo_json(data)
    else:
        click.echo(line)
    sys.exit(code)
