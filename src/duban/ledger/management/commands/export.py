"""`duban export ledger -o FILE.xlsx [--campaign …] [--unit …] [--light …] [--state …] …`: the ledger as the
county's sheet, filtered exactly as the list page filters (the options become TaskFilter parameters).
"""

import shutil
import sys
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.http import QueryDict

from duban.core.actor import Actor
from duban.core.backup import Progress
from duban.core.excel import commands as sheet_commands
from duban.core.excel.filters import FilterError
from duban.ledger.choices import TaskState
from duban.ledger.excel.export import export_filtered
from duban.ledger.excel.matching import Directory, Miss, normal
from duban.ledger.filters import SORTS
from duban.ledger.importing import campaign_named
from duban.ledger.models import Front
from duban.matters.choices import Light


def _choice(value: str, choices, extra: dict[str, str], what: str) -> str:
    """A choice given by its code ("red"), its label ("红灯") or a short word ("红")."""
    key = normal(value)
    words = {normal(code): code for code, _label in choices}
    words.update({normal(str(label)): code for code, label in choices})
    words.update(extra)
    if key not in words:
        allowed = "、".join(f"{code}（{label}）" for code, label in choices)
        raise CommandError(f"{what}“{value}”不对，可用：{allowed}", returncode=2)
    return words[key]


def _many(values) -> list[str]:
    """Repeated or comma-separated option values."""
    return [v for value in values or () for v in normal(value).replace("，", ",").replace("、", ",").split(",") if v]


class Command(BaseCommand):
    help = "导出数据到 Excel。ledger：按任务分解表的列导出重点工作台账（另加进度、亮灯、状态）；其他台账（如 hazards 隐患排查整改台账）见各子命令"

    def add_arguments(self, parser):
        others = sheet_commands.registered()
        kinds = parser.add_subparsers(dest="kind", required=True, metavar="{" + ",".join(["ledger", *(c.kind for c in others)]) + "}")
        ledger = kinds.add_parser("ledger", help="导出重点工作台账（.xlsx），筛选条件与台账列表页相同",
                                  description="导出重点工作台账。导出的表格改好后可用 duban import ledger 导回，只更新改动的单元格。")
        ledger.add_argument("-o", "--output", metavar="FILE.xlsx", help="输出文件；不给则为当前目录下的“重点工作任务台账-年月日.xlsx”")
        ledger.add_argument("--campaign", metavar="NAME_OR_ID", help="专项行动（名称或编号）")
        ledger.add_argument("--front", metavar="NAME_OR_ID", help="战线（名称或编号）")
        ledger.add_argument("--unit", metavar="NAME", help="责任单位（牵头或配合），全称、简称或不带“县”字的名称")
        ledger.add_argument("--leader", metavar="NAME", help="牵头县领导（姓名或职务）")
        ledger.add_argument("--light", action="append", metavar="LIGHT", help="亮灯：red/yellow/green/grey 或 红/黄/绿/灰，可重复或用逗号分隔")
        ledger.add_argument("--state", action="append", metavar="STATE", help="状态：open（在办）、draft、assigned、in_progress … 或中文名称，可重复")
        ledger.add_argument("--due-after", metavar="YYYY-MM-DD", help="完成时限不早于")
        ledger.add_argument("--due-before", metavar="YYYY-MM-DD", help="完成时限不晚于")
        ledger.add_argument("-q", "--text", metavar="TEXT", help="关键词（任务名称、编号或责任人）")
        ledger.add_argument("--sort", choices=sorted(SORTS), help="排序（默认按任务编号）")
        for other in others:
            other.export_arguments(kinds.add_parser(other.kind, help=other.export_help, description=other.export_help))

    def handle(self, *args, **opts):
        other = sheet_commands.get(opts["kind"])
        if other is not None:
            return other.run_export(self, opts)
        if opts["kind"] != "ledger":
            raise CommandError(f"不支持导出“{opts['kind']}”。", returncode=2)
        params = self.params(opts)
        progress = Progress(sys.stderr, enabled=opts["verbosity"] > 0)
        try:
            output, rows, filename = export_filtered(Actor.system("duban export"), params, progress=progress)
        except FilterError as exc:
            raise CommandError(str(exc), returncode=2) from None
        target = Path(opts["output"] or filename)
        with output, target.open("wb") as out:
            shutil.copyfileobj(output, out)
        self.stdout.write(self.style.SUCCESS(f"已导出 {rows} 项任务到 {target}"))

    def params(self, opts) -> QueryDict:
        """The options as the list page's query string."""
        params = QueryDict(mutable=True)
        try:
            campaign = campaign_named(opts.get("campaign"))
        except LookupError as exc:
            raise CommandError(str(exc), returncode=2) from None
        if campaign is not None:
            params["campaign"] = str(campaign.pk)
        if opts.get("front"):
            fronts = Front.objects.all() if campaign is None else Front.objects.filter(campaign=campaign)
            value = opts["front"].strip()
            found = [f for f in fronts if str(f.pk) == value or normal(f.name) == normal(value) or normal(f.name).removesuffix("战线") == normal(value)]
            if len(found) != 1:
                raise CommandError(f"找不到战线“{value}”" + ("（有多个同名战线，请同时给出 --campaign）" if found else "") + "。", returncode=2)
            params["front"] = str(found[0].pk)
        directory = Directory() if opts.get("unit") or opts.get("leader") else None
        try:
            if opts.get("unit"):
                params["unit"] = str(directory.unit(normal(opts["unit"])).pk)
            if opts.get("leader"):
                params["leader"] = str(directory.leader(normal(opts["leader"])).pk)
        except Miss as miss:
            raise CommandError(miss.message, returncode=2) from None
        light_words = {"红": Light.RED, "黄": Light.YELLOW, "绿": Light.GREEN, "灰": Light.GREY}
        params.setlist("light", [_choice(v, Light.choices, light_words, "亮灯") for v in _many(opts.get("light"))])
        state_words = {"open": "open", "在办": "open", "未办结": "open", "草稿": TaskState.DRAFT, "待签收": TaskState.ASSIGNED}
        states = [("open", "未办结（全部在办）"), *TaskState.choices]
        params.setlist("state", [_choice(v, states, state_words, "状态") for v in _many(opts.get("state"))])
        for option, name in (("due_after", "due_after"), ("due_before", "due_before"), ("text", "q"), ("sort", "sort")):
            if opts.get(option):
                params[name] = opts[option]
        return params
