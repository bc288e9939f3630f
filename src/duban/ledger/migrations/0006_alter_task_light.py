# Drops the single-column index on Task.light (the (light, state) index serves every query on it, and each
# index is rewritten on every relight). SeparateDatabaseAndState: on SQLite an AlterField would rebuild the
# table, and with it lose the text index's triggers (ledger.search).

from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('ledger', '0005_task_ladder_next_on'),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.AlterField(
                    model_name='task',
                    name='light',
                    field=models.CharField(choices=[('green', '绿灯'), ('yellow', '黄灯'), ('red', '红灯'), ('grey', '灰灯')], default='green', max_length=8, verbose_name='亮灯'),
                ),
            ],
            database_operations=[
                migrations.RunSQL(
                    sql=["DROP INDEX IF EXISTS ledger_task_light_8a1a1b6d_like", "DROP INDEX IF EXISTS ledger_task_light_8a1a1b6d"],
                    reverse_sql=["CREATE INDEX ledger_task_light_8a1a1b6d ON ledger_task (light)"],
                ),
            ],
        ),
    ]
