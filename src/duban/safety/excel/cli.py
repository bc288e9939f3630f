"""`duban import hazards FILE.xlsx [--dry-run]` and `duban export hazards -o FILE.xlsx [filters]`, registered
with the one import and export commands (`duban.core.excel.commands`) from SafetyConfig.ready()."""

from __future__ import annotations

from django.http import QueryDict

from duban.core.excel import commands
from duban.core.excel.commands import SheetCommands
from duban.safety.excel.export import export_filtered
from duban.safety.excel.plan import apply_plan, build_plan, describe

FILTERS = (("--sector", "sector", "行业领域（编号）"), ("--level", "level", "隐患等级：general（一般）或 major（重大）"),
           ("--township", "township", "属地乡镇（单位编号）"), ("--lead-unit", "lead_unit", "整改责任单位（单位编号）"),
           ("--found-from", "found_from", "排查时间不早于 YYYY-MM-DD"), ("--found-to", "found_to", "排查时间不晚于 YYYY-MM-DD"),
           ("-q", "q", "关键词（编号、内容、部位）"))


import_arguments = commands.import_arguments("隐患排查整改台账或从系统导出的台账")


def run_import(command, opts) -> None:
    commands.run_import(command, opts, build_plan=build_plan, apply_plan=apply_plan, describe=describe,
                        same="表格与系统中的隐患一致，没有需要写入的内容。",
                        done=lambda result: f"导入完成：新建 {len(result.created)} 条，修改 {len(result.updated)} 条。")


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
    commands.run_export(command, opts, export_filtered=export_filtered, params=params, done=lambda rows, target: f"已导出 {rows} 条隐患到 {target}")


COMMANDS = SheetCommands(
    kind="hazards", import_help="导入隐患排查整改台账（.xlsx）：逐行核对，全部无误才写入；带“隐患编号”的行更新该隐患（导回导出的台账）",
    export_help="导出隐患排查整改台账（.xlsx），按县里的列（序号、排查时间……验收时间），筛选条件与隐患台账列表页相同",
    import_arguments=import_arguments, run_import=run_import, export_arguments=export_arguments, run_export=run_export,
)
