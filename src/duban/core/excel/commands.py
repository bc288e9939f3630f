"""The kinds of sheet `duban import KIND` and `duban export KIND` take beyond the ledger's own: Django keeps one
command per name, so each app registers its sub-commands here from its AppConfig.ready(), and the one `import`
and `export` commands offer them (no command names another app). `run_import` and `run_export` are what such a
sub-command runs: the app hands in its plan, its export and its words."""

from __future__ import annotations

import shutil
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from django.core.management.base import CommandError
from django.http import QueryDict

from duban.core.actor import Actor
from duban.core.excel.filters import FilterError


@dataclass(frozen=True)
class SheetCommands:
    """One kind of sheet at the terminal: its sub-command's help, options and what it runs (command, options)."""

    kind: str
    import_help: str
    export_help: str
    import_arguments: Callable
    run_import: Callable
    export_arguments: Callable
    run_export: Callable


_REGISTRY: dict[str, SheetCommands] = {}


def register(commands: SheetCommands) -> None:
    _REGISTRY[commands.kind] = commands


def registered() -> list[SheetCommands]:
    return list(_REGISTRY.values())


def get(kind: str) -> SheetCommands | None:
    return _REGISTRY.get(kind)


SHOWN = 200  # lines of each kind a run prints; the rest are counted


def import_arguments(file_help: str) -> Callable:
    """The arguments of `duban import KIND`: the file (`file_help` says which sheet) and --dry-run."""

    def add(parser) -> None:
        parser.add_argument("file", metavar="FILE.xlsx", help=file_help)
        parser.add_argument("--dry-run", action="store_true", help="只核对并列出将新建和修改的内容，不写入")

    return add


def run_import(command, opts, *, build_plan, apply_plan, describe, same: str, done) -> None:
    """`duban import KIND FILE.xlsx [--dry-run]` as the system actor: the plan printed (every problem, or what
    will change), then written all or nothing. `same` is said when the sheet changes nothing, `done(result)`
    once it is written; exit 2 for a missing file, 1 for a sheet with problems."""
    from duban.core.excel.plan import ImportFailed

    path = Path(opts["file"])
    if not path.is_file():
        raise CommandError(f"找不到文件“{path}”。", returncode=2)
    with path.open("rb") as source:
        plan = build_plan(source, file_name=path.name)
    for line in describe(plan, limit=SHOWN):
        command.stdout.write(line)
    if not plan.ok:
        raise CommandError(f"未导入：发现 {len(plan.errors)} 处问题（见上）。修改表格后重新导入。", returncode=1)
    if plan.nothing_to_do:
        command.stdout.write(command.style.SUCCESS(same))
        return
    try:
        result = apply_plan(plan, Actor.system("duban import"), dry_run=opts["dry_run"])
    except ImportFailed as exc:
        for problem in exc.problems[:SHOWN]:
            command.stdout.write(str(problem))
        raise CommandError(f"未导入：发现 {len(exc.problems)} 处问题（见上）。修改表格后重新导入。", returncode=1) from None
    if opts["dry_run"]:
        command.stdout.write(command.style.WARNING("试运行（--dry-run）：以上内容均未写入。"))
        return
    command.stdout.write(command.style.SUCCESS(done(result)))


def run_export(command, opts, *, export_filtered, params: QueryDict, done) -> None:
    """`duban export KIND [-o FILE.xlsx] [filters]` as the system actor: the list's export with `params` (the
    options as the list page's GET), written to -o or the export's own file name; `done(rows, target)` said
    after. Exit 2 for filters the list would refuse."""
    try:
        output, rows, filename = export_filtered(Actor.system("duban export"), params)
    except FilterError as exc:
        raise CommandError(str(exc), returncode=2) from None
    target = Path(opts["output"] or filename)
    with output, target.open("wb") as out:
        shutil.copyfileobj(output, out)
    command.stdout.write(command.style.SUCCESS(done(rows, target)))
