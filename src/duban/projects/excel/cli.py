"""`duban import projects FILE.xlsx [--dry-run]` and `duban export projects [-o FILE.xlsx] [filters]`: the shared
`import` / `export` verbs run these (registered in `ProjectsConfig.ready()`, as the hazard sheet is), acting as the
system actor."""

from __future__ import annotations

import shutil
from pathlib import Path

from django.core.management.base import CommandError
from django.http import QueryDict

from duban.core.actor import Actor
from duban.core.excel.commands import SheetCommands
from duban.core.excel.filters import FilterError
from duban.projects.excel.export import export_filtered
from duban.projects.excel.plan import ImportFailed, apply_plan, build_plan, describe

SHOWN = 200  # lines of each kind printed; the rest are counted
FILTERS = (("--industry", "industry", "产业类别（代码，如 materials）"), ("--lead-unit", "lead_unit", "责任单位（单位编号）"),
           ("--leader", "leader", "包抓领导（用户编号）"), ("--plan-year", "plan_year", "计划年度（也是导出哪一年的月度列）"),
           ("-q", "q", "关键词（编号、名称、投资主体）"))
MULTIPLE = (("--stage", "stage", "项目阶段：open（未投产）、lead、negotiating、signed、preparing、started、completed、producing、stopped，可重复"),
            ("--level", "level", "项目级别：province、city、county、none，可重复"))


def import_arguments(parser) -> None:
    parser.add_argument("file", metavar="FILE.xlsx", help="重点项目推进表或从系统导出的项目表")
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
        command.stdout.write(command.style.SUCCESS("表格与系统中的项目一致，没有需要写入的内容。"))
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
    command.stdout.write(command.style.SUCCESS(f"导入完成：新建 {len(result.created)} 个项目，修改 {len(result.updated)} 个。"))


def export_arguments(parser) -> None:
    parser.add_argument("-o", "--output", metavar="FILE.xlsx", help="输出文件；不给则为当前目录下的“重点项目推进表-年月日.xlsx”")
    for option, name, text in FILTERS:
        parser.add_argument(option, dest=name, help=text)
    for option, name, text in MULTIPLE:
        parser.add_argument(option, dest=name, action="append", metavar=name.upper(), help=text)


def run_export(command, opts) -> None:
    params = QueryDict(mutable=True)
    for _option, name, _text in FILTERS:
        if opts.get(name):
            params[name] = opts[name]
    for _option, name, _text in MULTIPLE:
        params.setlist(name, opts.get(name) or [])
    try:
        output, rows, filename = export_filtered(Actor.system("duban export"), params)
    except FilterError as exc:
        raise CommandError(str(exc), returncode=2) from None
    target = Path(opts["output"] or filename)
    with output, target.open("wb") as out:
        shutil.copyfileobj(output, out)
    command.stdout.write(command.style.SUCCESS(f"已导出 {rows} 个项目到 {target}"))


# The `duban import KIND` / `duban export KIND` sub-commands (duban.core.excel.commands).
COMMANDS = SheetCommands(
    kind="projects", import_help="导入重点项目推进表（.xlsx）：逐行核对，全部无误才写入；带“项目编号”或与已有项目同名的行更新该项目",
    export_help="导出重点项目推进表（.xlsx），按县里的列及各月计划/完成投资，筛选条件与项目列表页相同",
    import_arguments=import_arguments, run_import=run_import, export_arguments=export_arguments, run_export=run_export,
)
