"""The four roles are Django groups."""

from django.db import migrations

ROLES = ("coordinator", "secretary", "practitioner", "funder")


def create_groups(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    for name in ROLES:
        Group.objects.get_or_create(name=name)


class Migration(migrations.Migration):
    dependencies = [("escorter", "0003_auditlog_append_only"), ("auth", "0012_alter_user_first_name_max_length")]
    operations = [migrations.RunPython(create_groups, migrations.RunPython.noop)]
