"""`duban import projects FILE.xlsx [--dry-run]`: the county's project sheet into the project ledger, all or nothing."""

from django.core.management.base import BaseCommand

from duban.projects.excel import cli


class Command(BaseCommand):
    help = "导入重点项目推进表（.xlsx）：逐行核对，全部无误才写入；带“项目编号”或与已有项目同名的行更新该项目（导回导出的项目表）"

    def add_arguments(self, parser):
        cli.import_arguments(parser)

    def handle(self, *args, **opts):
        cli.run_import(self, opts)
