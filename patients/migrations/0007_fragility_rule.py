"""Tiers from fragility alone, waiting as capped ageing: a new rule version, and every score redone.

An existing registry gets version n+1 (the old versions stay, marked "no ceiling", so past
explanations still tell the truth) and its scores recomputed at once rather than at the
next nightly run: the waiting list must not show the old tiers in the meantime. A fresh
database (no patient yet) simply gets the ceiling on its default version 1.

The scoring is the app's own (`PriorityRule.evaluate` on an unsaved instance): it only reads
the criteria fields, which the historical Patient model has.
"""

from django.db import migrations
from django.db.models import Max
from django.utils import timezone
from psycopg.types.json import Jsonb

CHUNK = 2000
UPDATE = (
    "UPDATE patients_patient SET priority_score = %s, priority_tier = %s, priority_rule_id = %s,"
    " priority_explanation = %s WHERE id = %s"
)
CAP = 26
COMMENT = "Niveaux selon la fragilité seule ; attente : +1 point par semaine, plafonnée à 26 points."


def forwards(apps, schema_editor):
    from patients.models.priority import PriorityRule as ScoringRule

    PriorityRule = apps.get_model("patients", "PriorityRule")
    Patient = apps.get_model("patients", "Patient")
    active = PriorityRule.objects.filter(is_active=True).first()
    if not Patient.objects.exists():
        PriorityRule.objects.update(waiting_cap=CAP)
        return
    PriorityRule.objects.update(waiting_cap=None)
    weights = (
        {name: getattr(active, name) for name in ScoringRule.WEIGHT_FIELDS if name != "waiting_cap"} if active else {}
    )
    PriorityRule.objects.filter(is_active=True).update(is_active=False)
    rule = PriorityRule.objects.create(
        version=(PriorityRule.objects.aggregate(v=Max("version"))["v"] or 0) + 1,
        is_active=True,
        comment=COMMENT,
        waiting_cap=CAP,
        **weights,
    )
    scoring = ScoringRule(version=rule.version, waiting_cap=CAP, **weights)
    today = timezone.localdate()
    last_pk = 0
    queryset = Patient.objects.filter(anonymised_at__isnull=True).order_by("pk")
    while True:
        chunk = list(queryset.filter(pk__gt=last_pk)[:CHUNK])
        if not chunk:
            break
        last_pk = chunk[-1].pk
        rows = []
        for patient in chunk:
            score, tier, explanation = scoring.evaluate(patient, today)
            rows.append((score, tier, rule.pk, Jsonb(explanation), patient.pk))
        with schema_editor.connection.cursor() as cursor:
            cursor.executemany(UPDATE, rows)


class Migration(migrations.Migration):
    dependencies = [("patients", "0006_fragility_tiers")]
    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
