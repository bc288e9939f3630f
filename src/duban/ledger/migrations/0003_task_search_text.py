"""Chinese-aware text search of tasks (docs/adr/006-chinese-search.md).

1. `Task.search_text`: code, title and responsible person, normalised and tokenised (CJK as bigrams).
2. Filled for the tasks that exist, with the same function the model derives it with.
3. The text index over it, on each database its own way (nothing on others):
   - SQLite: FTS5 external-content table `ledger_task_fts` (tokenizer unicode61) and three triggers on
     `ledger_task` that keep it in step (insert, update of search_text, delete);
   - PostgreSQL: a generated column `search_vector` = to_tsvector('simple', search_text), stored, with the
     GIN index `task_search_vector_gin` on it (not a model field: the database keeps it, backups skip it).
   Created after step 2, so the index is built once from the filled column (SQLite: FTS5 'rebuild').
"""

from django.db import migrations, models

from duban.ledger import search


def fill_search_text(apps, schema_editor):
    Task = apps.get_model("ledger", "Task")
    connection = schema_editor.connection
    rows = Task._base_manager.using(connection.alias).order_by("pk").values_list("pk", *search.SOURCES)
    batch = []
    with connection.cursor() as cursor:
        for pk, *sources in rows.iterator(chunk_size=2000):
            batch.append((search.document(*sources), pk))
            if len(batch) == 2000:
                cursor.executemany("UPDATE ledger_task SET search_text = %s WHERE id = %s", batch)
                batch = []
        if batch:
            cursor.executemany("UPDATE ledger_task SET search_text = %s WHERE id = %s", batch)


def create_index(apps, schema_editor):
    search.install_index(schema_editor.connection)


def drop_index(apps, schema_editor):
    search.drop_index(schema_editor.connection)


class Migration(migrations.Migration):

    dependencies = [
        ("ledger", "0002_task_list_indexes"),
    ]

    operations = [
        migrations.AddField(
            model_name="task",
            name="search_text",
            field=models.TextField(blank=True, default="", editable=False, verbose_name="检索文本"),
        ),
        migrations.RunPython(fill_search_text, migrations.RunPython.noop, elidable=True),
        migrations.RunPython(create_index, drop_index),
    ]
