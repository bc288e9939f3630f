"""The sweep's pass over the ledger's lights: every open task once a day (or, between, those marked for it,
`light_checked_on` NULL) gets its light anew; a task with sub-tasks rolls them up through
`services.refresh_light`, one at a time, after its children.

Only what changed is written, and only while the row is still the version that was read: a task that a
person changed meanwhile was lit by that change already.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict

from django.db import connection
from django.db.models import Q

from duban.ledger.choices import OPEN_STATES, TaskState
from duban.ledger.models import Task
from duban.matters import clock

CHUNK = 2000
FIELDS = ("id", "version", "state", "start_date", "due_date", "progress", "last_report_on", "next_report_due",
          "paused_since", "under_notice", "completed_on", "light", "light_reason", "schedule", "light_checked_on")


class _Row:
    """What `clock.evaluate` reads of a task, from a values row (100k model instances would cost seconds)."""

    __slots__ = FIELDS

    def __init__(self, values):
        for name, value in zip(FIELDS, values, strict=True):
            setattr(self, name, value)


def refresh_lights(on: dt.date, *, full: bool = True) -> int:
    """Relight the open tasks on `on` — all of them when `full`, else only those marked (light_checked_on NULL);
    returns how many rows were written with a new light. Unchanged rows are not written (on PostgreSQL an
    UPDATE of 100k rows only to date them costs seconds: every index of the table gets a new entry)."""
    from duban.ledger import services

    stale = Task.objects.filter(state__in=OPEN_STATES)
    if not full:
        stale = stale.filter(light_checked_on__isnull=True)
    rows = [_Row(v) for v in stale.order_by("id").values_list(*FIELDS)]
    if not rows:
        return 0
    parents = set(Task.objects.filter(parent__isnull=False).exclude(state=TaskState.CANCELLED)
                  .values_list("parent_id", flat=True).distinct())
    changed: list[tuple] = []
    marked: list[int] = []
    for row in rows:
        if row.id in parents:
            continue
        result = clock.evaluate(row, on, closed=False)
        if (result.light, result.reason, result.schedule) != (row.light, row.light_reason, row.schedule):
            changed.append((result.light, result.reason[:120], result.schedule, on, row.id, row.version))
        elif row.light_checked_on is None:
            marked.append(row.id)
    _write_lights(changed)
    for start in range(0, len(marked), CHUNK):
        Task.objects.filter(pk__in=marked[start:start + CHUNK]).update(light_checked_on=on)
    # Parents after their children, deepest first (a parent's light is its worst open child's).
    stale_parents = [row.id for row in rows if row.id in parents]
    written = len(changed)
    for task in _deepest_first(stale_parents):
        before = (task.light, task.light_reason, task.schedule, task.progress)
        services.refresh_light(task, on)
        written += before != (task.light, task.light_reason, task.schedule, task.progress)
    return written


def _write_lights(changed: list[tuple]) -> None:
    """(light, reason, schedule, on, id, version) rows, each written only while its version is still the one read.
    SQLite runs in-process: one prepared UPDATE per row is cheapest. PostgreSQL: one statement per 10,000 rows
    with the values as five arrays (unnest) — 18k single-row UPDATEs cost seconds in round trips, and a VALUES
    list of 3,000 parameters seconds in psycopg's client-side query splitting."""
    table = Task._meta.db_table
    with connection.cursor() as cursor:
        if connection.vendor != "postgresql":
            cursor.executemany(f"UPDATE {table} SET light = %s, light_reason = %s, schedule = %s, light_checked_on = %s "
                               "WHERE id = %s AND version = %s", changed)
            return
        for start in range(0, len(changed), 10_000):
            chunk = changed[start:start + 10_000]
            lights, reasons, schedules, days, ids, versions = (list(column) for column in zip(*chunk, strict=True))
            cursor.execute(
                f"UPDATE {table} AS t SET light = v.light, light_reason = v.reason, schedule = v.schedule, "
                "light_checked_on = v.checked FROM unnest(%s::bigint[], %s::integer[], %s::varchar[], %s::varchar[], "
                "%s::varchar[], %s::date[]) AS v(id, version, light, reason, schedule, checked) "
                "WHERE t.id = v.id AND t.version = v.version", [ids, versions, lights, reasons, schedules, days])


def _deepest_first(ids: list[int]) -> list[Task]:
    tasks = list(Task.objects.filter(pk__in=ids))
    depth: dict[int, int] = defaultdict(int)
    parent_of = {t.pk: t.parent_id for t in tasks}
    for task in tasks:
        node, d = task.parent_id, 0
        while node is not None and d < 20:
            d += 1
            node = parent_of.get(node) or Task.objects.filter(pk=node).values_list("parent_id", flat=True).first()
        depth[task.pk] = d
    return sorted(tasks, key=lambda t: -depth[t.pk])


def _relight(task_id: int) -> None:
    from duban.ledger import services

    task = Task.objects.select_for_update().filter(pk=task_id).first()
    if task is not None:
        services.refresh_light(task)


def register_with_supervision() -> None:
    from django.urls import reverse

    from duban.ledger.choices import TaskSource
    from duban.supervision import registry

    registry.register(registry.MatterKind(
        key="ledger.task", label="重点工作任务", model=Task,
        chased_states=(TaskState.ASSIGNED, TaskState.IN_PROGRESS),
        url=lambda code: reverse("ledger:task_detail", args=[code]),
        refresh_lights=refresh_lights, relight=_relight,
        # Major: a leader's written instruction (领导批示件) takes the stricter ladder.
        major=Q(source=TaskSource.INSTRUCTION),
    ))
