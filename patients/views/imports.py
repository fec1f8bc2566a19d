"""Upload page for CPAM and partner lists: preview (dry run), confirm, progress, error report."""

from __future__ import annotations

import io
import logging

from django.conf import settings
from django.contrib import messages
from django.core.paginator import Paginator
from django.db import transaction
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST
from django_htmx.http import HttpResponseClientRefresh

from escorter.audit import record
from escorter.models import TaskRun
from escorter.roles import Role, role_required
from escorter.taskruns import enqueue
from patients import services
from patients.forms import ImportForm
from patients.models import ImportedPatient, PatientImport
from patients.services.importing.files import delete_import_file

logger = logging.getLogger(__name__)

PREVIEW_ROWS = 15
UNEXPECTED = "La vérification du fichier s'est interrompue sur une erreur inattendue ; rien n'a été importé."
CHECKED_ROWS = 5000  # the preview runs inside the request: bigger lists are checked in part


@role_required(Role.COORDINATOR)
def import_upload(request):
    form = ImportForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        # born refused: only a finished check makes it a preview, so a crash never leaves a
        # half-made "preview" behind (its file goes with the next purge)
        batch = PatientImport.objects.create(
            file=upload,
            original_name=upload.name[:255],
            source=form.cleaned_data["source"],
            created_by=request.user,
            state=PatientImport.State.FAILED,
            summary={"preview": {"fatal": UNEXPECTED}, "lines": [UNEXPECTED]},
        )
        errors = io.StringIO()
        try:
            with batch.file.open("rb") as fh:
                report = services.import_patients(
                    fh,
                    source=batch.source,
                    dry_run=True,
                    user=request.user,
                    errors_stream=errors,
                    file_name=batch.original_name,
                    preview_rows=PREVIEW_ROWS,
                    max_rows=CHECKED_ROWS,
                )
        except Exception:  # noqa: BLE001 - any file must end in a page, never a 500 and a stuck import
            logger.exception("import preview %s failed", batch.pk)
            delete_import_file(batch)
            record(request, "import", batch, detail=f"aperçu impossible de {batch.original_name}")
            return redirect("patients:import_detail", pk=batch.pk)
        batch.summary = {"preview": report.as_dict(), "lines": report.summary_lines()}
        batch.errors_csv = errors.getvalue()
        batch.state = PatientImport.State.FAILED if report.fatal else PatientImport.State.PREVIEW
        batch.save(update_fields=["summary", "errors_csv", "state"])
        if report.fatal:
            delete_import_file(batch)
        record(request, "import", batch, detail=f"aperçu de {batch.original_name}")
        return redirect("patients:import_detail", pk=batch.pk)
    recent = PatientImport.objects.select_related("created_by")[:10]
    return render(
        request,
        "patients/import_upload.html",
        {"form": form, "recent": recent, "retention_hours": settings.IMPORT_FILE_RETENTION_HOURS},
    )


@role_required(Role.COORDINATOR)
def import_history(request):
    """Every import, newest first, with what it did (counts come from the stored summaries)."""
    page = Paginator(PatientImport.objects.select_related("created_by").order_by("-created_at", "-pk"), 25).get_page(
        request.GET.get("page")
    )
    return render(request, "patients/import_history.html", {"page": page})


def _context(batch: PatientImport) -> dict:
    preview = batch.summary.get("preview", {})
    final = batch.summary.get("final")
    run = None
    if batch.summary.get("task_run"):
        run = TaskRun.objects.filter(pk=batch.summary["task_run"]).first()
    return {"batch": batch, "preview": preview, "final": final, "run": run}


@role_required(Role.COORDINATOR)
def import_detail(request, pk: int):
    batch = get_object_or_404(PatientImport, pk=pk)
    context = _context(batch)
    links = ImportedPatient.objects.filter(patient_import=batch).select_related("patient").order_by("outcome", "pk")
    context["patients"] = Paginator(links, 50).get_page(request.GET.get("page"))
    return render(request, "patients/import_detail.html", context)


@role_required(Role.COORDINATOR)
def import_status(request, pk: int):
    """htmx fragment polled while the import runs; reloads the page once it is over."""
    batch = get_object_or_404(PatientImport, pk=pk)
    context = _context(batch)
    # nothing to poll (not confirmed yet, or over): the page itself tells where the import stands
    if batch.state != PatientImport.State.PREVIEW or context["run"] is None or context["run"].is_finished:
        return HttpResponseClientRefresh()
    return render(request, "patients/_import_status.html", context)


@role_required(Role.COORDINATOR)
@require_POST
def import_confirm(request, pk: int):
    batch = get_object_or_404(PatientImport, pk=pk)
    # claim the preview: a double click or a second coordinator cannot start it twice
    claimed = PatientImport.objects.filter(pk=pk, state=PatientImport.State.PREVIEW, imported_at__isnull=True).update(
        imported_at=timezone.now()
    )
    if not claimed:
        messages.warning(request, "Cet import a déjà été lancé.")
        return redirect("patients:import_detail", pk=pk)
    from patients.tasks import import_patient_file

    all_or_nothing = bool(request.POST.get("all_or_nothing"))
    # the task starts on commit: the run id must be saved before (eager mode runs it at once)
    with transaction.atomic():
        run = enqueue(import_patient_file, user=request.user, import_id=batch.pk, all_or_nothing=all_or_nothing)
        batch.summary["task_run"] = run.pk
        PatientImport.objects.filter(pk=pk).update(summary=batch.summary)
    messages.info(request, "Import lancé.")
    return redirect("patients:import_detail", pk=pk)


@role_required(Role.COORDINATOR)
def import_errors(request, pk: int):
    batch = get_object_or_404(PatientImport, pk=pk)
    record(request, "download", batch, detail="rapport d'erreurs")
    # BOM so that Excel opens the French accents correctly
    response = HttpResponse("\ufeff" + batch.errors_csv, content_type="text/csv; charset=utf-8")
    stem = batch.original_name.rsplit(".", 1)[0]
    response["Content-Disposition"] = f'attachment; filename="erreurs-{stem}.csv"'
    return response
