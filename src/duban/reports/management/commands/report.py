"""`duban report weekly --week 2026-W48 -o FILE.docx` and `duban report monthly --month 2026-11 -o FILE.docx`:
the 工作通报 as a Word document, issued by the supervision office (the same number as on the web for a period
already issued; `--new-number` issues it anew with the next 县督字 number)."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from duban.core.actor import Actor
from duban.core.errors import ServiceError
from duban.reports import bulletin, bulletin_doc
from duban.reports.chart import ChartFontError


class Command(BaseCommand):
    help = "生成工作通报（Word 文档）：weekly 周通报，monthly 月通报"

    def add_arguments(self, parser):
        kinds = parser.add_subparsers(dest="kind", required=True, metavar="{weekly,monthly}")
        weekly = kinds.add_parser("weekly", help="周通报", description="生成一周的工作通报（ISO 周，周一至周日）")
        weekly.add_argument("--week", required=True, metavar="2026-W48", help="周次，如 2026-W48")
        monthly = kinds.add_parser("monthly", help="月通报", description="生成一个月的工作通报")
        monthly.add_argument("--month", required=True, metavar="2026-11", help="月份，如 2026-11")
        for sub in (weekly, monthly):
            sub.add_argument("-o", "--output", metavar="FILE.docx", help="输出文件；不给则为当前目录下的“周通报_2026-W48.docx”之类")
            sub.add_argument("--user", metavar="USERNAME", help="以哪位督查室工作人员的名义签发（默认第一个督查室账号）")
            sub.add_argument("--new-number", action="store_true", help="重新签发：取下一个发文字号（默认沿用该期已签发的字号）")

    def handle(self, *args, **opts):
        try:
            period = bulletin.parse_week(opts["week"]) if opts["kind"] == "weekly" else bulletin.parse_month(opts["month"])
            user = bulletin.office_user(opts.get("user"))
        except ServiceError as exc:
            raise CommandError(str(exc.message), returncode=2) from None
        output = Path(opts.get("output") or bulletin_doc.filename(period))
        if output.suffix.lower() != ".docx":
            raise CommandError(f"输出文件“{output}”应以 .docx 结尾。", returncode=2)
        if not output.parent.exists():
            raise CommandError(f"目录“{output.parent}”不存在，请先建立或换一个输出位置。", returncode=2)
        actor = Actor(user=user)
        try:
            issued, data = bulletin_doc.produce(actor, period, anew=opts["new_number"])
        except ChartFontError as exc:
            raise CommandError(str(exc), returncode=1) from None
        except ServiceError as exc:
            raise CommandError(str(exc.message), returncode=2) from None
        output.write_bytes(data)
        self.stdout.write(f"已生成{period.kind_label}“{period.label}”（{issued.number}）：{output}（{len(data) // 1024} KB）")
