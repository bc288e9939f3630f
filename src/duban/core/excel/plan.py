"""What an app's sheet import shares once its rows are read (the project sheet's, the hazard ledger's): the plan's
common part (what was read, every problem, what it would create and change), a problem by row and column, the
refusal of the services when the plan is written (nothing written), the one transaction a plan is written in
(rolled back for a dry run), and the plan for a terminal. Each app keeps its columns, its row checks and its
writes (duban.projects.excel.plan, duban.safety.excel.plan)."""

from __future__ import annotations

from collections.abc import Callable
from contextlib import contextmanager
from dataclasses import dataclass, field

from django.db import transaction

from duban.core.errors import ServiceError
from duban.core.excel.archive import SheetError
from duban.core.models import Unit


@dataclass
class Problem:
    """Why the sheet cannot be imported: where (row, column) and what is wrong."""

    message: str
    row: int | None = None
    column: str = ""  # the header text
    letter: str = ""

    def __str__(self) -> str:
        where = []
        if self.row:
            where.append(f"第 {self.row} 行")
        if self.column:
            where.append(f"“{self.column}”列" + (f"（{self.letter}）" if self.letter else ""))
        return ("".join(where) + "：" if where else "") + self.message


@dataclass
class SheetPlan:
    """What a sheet would do: the problems (then nothing is written), else the rows to create and to change."""

    file_name: str = ""
    title: str = ""
    errors: list[Problem] = field(default_factory=list)
    created: list = field(default_factory=list)
    updated: list = field(default_factory=list)  # each with .row, .code and .shown [(header, before, after)]
    unchanged: int = 0

    @property
    def ok(self) -> bool:
        return not self.errors

    @property
    def nothing_to_do(self) -> bool:
        return self.ok and not self.created and not self.updated


class ImportFailed(Exception):
    """A row the services refused when the plan was written: nothing was written."""

    def __init__(self, problems: list[Problem]):
        super().__init__("；".join(map(str, problems)))
        self.problems = problems


def read_sheet(plan: SheetPlan, read: Callable, source):
    """The sheet `read(source)` finds, its title on the plan; None (its reason on the plan) if it has none."""
    try:
        sheet = read(source)
    except SheetError as exc:
        plan.errors.append(Problem(str(exc)))
        return None
    plan.title = sheet.title
    return sheet


class RowChecker:
    """The part of a plan's checker every sheet has: a problem at a row's cell, and the county's active units by
    the names sheets use (the full name, without "县", the short name)."""

    def __init__(self, sheet, plan: SheetPlan):
        self.sheet, self.plan = sheet, plan
        self.units: dict[str, list[Unit]] = {}
        self.unit_names: dict[int, str] = {}
        for unit in Unit.objects.filter(is_active=True).only("id", "name", "short_name", "kind"):
            self.unit_names[unit.pk] = unit.name
            for name in {unit.name, unit.name.removeprefix("县"), unit.short_name} - {""}:
                self.units.setdefault(name, []).append(unit)

    def problem(self, number: int, key: str, message: str) -> None:
        column, letter = self.sheet.where(key)
        self.plan.errors.append(Problem(message, number, column, letter))


@dataclass
class ImportResult:
    created: list[str]  # the codes of the new rows' matters
    updated: list[str]


class _DryRun(Exception):
    pass


@contextmanager
def writing(plan: SheetPlan, *, dry_run: bool = False):
    """The block that writes a checked plan, in one transaction: ImportFailed at once for a plan with problems;
    an exception from the block (ImportFailed: every refused row) writes nothing; `dry_run` rolls it back too."""
    if not plan.ok:
        raise ImportFailed(plan.errors)
    try:
        with transaction.atomic():
            yield
            if dry_run:
                raise _DryRun
    except _DryRun:
        pass


def attempt(problems: list[Problem], row: int, write: Callable, column: Callable[[str], str]) -> None:
    """Run one row's write in a savepoint: a refused row (its message, at the column `column(field)` names for the
    field the service names) leaves the others to be checked."""
    try:
        with transaction.atomic():
            write()
    except ServiceError as exc:
        problems.append(Problem(exc.message, row, column(exc.field or "")))


def describe(plan: SheetPlan, headline: str, *, limit: int | None = None, created: Callable | None = None) -> list[str]:
    """The plan for a terminal: the problems, else the headline, each created row (`created(row)`, if given) and
    each change."""
    if plan.errors:
        more = [f"……另有 {len(plan.errors) - limit} 处问题"] if limit and len(plan.errors) > limit else []
        return [str(p) for p in plan.errors[:limit]] + more
    lines = [headline]
    if created is not None:
        lines += [created(row) for row in plan.created[:limit]]
    for change in plan.updated[:limit]:
        lines.append(f"第 {change.row} 行 {change.code}：" + "；".join(f"{label} “{before}” → “{after}”" for label, before, after in change.shown))
    return lines
