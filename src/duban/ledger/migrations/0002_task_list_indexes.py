"""Two indexes for the ledger list at 100k tasks (docs/benchmarks.md): counts by light, and the due order."""

from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ("ledger", "0001_initial"),
    ]

    operations = [
        migrations.AddIndex(
            model_name="task",
            index=models.Index(fields=["light", "state"], name="task_light_state_idx"),
        ),
        migrations.AddIndex(
            model_name="task",
            index=models.Index(fields=["due_sort", "id", "state"], name="task_due_state_idx"),
        ),
    ]
