"""`duban import projects FILE.xlsx [--dry-run]` and `duban export projects [-o FILE.xlsx] [filters]`: the shared
`import` / `export` verbs run these (registered in `ProjectsConfig.ready()`, as the hazard sheet is), acting as the
system actor."""

from __future__ import annotations

from django.http import QueryDict

from duban.core.excel import commands
from duban.core.excel.commands import SheetCommands
from duban.projects.excel.export import export_filtered
from duban.projects.excel.plan import apply_plan, build_plan, describe

FILTERS = (("--industry", "industry", "产业类别（代码，如 materials）"), ("--lead-unit", "lead_unit", "责任单位（单位编号）"),
           ("--leader", "leader", "包抓领导（用户编号）"), ("--plan-year", "plan_year", "计划年度（也是导出哪一年的月度列）"),
           ("-q", "q", "关键词（编号、名称、投资主体）"))
MULTIPLE = (("--stage", "stage", "项目阶段：open（未投产）、lead、negotiating、signed、preparing、started、completed、producing、stopped，可重复"),
            ("--level", "level", "项目级别：province、city、county、none，可重复"))


import_arguments = commands.import_arguments("重点项目推进表或从系统导出的项目表")


def run_import(command, opts) -> None:
    commands.run_import(command, opts, build_plan=build_plan, apply_plan=apply_plan, describe=describe,
                        same="表格与系统中的项目一致，没有需要写入的内容。",
                        done=lambda result: f"导入完成：新建 {len(result.created)} 个项目，修改 {len(result.updated)} 个。")


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
    commands.run_export(command, opts, export_filtered=export_filtered, params=params, done=lambda rows, target: f"已导出 {rows} 个项目到 {target}")


# The `duban import KIND` / `duban export KIND` sub-commands (duban.core.excel.commands).
COMMANDS = SheetCommands(
    kind="projects", import_help="导入重点项目推进表（.xlsx）：逐行核对，全部无误才写入；带“项目编号”或与已有项目同名的行更新该项目",
    export_help="导出重点项目推进表（.xlsx），按县里的列及各月计划/完成投资，筛选条件与项目列表页相同",
    import_arguments=import_arguments, run_import=run_import, export_arguments=export_arguments, run_export=run_export,
)
