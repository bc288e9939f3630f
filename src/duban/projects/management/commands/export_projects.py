"""`duban export projects [-o FILE.xlsx] [filters]`: the project ledger in the county's columns, month pairs included."""

from django.core.management.base import BaseCommand

from duban.projects.excel import cli


class Command(BaseCommand):
    help = cli.COMMANDS.export_help

    def add_arguments(self, parser):
        cli.export_arguments(parser)

    def handle(self, *args, **opts):
        cli.run_export(self, opts)
