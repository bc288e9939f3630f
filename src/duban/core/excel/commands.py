"""The kinds of sheet `duban import KIND` and `duban export KIND` take beyond the ledger's own: Django keeps one
command per name, so each app registers its sub-commands here from its AppConfig.ready(), and the one `import`
and `export` commands offer them (no command names another app)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass


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
