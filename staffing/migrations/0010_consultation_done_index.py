# issue 16: the dashboard reads the consultations held in a period, not the whole history

from django.contrib.postgres.operations import AddIndexConcurrently
from django.db import migrations, models


class Migration(migrations.Migration):
    atomic = False  # CONCURRENTLY: bookings go on while the index is built

    dependencies = [
        ("staffing", "0009_reminder_confirmation"),
    ]

    operations = [
        AddIndexConcurrently(
            model_name="consultation",
            index=models.Index(condition=models.Q(("status", "done")), fields=["start"], name="consultation_done_idx"),
        ),
    ]
