"""`duban backup -o FILE`: one archive of every record and attachment, taken while the service runs."""

import sys
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from duban.core import backup


class Command(BaseCommand):
    help = "备份全部数据和附件到一个文件（服务运行中也可备份，不阻塞业务写入）"

    def add_arguments(self, parser):
        parser.add_argument(
            "-o", "--output", metavar="FILE",
            help="备份文件名；不给则为当前目录下的 duban-backup-年月日-时分秒.zip",
        )

    def handle(self, *args, **opts):
        target = Path(opts["output"] or timezone.localtime().strftime("duban-backup-%Y%m%d-%H%M%S.zip"))
        progress = backup.Progress(sys.stderr, enabled=opts["verbosity"] > 0)
        try:
            result = backup.create_backup(target, progress=progress)
        except backup.BackupError as exc:
            raise CommandError(str(exc)) from None
        manifest = result.manifest
        size_mb = result.path.stat().st_size / 1_048_576
        self.stdout.write(self.style.SUCCESS(
            f"备份完成：{result.path}（{len(manifest['tables'])} 张表共 {result.rows} 行，"
            f"附件 {manifest['media']['files']} 个，文件 {size_mb:.1f} MB，用时 {result.seconds:.1f} 秒）"
        ))
        self.stdout.write(f"备份时的审计链头：{manifest['audit_head']}")
