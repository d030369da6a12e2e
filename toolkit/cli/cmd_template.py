"""``xxgk template``: build the locked template (``--macro``: with the check buttons)."""

from pathlib import Path

import click

from ..xlsx.template import write_template
from .common import fix_output, edition_option, friendly_errors


@click.command("template")
@edition_option
@click.option("-o", "--output", type=click.Path(dir_okay=False), default=None,
              help="输出文件（默认：填报模板-<版本>.xlsx；加 --macro 时为 .xlsm）。")
@click.option("--macro", is_flag=True,
              help="生成带“校验”“清除标记”按钮的启用宏模板（.xlsm，需在 Windows 版 Excel 中使用）。")
@click.option("--python", "python_path", metavar="PATH", default=None,
              help="（与 --macro 一起用）按钮调用的 Python 解释器完整路径，如 "
                   "C:\\Python311\\python.exe；可用 %LOCALAPPDATA% 等环境变量。"
                   "不填则使用本机 xlwings 配置或 PATH 中的 python。")
@click.option("--force", is_flag=True, help="覆盖已存在的输出文件。")
@friendly_errors
def command(edition, output, macro, python_path, force):
    """生成锁定的 Excel 填报模板。

    模板包含封面（单位信息）、表二、表三、表四和正文，只有填写项可以编辑，
    合计为公式，所有工作表均已保护。

    加 --macro 生成启用宏的模板（.xlsm）：表二、表三、表四上有“校验”和
    “清除标记”按钮，点击后调用本机安装的本工具校验报告。安装和信任设置见
    docs/windows-setup.md。

    \b
    示例：
      xxgk template -o 填报模板.xlsx
      xxgk template --edition 2019 -o 2020年度填报模板.xlsx
      xxgk template --macro -o 填报模板.xlsm
      xxgk template --macro --python "C:\\Program Files\\Python311\\python.exe" -o 填报模板.xlsm
    """
    if python_path is not None and not macro:
        raise click.UsageError("--python 只能与 --macro 一起使用。")
    suffix = ".xlsm" if macro else ".xlsx"
    output = fix_output(output, (suffix,), "模板") if output else f"填报模板-{edition}{suffix}"
    if Path(output).suffix.lower() != suffix:
        if macro:
            raise click.UsageError(f"启用宏的模板应保存为 .xlsm 文件：{output}")
        raise click.UsageError(f"不带宏的模板应保存为 .xlsx 文件：{output}（需要校验按钮请加 --macro）")
    if macro:
        from ..xlsx.macro_template import build_macro_template
        path = build_macro_template(output, edition, python_path=python_path, force=force)
        click.echo(f"已生成 {edition} 版启用宏的填报模板：{path}")
        return
    path = write_template(output, edition, force=force)
    click.echo(f"已生成 {edition} 版填报模板：{path}")
