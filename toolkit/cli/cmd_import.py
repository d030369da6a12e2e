"""``xxgk import``: a published report (.docx / text) → a filled template."""

import click

from ..publish.importer import import_to_workbook
from .common import friendly_errors


@click.command("import")
@click.argument("document", type=click.Path(exists=True, dir_okay=False))
@click.option("-o", "--output", type=click.Path(dir_okay=False), required=True,
              help="输出的填报工作簿（.xlsx）。")
@click.option("--unit", default="", help="单位名称（默认从报告标题识别）。")
@click.option("--unit-type", type=click.Choice(["乡镇", "街道", "县级政府部门", "县级人民政府", "其他"]),
              default=None, help="单位类型（默认按单位名称推断）。")
@click.option("--county", default="", help="所属区县。")
@click.option("--year", type=int, default=None, help="报告年度（默认从报告标题识别）。")
@click.option("--force", is_flag=True, help="覆盖已存在的输出文件。")
@friendly_errors
def command(document, output, unit, unit_type, county, year, force):
    """把已有的年度报告导入填报模板：Word（.docx）、文本，或自制的 Excel 表格。

    按国家格式识别六个部分和表二、表三、表四（缺少栏目名称的行按官方行序
    对应），写入对应版本的模板。也可用来修复被改乱的填报表（插入了行、
    改了公式）：按栏目名称把数据搬进一份新模板。导入后请用 xxgk check
    校验并补全封面信息。

    \b
    示例：
      xxgk import 某某镇2020年政府信息公开工作年度报告.docx -o 某某镇2020.xlsx --county 某某区
      xxgk import 自制表格.xlsx -o 某某镇2021.xlsx
      xxgk check 某某镇2020.xlsx
    """
    imp = import_to_workbook(document, output, force=force, unit=unit, county=county,
                             unit_type=unit_type or "", year=year)
    n = sum(1 for v in imp.values.values() if v is not None)
    click.echo(f"已导入 {imp.info.get('unit_name') or '（未识别单位名称）'} "
               f"{imp.info.get('year') or ''} 年度报告（{imp.edition} 版），{n} 个数据单元格 → {output}")
    for note in imp.notes:
        click.echo(f"  注意：{note}")
    click.echo("请打开文件补全封面信息，然后运行 xxgk check 校验。")
