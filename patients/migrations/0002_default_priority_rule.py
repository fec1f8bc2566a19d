"""The default priority rule of DESIGN.md, version 1, active."""

from django.db import migrations


def create_default_rule(apps, schema_editor):
    PriorityRule = apps.get_model("patients", "PriorityRule")
    if not PriorityRule.objects.exists():
        PriorityRule.objects.create(version=1, is_active=True, comment="Règle par défaut (DESIGN.md)")


class Migration(migrations.Migration):
    dependencies = [("patients", "0001_initial")]
    operations = [migrations.RunPython(create_default_rule, migrations.RunPython.noop)]
