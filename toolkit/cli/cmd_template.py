"""``xxgk template``: build the locked template."""

import click

from ..template import write_template
from .common import edition_option, friendly_errors


@click.command("template")
@edition_option
@click.option("-o", "--output", type=click.Path(dir_okay=False), default=None,
              help="输出文件（默认：填报模板-<版本>.xlsx）。")
@click.option("--force", is_flag=True, help="覆盖已存在的输出文件。")
@friendly_errors
def command(edition, output, force):
    """生成锁定的 Excel 填报模板。

    模板包含封面（单位信息）、表二、表三、表四和正文，只有填写项可以编辑，
    合计为公式，所有工作表均已保护。

    \b
    示例：
      xxgk template -o 填报模板.xlsx
      xxgk template --edition 2019 -o 2020年度填报模板.xlsx
    """
    output = output or f"填报模板-{edition}.xlsx"
    path = write_template(output, edition, force=force)
    click.echo(f"已生成 {edition} 版填报模板：{path}")
