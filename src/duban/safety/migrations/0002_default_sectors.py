"""The sectors of SPEC §7, loaded once; the safety office adds or retires its own afterwards."""

from django.db import migrations

from duban.safety.models import Sector


def load(apps, schema_editor):
    Sector.ensure_defaults(apps.get_model("safety", "Sector"))  # through the historical model


class Migration(migrations.Migration):
    dependencies = [("safety", "0001_initial")]
    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
