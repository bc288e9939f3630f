# The sub-tasks of a task (parent_id = ? ORDER BY code) through one (parent_id, code) index on sub-tasks only
# (partial: its statistics are not swamped by the top-level tasks' NULLs), which replaces the foreign key's
# single-column index (issue 14). SeparateDatabaseAndState for the foreign key: on SQLite
# an AlterField would rebuild the table, and with it lose the text index's triggers (ledger.search).

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('ledger', '0009_completion_no_evidence_reason'),
    ]

    operations = [
        migrations.AddIndex(
            model_name='task',
            index=models.Index(condition=models.Q(('parent__isnull', False)), fields=['parent', 'code'], name='task_parent_code_idx'),
        ),
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.AlterField(
                    model_name='task',
                    name='parent',
                    field=models.ForeignKey(blank=True, db_index=False, null=True, on_delete=django.db.models.deletion.CASCADE, related_name='children', to='ledger.task', verbose_name='上级任务'),
                ),
            ],
            database_operations=[
                migrations.RunSQL(
                    sql=["DROP INDEX IF EXISTS ledger_task_parent_id_dfac5898"],
                    reverse_sql=["CREATE INDEX ledger_task_parent_id_dfac5898 ON ledger_task (parent_id)"],
                ),
            ],
        ),
    ]
