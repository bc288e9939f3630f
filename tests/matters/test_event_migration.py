"""The task timeline moved from ledger.TaskEvent into matters.MatterEvent (ledger migrations 0007–0008):
nothing lost, per task, on the demo county and on a restored backup of it.

The demo is written by today's services (into MatterEvent). Migrating the ledger back to 0006 puts every
event into TaskEvent again; migrating forward is the upgrade a county runs. The stream after the round trip
must be the stream before, value for value — the unit of each event included, which the forward migration
reconstructs from the task's reassignments (the services record it as they go).
"""

from __future__ import annotations

from collections import Counter

import pytest
from django.core.management import call_command
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from duban.core import backup, demo
from duban.ledger.choices import EventKind
from duban.ledger.models import Task
from duban.matters.models import MatterEvent

pytestmark = pytest.mark.django_db(transaction=True)

BEFORE = ("ledger", "0006_alter_task_light")


def stream() -> list[tuple]:
    """Every task event, in time order, without the ids the copy renumbers."""
    return list(MatterEvent.objects.filter(kind="ledger.task").order_by("matter_id", "at", "id").values_list(
        "matter_id", "event", "at", "person_id", "person_name", "text", "data", "unit_id"))


def per_task() -> Counter:
    return Counter(MatterEvent.objects.filter(kind="ledger.task").values_list("matter_id", flat=True))


def migrate_to(targets) -> None:
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(targets)


def latest() -> list[tuple[str, str]]:
    executor = MigrationExecutor(connection)
    return executor.loader.graph.leaf_nodes()


def round_trip() -> Counter:
    """Back to TaskEvent and forward again; returns the per-task counts TaskEvent held in between."""
    try:
        migrate_to([BEFORE])
        with connection.cursor() as cursor:
            cursor.execute("SELECT task_id, COUNT(*) FROM ledger_taskevent GROUP BY task_id")
            held = Counter(dict(cursor.fetchall()))
        assert not MatterEvent.objects.filter(kind="ledger.task").exists()  # moved back, not copied
    finally:
        migrate_to(latest())
    return held


def test_the_timeline_survives_the_move_on_the_demo_county_and_on_a_restored_backup(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    demo.load()
    original, counts = stream(), per_task()
    assert len(original) > 1000 and len(counts) == Task.objects.count()
    # Reassigned tasks are where the unit of an event differs from the task's unit today.
    moved = MatterEvent.objects.filter(event=EventKind.REASSIGN_APPROVED).values_list("matter_id", flat=True)
    assert moved and MatterEvent.objects.filter(matter_id__in=list(moved)).exclude(
        unit_id__in=Task.objects.filter(pk__in=list(moved)).values("lead_unit_id")).exists()

    assert round_trip() == counts
    assert per_task() == counts and stream() == original

    archive = backup.create_backup(tmp_path / "demo.zip").path
    call_command("flush", interactive=False, verbosity=0)
    assert not MatterEvent.objects.exists()
    backup.restore_backup(archive)
    assert stream() == original

    assert round_trip() == counts
    assert per_task() == counts and stream() == original
