"""``xxgk register-template``: the empty register of requests (依申请公开登记台账)."""

import click

from ..fill.register import write_register_template
from .common import fix_output, edition_option, friendly_errors


@click.command("register-template")
@edition_option
@click.option("-o", "--output", type=click.Path(dir_okay=False), default=None,
              help="输出文件（默认：依申请公开登记台账-<版本>.xlsx）。")
@click.option("--force", is_flag=True, help="覆盖已存在的输出文件。")
@friendly_errors
def command(edition, output, force):
    """生成依申请公开登记台账（Excel）。

    每收到一件申请登记一行：收到日期、申请人类型、办理结果、办结日期等，
    申请人类型和办理结果有下拉列表，“说明”工作表写明了填写和统计规则。
    年底用 xxgk fill --register 台账文件 自动算出年度报告的表三。

    \b
    示例：
      xxgk register-template -o 登记台账.xlsx
      xxgk register-template --edition 2019 -o 2020年登记台账.xlsx
    """
    output = fix_output(output, ('.xlsx',), "登记台账")
    output = output or f"依申请公开登记台账-{edition}.xlsx"
    path = write_register_template(output, edition, force=force)
    click.echo(f"已生成 {edition} 版依申请公开登记台账：{path}")
