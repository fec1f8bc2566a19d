"""Upload page for CPAM and partner lists: preview (dry run), confirm, progress, error report."""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.core.paginator import Paginator
from django.db import transaction
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST
from django_htmx.http import HttpResponseClientRefresh

from escorter.audit import record
from escorter.models import TaskRun
from escorter.roles import Role, role_required
from escorter.taskruns import enqueue
from patients.access import import_for_user
from patients.forms import ImportForm
from patients.models import ImportedPatient, PatientImport
from patients.services.importing.batches import claim_import, preview_import


@role_required(Role.COORDINATOR)
def import_upload(request):
    form = ImportForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        batch, checked = preview_import(
            upload=form.cleaned_data["file"], source=form.cleaned_data["source"], user=request.user
        )
        detail = f"aperçu de {batch.original_name}" if checked else f"aperçu impossible de {batch.original_name}"
        record(request, "import", batch, detail=detail)
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
    # summed here: a preview stored without one of the counts must not break the page
    known = (preview.get("already_known") or 0) + (preview.get("duplicates_in_file") or 0)
    return {"batch": batch, "preview": preview, "final": final, "run": run, "known": known}


@role_required(Role.COORDINATOR)
def import_detail(request, pk: int):
    batch = import_for_user(request.user, pk, request=request)
    context = _context(batch)
    links = ImportedPatient.objects.filter(patient_import=batch).select_related("patient").order_by("outcome", "pk")
    context["patients"] = Paginator(links, 50).get_page(request.GET.get("page"))
    return render(request, "patients/import_detail.html", context)


@role_required(Role.COORDINATOR)
def import_status(request, pk: int):
    """htmx fragment polled while the import runs; reloads the page once it is over."""
    batch = import_for_user(request.user, pk, audit=False)
    context = _context(batch)
    # nothing to poll (not confirmed yet, or over): the page itself tells where the import stands
    if batch.state != PatientImport.State.PREVIEW or context["run"] is None or context["run"].is_finished:
        return HttpResponseClientRefresh()
    return render(request, "patients/_import_status.html", context)


@role_required(Role.COORDINATOR)
@require_POST
def import_confirm(request, pk: int):
    batch = import_for_user(request.user, pk, audit=False)
    if not claim_import(batch_id=batch.pk):
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
    batch = import_for_user(request.user, pk, audit=False)  # audited below as a download
    record(request, "download", batch, detail="rapport d'erreurs")
    # BOM so that Excel opens the French accents correctly
    response = HttpResponse("\ufeff" + batch.errors_csv, content_type="text/csv; charset=utf-8")
    stem = batch.original_name.rsplit(".", 1)[0]
    response["Content-Disposition"] = f'attachment; filename="erreurs-{stem}.csv"'
    return response
