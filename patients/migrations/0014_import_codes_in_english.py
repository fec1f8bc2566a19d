"""Import remark kinds and preview outcomes stored in English (labels stay French).

PatientImport.summary keeps, under "preview" and "final", the report's `issues` (each with a
`kind`) and `preview` rows (each with an `outcome`); their code values were French words.
The CSV error report shows labels and stays as it is.
"""

from django.db import migrations

KINDS = {"erreur": "error", "conflit": "conflict", "doublon": "duplicate"}
OUTCOMES = {
    "nouveau": "new",
    "complété": "completed",
    "déjà connu": "known",
    "doublon": "duplicate",
    "rejetée": "rejected",
}


def _convert(summary: dict, kinds: dict, outcomes: dict) -> bool:
    changed = False
    for part in ("preview", "final"):
        report = summary.get(part)
        if not isinstance(report, dict):
            continue
        for issue in report.get("issues") or []:
            if isinstance(issue, dict) and issue.get("kind") in kinds:
                issue["kind"] = kinds[issue["kind"]]
                changed = True
        for row in report.get("preview") or []:
            if isinstance(row, dict) and row.get("outcome") in outcomes:
                row["outcome"] = outcomes[row["outcome"]]
                changed = True
    return changed


def _migrate(apps, kinds: dict, outcomes: dict) -> None:
    PatientImport = apps.get_model("patients", "PatientImport")
    for batch in PatientImport.objects.only("pk", "summary").iterator(chunk_size=200):
        if isinstance(batch.summary, dict) and _convert(batch.summary, kinds, outcomes):
            PatientImport.objects.filter(pk=batch.pk).update(summary=batch.summary)


def forwards(apps, schema_editor):
    _migrate(apps, KINDS, OUTCOMES)


def backwards(apps, schema_editor):
    _migrate(apps, {v: k for k, v in KINDS.items()}, {v: k for k, v in OUTCOMES.items()})


class Migration(migrations.Migration):
    dependencies = [("patients", "0013_waiting_commune_ald_index")]

    operations = [migrations.RunPython(forwards, backwards)]
