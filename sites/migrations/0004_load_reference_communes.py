"""Data migration: the communes of France on an empty database (COPY from sites/data/, about a second)."""

from django.db import migrations


def load(apps, schema_editor):
    from sites.reference import load_if_empty

    load_if_empty(schema_editor.connection)


class Migration(migrations.Migration):
    dependencies = [("sites", "0003_commune_reference")]

    operations = [migrations.RunPython(load, migrations.RunPython.noop, elidable=False)]
