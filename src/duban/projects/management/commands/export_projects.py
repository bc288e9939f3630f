"""`duban export projects [-o FILE.xlsx] [filters]`: the project ledger in the county's columns, month pairs included."""

from django.core.management.base import BaseCommand

from duban.projects.excel import cli


class Command(BaseCommand):
    help = "导出重点项目推进表（.xlsx），按县里的列（序号、项目名称……存在问题及各月计划/完成投资），筛选条件与项目列表页相同"

    def add_arguments(self, parser):
        cli.export_arguments(parser)

    def handle(self, *args, **opts):
        cli.run_export(self, opts)
