"""The sectors of SPEC §7, loaded once; the safety office adds or retires its own afterwards."""

from django.db import migrations

from duban.safety.choices import DEFAULT_SECTORS


def load(apps, schema_editor):
    Sector = apps.get_model("safety", "Sector")
    for sort, (code, name) in enumerate(DEFAULT_SECTORS, start=1):
        Sector.objects.get_or_create(code=code, defaults={"name": name, "sort": sort * 10})


class Migration(migrations.Migration):
    dependencies = [("safety", "0001_initial")]
    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
