"""The task timeline (ledger.TaskEvent) moves into the kernel's one event stream (matters.MatterEvent).

Every row is copied with its id order, time, person, text and data; `kind` becomes "ledger.task", the old
`kind` becomes `event`, and `unit` is the task's lead unit after the event — read back from the task's
current lead unit through its reassignments (each 调整承办单位 event records the old and the new unit).
Reversible: going back copies the task events of the stream into TaskEvent again.
"""

from django.db import migrations

KIND = "ledger.task"
BATCH = 5000


def forward(apps, schema_editor):
    TaskEvent = apps.get_model("ledger", "TaskEvent")
    Task = apps.get_model("ledger", "Task")
    MatterEvent = apps.get_model("matters", "MatterEvent")
    alias = schema_editor.connection.alias
    lead = dict(Task.objects.using(alias).values_list("id", "lead_unit_id"))
    # Units after each reassignment, walked backwards from today's lead unit: before a move the task was with
    # its old unit.
    moves: dict[int, list[tuple[int, int | None]]] = {}
    for event_id, task_id, data in (TaskEvent.objects.using(alias).filter(kind="reassign_approved")
                                    .order_by("task_id", "at", "id").values_list("id", "task_id", "data")):
        moves.setdefault(task_id, []).append((event_id, (data or {}).get("old_unit")))
    rows = []
    events = TaskEvent.objects.using(alias).order_by("id").values_list("id", "task_id", "at", "actor_id", "actor_name", "kind", "text", "data")
    for event_id, task_id, at, actor_id, actor_name, kind, text, data in events.iterator(chunk_size=BATCH):
        rows.append(MatterEvent(kind=KIND, matter_id=task_id, unit_id=_unit_at(lead.get(task_id), moves.get(task_id, ()), event_id),
                                person_id=actor_id, person_name=actor_name, event=kind, at=at, text=text, data=data or {}))
        if len(rows) >= BATCH:
            MatterEvent.objects.using(alias).bulk_create(rows)
            rows = []
    if rows:
        MatterEvent.objects.using(alias).bulk_create(rows)


def _unit_at(current: int | None, moves, event_id: int) -> int | None:
    """The lead unit after event `event_id`: today's, unless a later move took the task from its old unit."""
    unit = current
    for move_id, old_unit in reversed(list(moves)):
        if move_id > event_id:
            unit = old_unit
    return unit


def backward(apps, schema_editor):
    TaskEvent = apps.get_model("ledger", "TaskEvent")
    MatterEvent = apps.get_model("matters", "MatterEvent")
    alias = schema_editor.connection.alias
    rows = []
    events = MatterEvent.objects.using(alias).filter(kind=KIND).order_by("id").values_list(
        "matter_id", "at", "person_id", "person_name", "event", "text", "data")
    for task_id, at, person_id, person_name, event, text, data in events.iterator(chunk_size=BATCH):
        rows.append(TaskEvent(task_id=task_id, at=at, actor_id=person_id, actor_name=person_name, kind=event, text=text, data=data or {}))
        if len(rows) >= BATCH:
            TaskEvent.objects.using(alias).bulk_create(rows)
            rows = []
    if rows:
        TaskEvent.objects.using(alias).bulk_create(rows)
    MatterEvent.objects.using(alias).filter(kind=KIND).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("ledger", "0006_alter_task_light"),
        ("matters", "0001_initial"),
    ]

    operations = [migrations.RunPython(forward, backward)]
