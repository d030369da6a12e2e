"""``xxgk cells``: list every data cell of an edition."""

import click

from ..cells import cell_table
from .common import echo_json, edition_option, friendly_errors


@click.command("cells")
@edition_option
@click.option("--json", "as_json", is_flag=True, help="以 JSON 输出（供其他程序使用）。")
@friendly_errors
def command(edition, as_json):
    """列出模板中所有数据单元格和封面信息项。

    每个单元格有稳定的编号（id）、栏目路径、工作表、单元格地址、类别
    （input 填写项 / total 自动合计 / info 封面信息 / text 正文）和数据类型。
    其他工具和测试只通过这张清单定位单元格。

    \b
    示例：
      xxgk cells
      xxgk cells --edition 2019 --json > cells-2019.json
    """
    rows = cell_table(edition)
    if as_json:
        echo_json({"schema": 1, "edition": edition, "cells": rows})
        return
    for r in rows:
        click.echo(f"{r['id']:<34} {r['sheet']}!{r['address']:<5} {r['kind']:<6} {r['type']:<7} {r['path']}")
