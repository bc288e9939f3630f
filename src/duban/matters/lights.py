"""Storing the light (SPEC §2) for every kind of matter: one matter with its parents (`relight`), and the
sweep's pass over a kind's open matters (`refresh_lights`).

A matter's light is its kind's rule (`MatterKind.evaluate`, by default `clock.evaluate`). A kind with
sub-matters (`MatterKind.parent_field`) rolls them up: a parent's percent is the average of its children's
(excluded states left out), and its light is no better than its worst open child's.

Only what changed is written, and only while the row is still the version that was read: a matter that a
person changed meanwhile was lit by that change already.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict

from django.db import connection, transaction
from django.db.models import Avg, Count, Q
from django.utils import timezone

from duban.matters import registry
from duban.matters.choices import LIGHT_SEVERITY
from duban.matters.registry import MatterKind

CHUNK = 2000
FIELDS = ("id", "version", "state", "start_date", "due_date", "progress", "last_report_on", "next_report_due",
          "paused_since", "under_notice", "completed_on", "light", "light_reason", "schedule", "light_checked_on")


@transaction.atomic(savepoint=False)
def relight(kind: MatterKind, matter, on: dt.date | None = None) -> None:
    """Recompute and store the matter's light (no version bump: it is derived), then its parent's.

    The row is written only while it is still the version `matter` was read at: a stale copy (the sweep's,
    say) would otherwise put back an old percent and light.
    """
    on = on or timezone.localdate()
    model = kind.model
    rolled_up, reported = False, None
    if kind.parent_field:
        children = model.objects.filter(**{kind.parent_field: matter.pk}).exclude(state__in=kind.excluded_states)
        rolled_up = matter.state not in kind.finished_states and children.exists()
    if rolled_up:
        # Set before the parent's own light is judged: its 欠进度 is measured on this percent, which is a
        # report once the parent or any sub-matter has reported (or closed).
        closed = sorted(set(kind.finished_states) - set(kind.excluded_states))
        figures = children.aggregate(
            p=Avg("progress"), r=Count("pk", filter=Q(last_report_on__isnull=False) | Q(state__in=closed)))
        matter.progress = int((figures["p"] or 0) + 0.5)  # half up, as a bulletin rounds
        reported = matter.last_report_on is not None or figures["r"] > 0
    if kind.light_annotations is not None:
        annotations = kind.light_annotations()
        values = model.objects.filter(pk=matter.pk).annotate(**annotations).values(*annotations).first() or {}
        for name, value in values.items():
            setattr(matter, name, value)
    result = kind.evaluate(matter, on, reported=reported)
    light, reason = result.light, result.reason
    if rolled_up:
        rows = list(children.filter(state__in=kind.open_states).values_list("light", "light_reason", kind.code_field))
        worst = max(rows, key=lambda r: LIGHT_SEVERITY[r[0]], default=None)
        if worst is not None and LIGHT_SEVERITY[worst[0]] > LIGHT_SEVERITY[light]:
            light, reason = worst[0], f"子任务 {worst[2]}：{worst[1]}"[:120]
    changes = {"light": light, "light_reason": reason, "schedule": result.schedule, "light_checked_on": on}
    if rolled_up:
        changes["progress"] = matter.progress
    if model.objects.filter(pk=matter.pk, version=matter.version).update(**changes) != 1:
        if not model.objects.filter(pk=matter.pk).exists():
            return
        matter.refresh_from_db()  # changed since it was read: judge the row as it is now
        relight(kind, matter, on)
        return
    for key, value in changes.items():
        setattr(matter, key, value)
    parent_id = getattr(matter, f"{kind.parent_field}_id", None) if kind.parent_field else None
    if parent_id:
        # Locked so that two children changing at once each roll up what the other committed.
        relight(kind, model.objects.select_for_update().get(pk=parent_id), on)
    if kind.container:
        container, field = registry.get(kind.container[0]), kind.container[1]
        container_id = getattr(matter, f"{field}_id", None)
        if container_id:
            found = container.model.objects.select_for_update().filter(pk=container_id).first()
            if found is not None:
                relight(container, found, on)


def relight_by_id(kind: MatterKind, matter_id: int) -> None:
    """Relight one matter by id, as it is now (after a notice is answered, say)."""
    matter = kind.model.objects.select_for_update().filter(pk=matter_id).first()
    if matter is not None:
        relight(kind, matter)


class _Row:
    """What a light rule reads of a matter, from a values row (100k model instances would cost seconds)."""

    def __init__(self, fields, values):
        for name, value in zip(fields, values, strict=True):
            setattr(self, name, value)


def refresh_lights(kind: MatterKind, on: dt.date, *, full: bool = True) -> int:
    """Relight the kind's open matters on `on` — all of them when `full`, else only those marked
    (light_checked_on NULL); returns how many rows were written with a new light. Unchanged rows are not
    written (on PostgreSQL an UPDATE of 100k rows only to date them costs seconds: every index of the table
    gets a new entry). Parents come after their children, deepest first, one at a time through `relight`."""
    model = kind.model
    stale = model.objects.filter(state__in=kind.open_states)
    if not full:
        stale = stale.filter(light_checked_on__isnull=True)
    fields = FIELDS + tuple(f for f in kind.light_fields if f not in FIELDS)
    if kind.container:
        fields += (f"{kind.container[1]}_id",)
    if kind.light_annotations is not None:
        annotations = kind.light_annotations()
        stale = stale.annotate(**annotations)
        fields += tuple(annotations)
    rows = [_Row(fields, v) for v in stale.order_by("id").values_list(*fields)]
    if not rows:
        return 0
    parents: set[int] = set()
    if kind.parent_field:
        parents = set(model.objects.filter(**{f"{kind.parent_field}__isnull": False}).exclude(state__in=kind.excluded_states)
                      .values_list(f"{kind.parent_field}_id", flat=True).distinct())
    changed: list[tuple] = []
    marked: list[int] = []
    for row in rows:
        if row.id in parents:
            continue
        result = kind.evaluate(row, on)
        if (result.light, result.reason, result.schedule) != (row.light, row.light_reason, row.schedule):
            changed.append((result.light, result.reason[:120], result.schedule, on, row.id, row.version))
        elif row.light_checked_on is None:
            marked.append(row.id)
    _write_lights(model._meta.db_table, changed)
    if kind.container and changed:
        # The containers of what changed are lit again by the sweep, which comes to their kind after this one.
        field, ids = f"{kind.container[1]}_id", {row[4] for row in changed}
        containers = sorted({getattr(row, field) for row in rows if row.id in ids and getattr(row, field)})
        container = registry.get(kind.container[0]).model
        for start in range(0, len(containers), CHUNK):
            container.objects.filter(pk__in=containers[start:start + CHUNK]).update(light_checked_on=None)
    for start in range(0, len(marked), CHUNK):
        model.objects.filter(pk__in=marked[start:start + CHUNK]).update(light_checked_on=on)
    stale_parents = [row.id for row in rows if row.id in parents]
    written = len(changed)
    for matter in _deepest_first(kind, stale_parents):
        before = (matter.light, matter.light_reason, matter.schedule, matter.progress)
        relight(kind, matter, on)
        written += before != (matter.light, matter.light_reason, matter.schedule, matter.progress)
    return written


def _write_lights(table: str, changed: list[tuple]) -> None:
    """(light, reason, schedule, on, id, version) rows, each written only while its version is still the one read.
    SQLite runs in-process: one prepared UPDATE per row is cheapest. PostgreSQL: one statement per 10,000 rows
    with the values as five arrays (unnest) — 18k single-row UPDATEs cost seconds in round trips, and a VALUES
    list of 3,000 parameters seconds in psycopg's client-side query splitting."""
    if not changed:
        return
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


def _deepest_first(kind: MatterKind, ids: list[int]) -> list:
    model, parent = kind.model, f"{kind.parent_field}_id"
    matters = list(model.objects.filter(pk__in=ids))
    depth: dict[int, int] = defaultdict(int)
    parent_of = {m.pk: getattr(m, parent) for m in matters}
    for matter in matters:
        node, d = getattr(matter, parent), 0
        while node is not None and d < 20:
            d += 1
            node = parent_of.get(node) or model.objects.filter(pk=node).values_list(parent, flat=True).first()
        depth[matter.pk] = d
    return sorted(matters, key=lambda m: -depth[m.pk])
