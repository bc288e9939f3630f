"""One pending request of each kind (completion, extension, reassignment) per task, kept by the database.

The services always refused a second pending request, but only by looking first: two at once could both
pass. Should such a pair exist, the older one is answered (as a closed task answers its requests) so
that the unique index can be built; the newer one waits as before.
"""

from django.db import migrations, models

NOTE = "同一任务已有更新的同类申请，此申请不再办理。"


def answer_older_duplicates(apps, schema_editor):
    for name in ("CompletionRequest", "ExtensionRequest", "ReassignRequest"):
        model = apps.get_model("ledger", name)
        pending = model.objects.using(schema_editor.connection.alias).filter(state="pending")
        seen = set()
        for pk, task_id in pending.order_by("-requested_at", "-id").values_list("pk", "task_id"):
            if task_id in seen:
                pending.filter(pk=pk).update(state="rejected", note=NOTE)
            seen.add(task_id)


class Migration(migrations.Migration):

    dependencies = [
        ("ledger", "0003_task_search_text"),
    ]

    operations = [
        migrations.RunPython(answer_older_duplicates, migrations.RunPython.noop, elidable=True),
        migrations.AddConstraint(
            model_name="completionrequest",
            constraint=models.UniqueConstraint(condition=models.Q(("state", "pending")), fields=("task",), name="completion_one_pending_per_task"),
        ),
        migrations.AddConstraint(
            model_name="extensionrequest",
            constraint=models.UniqueConstraint(condition=models.Q(("state", "pending")), fields=("task",), name="extension_one_pending_per_task"),
        ),
        migrations.AddConstraint(
            model_name="reassignrequest",
            constraint=models.UniqueConstraint(condition=models.Q(("state", "pending")), fields=("task",), name="reassign_one_pending_per_task"),
        ),
    ]
