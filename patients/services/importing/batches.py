"""An uploaded list's life around `import_patients`: checked on upload (preview), claimed on
confirmation, imported by the worker, each step written to its PatientImport row."""

from __future__ import annotations

import io
import logging

from django.utils import timezone

from escorter.audit import record_system
from patients.models import PatientImport
from patients.services.importing.files import delete_import_file
from patients.services.importing.report import ImportReport
from patients.services.importing.run import import_patients

logger = logging.getLogger(__name__)

PREVIEW_ROWS = 15
CHECKED_ROWS = 5000  # the preview runs inside the request: bigger lists are checked in part
UNEXPECTED = "La vérification du fichier s'est interrompue sur une erreur inattendue ; rien n'a été importé."


def _read(batch: PatientImport, errors: io.StringIO, **options) -> ImportReport:
    """`import_patients` over the batch's stored file, its error report written to `errors`."""
    with batch.file.open("rb") as fh:
        return import_patients(fh, source=batch.source, errors_stream=errors, file_name=batch.original_name, **options)


def preview_import(*, upload, source: str, user) -> tuple[PatientImport, bool]:
    """Store `upload` and check it without writing a patient. Returns the batch, and False when
    the check itself broke down (the batch then says so, and its file is deleted)."""
    # born refused: only a finished check makes it a preview, so a crash never leaves a
    # half-made "preview" behind (its file goes with the next purge)
    batch = PatientImport.objects.create(
        file=upload,
        original_name=upload.name[:255],
        source=source,
        created_by=user,
        state=PatientImport.State.FAILED,
        summary={"preview": {"fatal": UNEXPECTED}, "lines": [UNEXPECTED]},
    )
    errors = io.StringIO()
    try:
        report = _read(batch, errors, dry_run=True, user=user, preview_rows=PREVIEW_ROWS, max_rows=CHECKED_ROWS)
    except Exception:  # noqa: BLE001 - any file must end in a page, never a 500 and a stuck import
        logger.exception("import preview %s failed", batch.pk)
        delete_import_file(batch)
        return batch, False
    batch.summary = {"preview": report.as_dict(), "lines": report.summary_lines()}
    batch.errors_csv = errors.getvalue()
    batch.state = PatientImport.State.FAILED if report.fatal else PatientImport.State.PREVIEW
    batch.save(update_fields=["summary", "errors_csv", "state"])
    if report.fatal:
        delete_import_file(batch)
    return batch, True


def claim_import(*, batch_id: int) -> bool:
    """Claim a preview for import: True for the one caller that gets it (a double click or a second
    coordinator cannot start it twice)."""
    return bool(
        PatientImport.objects.filter(pk=batch_id, state=PatientImport.State.PREVIEW, imported_at__isnull=True).update(
            imported_at=timezone.now()
        )
    )


def run_import(*, import_id: int, all_or_nothing: bool, progress) -> dict:
    """The worker's part: import a previewed list, store the outcome, delete the file. Safe to run
    twice: a batch no longer in preview is left alone (and deduplication makes a rerun harmless)."""
    batch = PatientImport.objects.select_related("created_by").get(pk=import_id)
    if batch.state != PatientImport.State.PREVIEW or not batch.file:
        return {"skipped": batch.get_state_display()}  # redelivered after it finished
    errors = io.StringIO()
    progress.step(5, "Lecture du fichier…")
    report = _read(
        batch, errors, all_or_nothing=all_or_nothing, user=batch.created_by, progress=progress, patient_import=batch
    )
    summary = dict(batch.summary)
    summary["final"] = report.as_dict()
    summary["final_lines"] = report.summary_lines()
    PatientImport.objects.filter(pk=batch.pk).update(
        summary=summary,
        errors_csv=errors.getvalue(),
        state=PatientImport.State.FAILED if report.fatal else PatientImport.State.DONE,
        imported_at=timezone.now(),
    )
    delete_import_file(batch)
    record_system(
        "import",
        object_type="patients.PatientImport",
        object_id=batch.pk,
        detail=" ".join(report.summary_lines())[:2000],
        user=batch.created_by,
    )
    progress.step(100, f"{report.created} créé(s), {report.updated} complété(s), {report.rejected} rejet(s).")
    return {"created": report.created, "updated": report.updated, "rejected": report.rejected}
