"""``xxgk demo``: sample district → summary workbook (the main job on built-in data)."""

import click

from ..demo.run import build_demo, guide
from .common import friendly_errors


@click.command("demo")
@click.argument("folder", type=click.Path(file_okay=False), default="xxgk-demo", metavar="[文件夹]")
@friendly_errors
def command(folder):
    """生成一个示例区的各单位报告并汇总（先试这个）。

    在指定的文件夹（默认 ./xxgk-demo）中写出 15 个乡镇、街道和 5 个区直部门的
    报告（其中两份有常见错误，一份重复报送）、一份单位名单（其中一个单位
    未报送），然后汇总，并告诉你在汇总表中看哪里。再次运行只覆盖示例自己
    生成的文件；文件夹中有别的文件时不会生成，请换一个文件夹。

    \b
    示例：
      xxgk demo
      xxgk demo 我的示例
    """
    demo = build_demo(folder)
    click.echo(guide(demo))
