"""The procedures of SPEC §6 and their templates per project type, loaded once; the project office edits them."""

from django.db import migrations

from duban.projects.models import ProcedureType


def load(apps, schema_editor):
    ProcedureType.ensure_defaults(apps.get_model("projects", "ProcedureType"), apps.get_model("projects", "ProcedureTemplate"))


class Migration(migrations.Migration):
    dependencies = [("projects", "0001_initial")]
    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
