"""``demo``: a realistic sample district, merged — the main job on built-in data.

Writes 15 townships/街道 and 5 县级政府部门 filled from ``toolkit.demo.sample``
(plausible numbers that satisfy every rule), then injects the mistakes
clerks really make, adds a roster with one unit that sent nothing and a
second copy of one unit's workbook, and merges the folder.
"""

from __future__ import annotations

import random
import shutil
from dataclasses import dataclass
from pathlib import Path

from ..merge.run import MergeResult, merge
from .sample import sample_info, sample_texts, sample_values, write_sample_workbook
from ..spec import edition_for_year

DEMO_YEAR = 2024
DEMO_COUNTY = "示例区"
TOWNSHIPS = [
    ("城关镇人民政府", "乡镇"), ("东关街道办事处", "街道"), ("西关街道办事处", "街道"),
    ("南关街道办事处", "街道"), ("北关街道办事处", "街道"), ("新华街道办事处", "街道"),
    ("河东镇人民政府", "乡镇"), ("河西镇人民政府", "乡镇"), ("马场镇人民政府", "乡镇"),
    ("石桥镇人民政府", "乡镇"), ("柳湾乡人民政府", "乡镇"), ("杨家庄镇人民政府", "乡镇"),
    ("清水镇人民政府", "乡镇"), ("红山镇人民政府", "乡镇"), ("白杨乡人民政府", "乡镇"),
]
DEPARTMENTS = [
    ("示例区发展和改革局", "县级政府部门"), ("示例区教育局", "县级政府部门"),
    ("示例区公安分局", "县级政府部门"), ("示例区自然资源局", "县级政府部门"),
    ("示例区卫生健康局", "县级政府部门"),
]
MISSING_UNIT = "李家堡镇人民政府"  # on the roster, sends nothing
DUPLICATED = "河东镇人民政府"  # sends its workbook twice
# Typical mistakes: unit -> (what, overrides or value changes)
MISTAKES = {
    "石桥镇人民政府": "（七）总计被手工改写为数字",
    "柳湾乡人民政府": "一＋二 ≠ 七＋四（多填了一件予以公开）；一个数字格填了“无”",
}


@dataclass
class DemoResult:
    folder: Path
    reports: Path
    roster: Path
    summary: Path
    merge: MergeResult


def _file_name(unit: str) -> str:
    short = unit.replace("人民政府", "").replace("办事处", "")
    return f"{short}{DEMO_YEAR}年政府信息公开年报.xlsx"


def build_demo(folder: str | Path = "xxgk-demo", seed: int = DEMO_YEAR, workers: int = 1,
               progress=None) -> DemoResult:
    """Write the sample district under ``folder`` and merge it; returns the paths and result."""
    folder = Path(folder)
    reports = folder / "各单位报告"
    roster = folder / "单位名单.txt"
    summary = folder / f"{DEMO_COUNTY}{DEMO_YEAR}年度政府信息公开工作年度报告汇总表.xlsx"
    names = [u for u, _ in TOWNSHIPS + DEPARTMENTS]
    planned = [reports / _file_name(u) for u in names]
    planned += [reports / _file_name(DUPLICATED).replace(".xlsx", "(1).xlsx"), roster, summary]
    _refuse_foreign_files(folder, reports, planned)
    if reports.exists():
        for p in reports.iterdir():  # only files an earlier demo wrote (checked above)
            p.unlink()
    reports.mkdir(parents=True, exist_ok=True)
    edition = edition_for_year(DEMO_YEAR)
    rng = random.Random(seed)
    for unit, unit_type in TOWNSHIPS + DEPARTMENTS:
        scale = 2.5 if unit_type == "县级政府部门" else 1.0
        values = sample_values(edition, rng, scale=scale, unit_type=unit_type)
        info = sample_info(unit, unit_type, DEMO_YEAR, county=DEMO_COUNTY)
        texts = sample_texts(unit, DEMO_YEAR, values, rng)
        overrides = {}
        if unit == "石桥镇人民政府":
            # A total typed over: the clerk "corrected" the sum by hand.
            overrides["t3.results_total.natural"] = values.get("t3.public.natural", 0) + 7
        if unit == "柳湾乡人民政府":
            values["t3.public.natural"] = values.get("t3.public.natural", 0) + 1  # 一+二 ≠ 七+四
            overrides["t4.review.upheld"] = "无"  # text in a number cell
        path = write_sample_workbook(reports / _file_name(unit), edition, values, info, texts,
                                     overrides=overrides)
        if unit == DUPLICATED:
            shutil.copyfile(path, reports / _file_name(unit).replace(".xlsx", "(1).xlsx"))
    roster.write_text("\n".join(names + [MISSING_UNIT]) + "\n", encoding="utf-8")
    result = merge(reports, summary, units=roster, year=DEMO_YEAR, workers=workers,
                   name=f"{DEMO_COUNTY}（汇总）", progress=progress,
                   force=True)  # the demo folder holds only the demo's own output
    return DemoResult(folder=folder, reports=reports, roster=roster, summary=summary, merge=result)


MARKER = ".xxgk-demo"  # written in the demo folder: later runs may replace what it lists


def _refuse_foreign_files(folder: Path, reports: Path, planned: list) -> None:
    """The demo only ever replaces files an earlier demo wrote (listed in its marker)."""
    from ..errors import XxgkError
    marker = folder / MARKER
    ours = set()
    if marker.is_file():
        ours = {line for line in marker.read_text(encoding="utf-8").splitlines() if line}
    foreign = [p for p in planned if p.exists() and p.relative_to(folder).as_posix() not in ours]
    if reports.is_dir():
        foreign += [p for p in reports.iterdir() if p.relative_to(folder).as_posix() not in ours]
    if foreign:
        raise XxgkError(f"文件夹“{folder}”中已有不是 xxgk demo 生成的文件（如“{foreign[0]}”），"
                        "为免覆盖，示例没有生成；请换一个文件夹，如：xxgk demo 新文件夹")
    folder.mkdir(parents=True, exist_ok=True)
    marker.write_text("\n".join(p.relative_to(folder).as_posix() for p in planned) + "\n",
                      encoding="utf-8")


def guide(demo: DemoResult) -> str:
    """What to look at, in Chinese, for the terminal."""
    r = demo.merge
    lines = [
        f"已在 {demo.folder} 生成示例区的 {len(r.units)} 份报告并完成汇总。",
        "",
        f"  各单位报告：{demo.reports}（{len(TOWNSHIPS)} 个乡镇、街道，{len(DEPARTMENTS)} 个区直部门）",
        f"  单位名单：  {demo.roster}",
        f"  汇总表：    {demo.summary}",
        "",
        r.summary_line(),
        "",
        "打开汇总表看看：",
        "  “说明”      本次汇总的文件数、问题数和各工作表的用法；",
        "  “问题清单”  每个问题一行，点“单元格”一栏跳到“明细”中的对应格子；",
        "  “明细”      每个单位一行，出错的格子标了底色，鼠标移上去可看批注；",
        "  “三、依申请公开”等  计入汇总的各单位之和，格式与填报模板相同；",
        "  “图表”      各单位申请数量、办理结果构成、复议诉讼情况。",
        "",
        "示例中故意放了这些常见问题：",
    ]
    for unit, what in MISTAKES.items():
        lines.append(f"  · {unit}：{what}")
    lines += [
        f"  · {DUPLICATED}：同一份报告报送了两次（内容相同，只计入一次，另一份列为未计入）",
        f"  · {MISSING_UNIT}：在名单中但没有报送",
        "",
        "汇总自己的文件夹：xxgk merge 报告文件夹 -o 汇总表.xlsx --units 单位名单.txt",
    ]
    return "\n".join(lines)
