"""`duban import hazards FILE.xlsx [--dry-run]` and `duban export hazards -o FILE.xlsx [filters]`, registered
with the one import and export commands (`duban.core.excel.commands`) from SafetyConfig.ready()."""

from __future__ import annotations

import shutil
from pathlib import Path

from django.core.management.base import CommandError
from django.http import QueryDict

from duban.core.actor import Actor
from duban.core.excel.commands import SheetCommands
from duban.core.excel.filters import FilterError
from duban.safety.excel.export import export_filtered
from duban.safety.excel.plan import ImportFailed, apply_plan, build_plan, describe

SHOWN = 200  # lines of each kind printed; the rest are counted
FILTERS = (("--sector", "sector", "行业领域（编号）"), ("--level", "level", "隐患等级：general（一般）或 major（重大）"),
           ("--township", "township", "属地乡镇（单位编号）"), ("--lead-unit", "lead_unit", "整改责任单位（单位编号）"),
           ("--found-from", "found_from", "排查时间不早于 YYYY-MM-DD"), ("--found-to", "found_to", "排查时间不晚于 YYYY-MM-DD"),
           ("-q", "q", "关键词（编号、内容、部位）"))


def import_arguments(parser) -> None:
    parser.add_argument("file", metavar="FILE.xlsx", help="隐患排查整改台账或从系统导出的台账")
    parser.add_argument("--dry-run", action="store_true", help="只核对并列出将新建和修改的内容，不写入")


def run_import(command, opts) -> None:
    path = Path(opts["file"])
    if not path.is_file():
        raise CommandError(f"找不到文件“{path}”。", returncode=2)
    with path.open("rb") as source:
        plan = build_plan(source, file_name=path.name)
    for line in describe(plan, limit=SHOWN):
        command.stdout.write(line)
    if not plan.ok:
        raise CommandError(f"未导入：发现 {len(plan.errors)} 处问题（见上）。修改表格后重新导入。", returncode=1)
    if plan.nothing_to_do:
        command.stdout.write(command.style.SUCCESS("表格与系统中的隐患一致，没有需要写入的内容。"))
        return
    try:
        result = apply_plan(plan, Actor.system("duban import"), dry_run=opts["dry_run"])
    except ImportFailed as exc:
        for problem in exc.problems[:SHOWN]:
            command.stdout.write(str(problem))
        raise CommandError(f"未导入：发现 {len(exc.problems)} 处问题（见上）。修改表格后重新导入。", returncode=1) from None
    if opts["dry_run"]:
        command.stdout.write(command.style.WARNING("试运行（--dry-run）：以上内容均未写入。"))
        return
    command.stdout.write(command.style.SUCCESS(f"导入完成：新建 {len(result.created)} 条，修改 {len(result.updated)} 条。"))


def export_arguments(parser) -> None:
    parser.add_argument("-o", "--output", metavar="FILE.xlsx", help="输出文件；不给则为当前目录下的“隐患排查整改台账-年月日.xlsx”")
    for option, _name, text in FILTERS:
        parser.add_argument(option, help=text)
    parser.add_argument("--state", action="append", metavar="STATE", help="状态：open（未销号）、found、rectifying、awaiting、closed，可重复")


def run_export(command, opts) -> None:
    params = QueryDict(mutable=True)
    for _option, name, _text in FILTERS:
        if opts.get(name):
            params[name] = opts[name]
    params.setlist("state", opts.get("state") or [])
    try:
        output, rows, filename = export_filtered(Actor.system("duban export"), params)
    except FilterError as exc:
        raise CommandError(str(exc), returncode=2) from None
    target = Path(opts["output"] or filename)
    with output, target.open("wb") as out:
        shutil.copyfileobj(output, out)
    command.stdout.write(command.style.SUCCESS(f"已导出 {rows} 条隐患到 {target}"))


COMMANDS = SheetCommands(
    kind="hazards", import_help="导入隐患排查整改台账（.xlsx）：逐行核对，全部无误才写入；带“隐患编号”的行更新该隐患（导回导出的台账）",
    export_help="导出隐患排查整改台账（.xlsx），按县里的列（序号、排查时间……验收时间），筛选条件与隐患台账列表页相同",
    import_arguments=import_arguments, run_import=run_import, export_arguments=export_arguments, run_export=run_export,
)
