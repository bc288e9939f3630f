"""`duban import projects FILE.xlsx [--dry-run]`: the county's project sheet into the project ledger, all or nothing."""

from django.core.management.base import BaseCommand

from duban.projects.excel import cli


class Command(BaseCommand):
    help = cli.COMMANDS.import_help

    def add_arguments(self, parser):
        cli.import_arguments(parser)

    def handle(self, *args, **opts):
        cli.run_import(self, opts)
