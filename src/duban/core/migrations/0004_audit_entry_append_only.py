"""The audit trail is append-only: the actor's id stays when a person is removed (it is hashed), and on
PostgreSQL a trigger refuses UPDATE and DELETE of audit entries whoever sends them.

The trigger stops the application's own mistakes and anyone with plain SQL access; the table's owner can
still switch it off (ALTER TABLE … DISABLE TRIGGER), which is what the hash chain and the kept heads are for
(docs/adr/013-audit-chain-head.md). TRUNCATE (the test suite's flush) is not refused.
"""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models

GUARD = [
    """CREATE OR REPLACE FUNCTION duban_audit_entry_immutable() RETURNS trigger AS $$
    BEGIN
        RAISE EXCEPTION '审计记录只能追加，不能修改或删除（core_auditentry %）', TG_OP
            USING ERRCODE = 'insufficient_privilege';
    END;
    $$ LANGUAGE plpgsql""",
    """CREATE TRIGGER audit_entry_immutable BEFORE UPDATE OR DELETE ON core_auditentry
        FOR EACH ROW EXECUTE FUNCTION duban_audit_entry_immutable()""",
]
UNGUARD = [
    "DROP TRIGGER IF EXISTS audit_entry_immutable ON core_auditentry",
    "DROP FUNCTION IF EXISTS duban_audit_entry_immutable()",
]


def _run(schema_editor, statements):
    if schema_editor.connection.vendor == "postgresql":
        for sql in statements:
            schema_editor.execute(sql, None)  # no parameters: the % in the message is not a placeholder


def guard(apps, schema_editor):
    _run(schema_editor, GUARD)


def unguard(apps, schema_editor):
    _run(schema_editor, UNGUARD)


class Migration(migrations.Migration):

    dependencies = [
        ("core", "0003_jobrun"),
    ]

    operations = [
        migrations.AlterField(
            model_name="auditentry",
            name="actor",
            field=models.ForeignKey(blank=True, db_constraint=False, null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name="+", to=settings.AUTH_USER_MODEL, verbose_name="操作人"),
        ),
        migrations.RunPython(guard, unguard),
    ]
