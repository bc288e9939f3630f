"""`duban export appeals -o FILE.xlsx --user NAME [--state …] [--category …] …`: the appeal list as the business
office's sheet, as the account named by --user sees it (its scope, and what of each enterprise it may read), filtered
exactly as the list page filters (the options become AppealFilter parameters).
"""

import shutil
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.db.models import Q
from django.http import QueryDict

from duban.appeals.choices import AppealState, Category, Channel, Outcome, Rating, Urgency
from duban.appeals.excel import export_appeals
from duban.appeals.filters import SORTS
from duban.core.actor import Actor
from duban.core.choices import BUSINESS_ROLES
from duban.core.excel.filters import FilterError
from duban.core.models import Unit, User
from duban.matters.choices import Light


def _many(values) -> list[str]:
    """Repeated or comma-separated option values."""
    return [v.strip() for value in values or () for v in value.replace("，", ",").replace("、", ",").split(",") if v.strip()]


def _choice(value: str, choices, what: str, extra=()) -> str:
    """A choice given by its code ("handling") or its label ("办理中")."""
    words = {code: code for code, _label in choices} | {str(label): code for code, label in choices} | dict(extra)
    if value not in words and value.lower() not in words:
        allowed = "、".join(f"{code}（{label}）" for code, label in choices)
        raise CommandError(f"{what}“{value}”不对，可用：{allowed}", returncode=2)
    return words.get(value, words.get(value.lower()))


CHOICES = (  # option, FilterSet parameter, choices, what it is called, more words
    ("state", "state", [("open", "在办"), *AppealState.choices], "状态", {"未办结": "open"}),
    ("category", "category", Category.choices, "诉求类别", {}),
    ("channel", "channel", Channel.choices, "来源渠道", {"热线": Channel.HOTLINE, "12345": Channel.HOTLINE}),
    ("light", "light", Light.choices, "亮灯", {"红": Light.RED, "黄": Light.YELLOW, "绿": Light.GREEN, "灰": Light.GREY}),
)
SINGLE = (("urgency", Urgency.choices, "紧急程度"), ("outcome", Outcome.choices, "办理结果"), ("rating", Rating.choices, "满意度"))
DATES = (("submitted_from", "提交日期自"), ("submitted_to", "提交日期至"), ("accepted_from", "受理日期自"), ("accepted_to", "受理日期至"))


class Command(BaseCommand):
    help = "导出企业诉求到 Excel（duban export appeals），筛选条件与诉求列表页相同，按 --user 账号的职责范围和可见信息导出"

    def add_arguments(self, parser):
        parser.add_argument("-o", "--output", metavar="FILE.xlsx", help="输出文件；不给则为当前目录下的“企业诉求-年月日.xlsx”")
        parser.add_argument("--user", required=True, metavar="USERNAME",
                            help="按哪个账号导出（如县营商办的账号）：只导出其可见的诉求，企业信息按其权限脱敏或隐藏")
        parser.add_argument("--state", action="append", metavar="STATE", help="状态：open（在办）、submitted、handling … 或中文名称，可重复或用逗号分隔")
        parser.add_argument("--category", action="append", metavar="CATEGORY", help="诉求类别：land、approval … 或 用地、审批 …，可重复")
        parser.add_argument("--channel", action="append", metavar="CHANNEL", help="来源渠道：web、phone、hotline … 或中文名称，可重复")
        parser.add_argument("--light", action="append", metavar="LIGHT", help="亮灯：red/yellow/green/grey 或 红/黄/绿/灰，可重复")
        parser.add_argument("--urgency", metavar="URGENCY", help="紧急程度：normal（一般）或 urgent（紧急）")
        parser.add_argument("--outcome", metavar="OUTCOME", help="办理结果：resolved、partly、unresolvable 或中文名称")
        parser.add_argument("--rating", metavar="RATING", help="满意度：satisfied、basic、unsatisfied 或中文名称")
        parser.add_argument("--unit", metavar="NAME", help="承办单位（牵头或配合），全称或简称")
        for option, label in DATES:
            parser.add_argument("--" + option.replace("_", "-"), metavar="YYYY-MM-DD", help=label)
        parser.add_argument("--repeat", action="store_true", help="只导出重复诉求")
        parser.add_argument("--escalated", action="store_true", help="只导出已提交分管县领导的")
        parser.add_argument("--excluded", choices=["yes", "no"], help="yes：只导出不纳入考核的；no：只导出纳入考核的")
        parser.add_argument("-q", "--text", metavar="TEXT", help="关键词（受理编号、摘要、内容、企业名称）")
        parser.add_argument("--sort", choices=sorted(SORTS), help="排序（默认按受理编号）")

    def handle(self, *args, **opts):
        user = User.objects.filter(username=opts["user"]).first()
        if user is None or not user.is_active:
            raise CommandError(f"没有在用的账号“{opts['user']}”。", returncode=2)
        if not user.has_role(*BUSINESS_ROLES):
            raise CommandError(f"账号“{opts['user']}”是管理员账号，不能查看企业诉求；请用县营商办等业务账号导出。", returncode=2)
        try:
            output, rows, filename = export_appeals(Actor(user=user), user, self.params(opts))
        except FilterError as exc:
            raise CommandError(str(exc), returncode=2) from None
        target = Path(opts["output"] or filename)
        with output, target.open("wb") as out:
            shutil.copyfileobj(output, out)
        self.stdout.write(self.style.SUCCESS(f"已导出 {rows} 件企业诉求到 {target}"))

    def params(self, opts) -> QueryDict:
        """The options as the list page's query string."""
        params = QueryDict(mutable=True)
        for option, name, choices, what, extra in CHOICES:
            params.setlist(name, [_choice(v, choices, what, extra) for v in _many(opts.get(option))])
        for option, choices, what in SINGLE:
            if opts.get(option):
                params[option] = _choice(opts[option].strip(), choices, what)
        if opts.get("unit"):
            name = opts["unit"].strip()
            units = list(Unit.objects.filter(Q(name=name) | Q(short_name=name))[:2])
            if len(units) != 1:
                raise CommandError(f"找不到单位“{name}”" + ("（有多个同名单位，请写全称）" if units else "") + "。", returncode=2)
            params["unit"] = str(units[0].pk)
        for option, _label in DATES:
            if opts.get(option):
                params[option] = opts[option]
        for flag in ("repeat", "escalated"):
            if opts.get(flag):
                params[flag] = "true"
        if opts.get("excluded"):
            params["excluded"] = "true" if opts["excluded"] == "yes" else "false"
        if opts.get("text"):
            params["q"] = opts["text"]
        if opts.get("sort"):
            params["sort"] = opts["sort"]
        return params
