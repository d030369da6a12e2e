"""``xxgk fill``: fill a copy of the template from data, last year's report and the register."""

import click

from ..fill.core import fill
from ..spec import EDITIONS, edition_info
from ..outputs import terminal_text
from .common import EditionChoice, fix_output, friendly_errors


@click.command("fill")
@click.option("--edition", type=EditionChoice(), default=None,
              help="表格版本（默认：按报告年度确定，"
                   + "，".join(f"{edition_info(k)['years_text']}用{k}版" for k in EDITIONS) + "）。")
@click.option("--data", "data", type=click.Path(exists=True, dir_okay=False), default=None,
              help="数据文件（.json / .yaml / .csv），键为单元格编号或栏目路径（见 xxgk cells），格式见 docs/fill.md。")
@click.option("--previous", type=click.Path(exists=True, dir_okay=False), default=None,
              help="上一年度的报告工作簿：带出单位信息、上年结转和表二可结转的数字。")
@click.option("--register", type=click.Path(exists=True, dir_okay=False), default=None,
              help="依申请公开登记台账（xxgk register-template 生成）：自动统计整张表三。")
@click.option("--from", "old", type=click.Path(exists=True, dir_okay=False), default=None,
              help="旧版模板（第 1 版，正文每部分一格）填写的报告：把全部内容转到当前模板，正文自动分段。")
@click.option("--unit", default=None, help="单位名称（写入封面）。")
@click.option("--year", default=None, help="报告年度，如 2021（决定表格版本）。")
@click.option("--template", type=click.Path(exists=True, dir_okay=False), default=None,
              help="使用指定的模板文件（如带校验按钮的 .xlsm 模板）；默认使用当前版本的标准模板。")
@click.option("-o", "--output", required=True, type=click.Path(dir_okay=False),
              help="输出的报告文件（.xlsx；使用 .xlsm 模板时为 .xlsm）。")
@click.option("--force", is_flag=True, help="覆盖已存在的输出文件。")
@friendly_errors
def command(edition, data, previous, register, old, unit, year, template, output, force):
    """把已有的数据填进一份新的填报表，少打字、少出错。

    可以同时使用多种来源：数据文件、上一年度报告、登记台账、单位名称和年度。
    两个来源给同一个单元格填了不同的数，会拒绝并指出是哪两个来源。
    有任何问题都不会写出文件；原有文件（包括输入文件）不会被修改。

    \b
    示例：
      xxgk fill --register 登记台账.xlsx --year 2021 --unit 某某镇人民政府 -o 某某镇2021年报.xlsx
      xxgk fill --previous 某某镇2021年报.xlsx --register 登记台账.xlsx -o 某某镇2022年报.xlsx
      xxgk fill --data 数据.csv --year 2022 -o 某某镇2022年报.xlsx
      xxgk fill --from 旧模板填写的年报.xlsx -o 某某镇2022年报.xlsx
    """
    output = fix_output(output, ('.xlsx', '.xlsm'), "报告工作簿")
    result = fill(output, edition=edition, data=data, previous=previous, register=register,
                  unit=unit, year=year, template=template, force=force, old=old)
    click.echo("\n".join(terminal_text(line) for line in result.summary().splitlines()))
