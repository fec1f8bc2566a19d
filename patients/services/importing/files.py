"""Uploaded lists are health data kept only while needed: deleted once the import is done or the
file refused, and a preview nobody confirmed is abandoned after IMPORT_FILE_RETENTION_HOURS."""

from __future__ import annotations

import datetime as dt
import logging

from django.conf import settings
from django.utils import timezone

from patients.models import PatientImport

logger = logging.getLogger(__name__)


def delete_import_file(batch: PatientImport) -> None:
    """Remove the stored file and forget its name (the row, summary and error report stay)."""
    if batch.file:
        try:
            batch.file.delete(save=False)
        except OSError:  # already gone: the point is that it is not kept
            logger.warning("import file of %s could not be deleted", batch.pk, exc_info=True)
    PatientImport.objects.filter(pk=batch.pk).update(file="")
    batch.file = ""


def purge_import_files(*, now: dt.datetime | None = None) -> int:
    """The beat job: abandon stale previews, delete every file no longer needed. Returns how many."""
    now = now or timezone.now()
    cutoff = now - dt.timedelta(hours=settings.IMPORT_FILE_RETENTION_HOURS)
    # a preview being imported right now has imported_at set: leave it to its task
    PatientImport.objects.filter(
        state=PatientImport.State.PREVIEW, imported_at__isnull=True, created_at__lt=cutoff
    ).update(state=PatientImport.State.ABANDONED)
    done = PatientImport.objects.exclude(file="").exclude(state=PatientImport.State.PREVIEW)
    stuck = PatientImport.objects.exclude(file="").filter(state=PatientImport.State.PREVIEW, created_at__lt=cutoff)
    purged = 0
    for batch in (done | stuck).only("pk", "file")[:1000]:
        delete_import_file(batch)
        purged += 1
    return purged
