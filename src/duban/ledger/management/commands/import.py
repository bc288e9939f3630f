"""`duban import ledger FILE.xlsx [--campaign NAME_OR_ID] [--dry-run] [--register]`: a decomposition sheet
into the ledger, all or nothing.

One command per verb, one sub-command per kind of sheet: the other apps register theirs in
`duban.core.excel.commands` (`duban import hazards …`) rather than a second command named "import" (Django
keeps only one per name).
"""

import sys
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from duban.core.actor import Actor
from duban.core.backup import Progress
from duban.core.excel import commands as sheet_commands
from duban.ledger import importing
from duban.ledger.models import Campaign

SHOWN = 200  # lines of each kind printed; the rest are counted


def find_campaign(value: str | None) -> Campaign | None:
    """The campaign --campaign names (None when not given); CommandError, exit code 2, when it names none."""
    try:
        return importing.campaign_named(value)
    except LookupError as exc:
        raise CommandError(str(exc), returncode=2) from None


class Command(BaseCommand):
    help = "从 Excel 导入数据（全部成功才写入，有任何问题则一项也不导入）。ledger：重点工作任务分解表；其他台账（如 hazards 隐患排查整改台账）见各子命令"

    def add_arguments(self, parser):
        others = sheet_commands.registered()
        kinds = parser.add_subparsers(dest="kind", required=True, metavar="{" + ",".join(["ledger", *(c.kind for c in others)]) + "}")
        ledger = kinds.add_parser(
            "ledger", help="导入任务分解表（.xlsx）：新任务建账；带“任务编号”的行更新该任务（重新导入导出的台账）",
            description="导入任务分解表。先核对每一行（单位、县领导、完成时限……），全部无误才在一个事务中写入；"
                        "有问题时逐条列出行号、列名和原因，不写入任何数据，退出码为 1。",
        )
        ledger.add_argument("file", metavar="FILE.xlsx", help="任务分解表或从系统导出的台账")
        ledger.add_argument("--campaign", metavar="NAME_OR_ID",
                            help="导入到哪个专项行动（名称或编号）；不给时按表格标题、任务编号或唯一进行中的专项行动判断")
        ledger.add_argument("--dry-run", action="store_true", help="只核对并列出将新建和修改的内容，不写入")
        ledger.add_argument("--register", action="store_true",
                            help="五明确齐全的任务同时立账交办；不全的保持建账（草稿）并列出缺少什么")
        for other in others:
            other.import_arguments(kinds.add_parser(other.kind, help=other.import_help, description=other.import_help))

    def handle(self, *args, **opts):
        if opts["kind"] == "ledger":
            return self.ledger(opts)
        other = sheet_commands.get(opts["kind"])
        if other is not None:
            return other.run_import(self, opts)
        raise CommandError(f"不支持导入“{opts['kind']}”。", returncode=2)

    def ledger(self, opts):
        path = Path(opts["file"])
        if not path.is_file():
            raise CommandError(f"找不到文件“{path}”。", returncode=2)
        campaign = find_campaign(opts.get("campaign"))
        progress = Progress(sys.stderr, enabled=opts["verbosity"] > 0)
        with path.open("rb") as source:
            plan = importing.build_plan(source, campaign=campaign, register=opts["register"], file_name=path.name, progress=progress)
        for line in importing.describe(plan, limit=SHOWN):
            self.stdout.write(line)
        if not plan.ok:
            raise CommandError(f"未导入：发现 {len(plan.errors)} 处问题（见上）。修改表格后重新导入。", returncode=1)
        if opts["dry_run"]:
            self.stdout.write(self.style.WARNING("试运行（--dry-run）：以上内容均未写入。"))
            return
        if plan.nothing_to_do:
            self.stdout.write(self.style.SUCCESS("表格与系统中的任务一致，没有需要写入的内容。"))
            return
        try:
            result = importing.apply_plan(plan, Actor.system("duban import"), progress=progress)
        except importing.ImportFailed as exc:
            raise CommandError(str(exc.problem), returncode=1) from None
        self.stdout.write(self.style.SUCCESS(
            f"导入完成：新建 {len(result.created)} 项，修改 {len(result.updated)} 项，立账交办 {len(result.registered)} 项。"
        ))
        if result.created:
            first, last = result.created[0], result.created[-1]
            self.stdout.write(f"新任务编号：{first}" + (f" 至 {last}" if last != first else ""))
