"""`duban restore FILE`: load a backup into an empty database (SQLite or PostgreSQL), all or nothing."""

import sys

from django.core.management.base import BaseCommand, CommandError
from django.db import connection

from duban.core import backup


class Command(BaseCommand):
    help = "从备份文件恢复到空数据库（可从 SQLite 的备份恢复到 PostgreSQL）；全部成功或全部撤销"

    def add_arguments(self, parser):
        parser.add_argument("file", metavar="FILE", help="duban backup 生成的备份文件")
        parser.add_argument(
            "--accept-broken-audit", action="store_true",
            help="审计链校验不通过也保留恢复结果（仅用于调查一份本来就被破坏的数据）",
        )

    def handle(self, *args, **opts):
        progress = backup.Progress(sys.stderr, enabled=opts["verbosity"] > 0)
        try:
            result = backup.restore_backup(opts["file"], progress=progress, accept_broken_audit=opts["accept_broken_audit"])
        except backup.BackupError as exc:
            raise CommandError(str(exc)) from None
        source = result.manifest["source"]["vendor"]
        self.stdout.write(f"从 {source} 备份（{result.manifest['created_at']}）恢复到 {connection.vendor}：")
        width = max((len(c.model) for c in result.counts), default=10)
        for c in result.counts:
            if c.expected or c.actual:
                self.stdout.write(f"  {c.model:<{width}}  {c.actual:>9} 行  {'一致' if c.ok else f'应为 {c.expected}'}")
        self.stdout.write(f"行数核对：{len(result.counts)} 张表共 {result.rows} 行，与备份清单一致")
        self.stdout.write(f"附件：{result.media_files} 个")
        verification = result.verification
        style = self.style.SUCCESS if verification.ok else self.style.ERROR
        self.stdout.write(style(f"审计链：{verification}（对照备份时的链头 {result.manifest['audit_head']}）"))
        self.stdout.write(self.style.SUCCESS(f"恢复完成，用时 {result.seconds:.1f} 秒。"))
