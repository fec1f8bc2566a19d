"""One patient: the audited page, create/edit forms, status changes, right-of-access export."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from escorter.audit import record
from escorter.roles import CARE_TEAM, STAFF, Role, has_role, role_required
from patients import services
from patients.access import patient_for_user
from patients.forms import EraseForm, PatientForm, StatusChangeForm
from patients.models import Patient
from patients.rendering import patient_data_pdf
from patients.selectors import patient_history


def _apply_errors(form, exc: ValidationError) -> None:
    if hasattr(exc, "error_dict"):
        for field, errors in exc.message_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, exc.messages)


def _detail_page(request, patient, *, can_edit: bool, status_form, status: int = 200):
    context = {
        "patient": patient,
        "history": patient_history(patient),
        "can_edit": can_edit,
        "is_coordinator": has_role(request.user, Role.COORDINATOR),
        "status_form": status_form,
        "explanation": patient.priority_explanation or {},
        "can_see_list": has_role(request.user, *STAFF),
    }
    return render(request, "patients/patient_detail.html", context, status=status)


@role_required(*CARE_TEAM)
def patient_detail(request, pk: int):
    patient = patient_for_user(request.user, pk, request=request)
    can_edit = has_role(request.user, *STAFF) and not patient.anonymised_at
    return _detail_page(
        request, patient, can_edit=can_edit, status_form=StatusChangeForm(patient=patient) if can_edit else None
    )


@role_required(*STAFF)
def patient_create(request):
    form = PatientForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            patient = services.create_patient(user=request.user, **form.service_values())
        except ValidationError as exc:
            _apply_errors(form, exc)
        else:
            record(request, "create", patient)
            messages.success(request, f"{patient.full_name} est inscrit(e) sur la liste d'attente.")
            return redirect("patients:patient_detail", pk=patient.pk)
    return render(request, "patients/patient_form.html", {"form": form, "patient": None})


@role_required(*STAFF)
def patient_edit(request, pk: int):
    patient = patient_for_user(request.user, pk, request=request)
    if patient.anonymised_at:
        messages.error(request, "Ce dossier est anonymisé : il ne peut plus être modifié.")
        return redirect("patients:patient_detail", pk=patient.pk)
    form = PatientForm(request.POST or None, instance=patient)
    if request.method == "POST" and form.is_valid():
        try:
            services.update_patient(patient=patient, user=request.user, **form.service_values())
        except ValidationError as exc:
            _apply_errors(form, exc)
        else:
            record(request, "update", patient)
            messages.success(request, "Dossier enregistré.")
            return redirect("patients:patient_detail", pk=patient.pk)
    return render(request, "patients/patient_form.html", {"form": form, "patient": patient})


@role_required(*STAFF)
@require_POST
def patient_status(request, pk: int):
    patient = patient_for_user(request.user, pk, request=request)
    form = StatusChangeForm(request.POST, patient=patient)
    if form.is_valid():
        data = form.cleaned_data
        gp = {}
        if data["to_status"] == Patient.Status.GP_FOUND:
            gp = {k: data[k] for k in ("new_gp_name", "new_gp_rpps", "gp_found_date") if data.get(k)}
        try:
            services.change_status(
                patient=patient, to_status=data["to_status"], user=request.user, note=data["note"], **gp
            )
        except ValidationError as exc:
            _apply_errors(form, exc)
        else:
            record(request, "update", patient, detail=f"statut : {patient.get_status_display()}")
            messages.success(request, f"Statut modifié : {patient.get_status_display()}.")
            return redirect("patients:patient_detail", pk=patient.pk)
    return _detail_page(request, patient, can_edit=True, status_form=form, status=400)


@role_required(Role.COORDINATOR)
def patient_data_export(request, pk: int, fmt: str):
    """Right of access (GDPR art. 15): everything held on the patient, as JSON or PDF."""
    if fmt not in ("json", "pdf"):
        return HttpResponse("Format inconnu : json ou pdf.", status=404, content_type="text/plain; charset=utf-8")
    patient = patient_for_user(request.user, pk, request=request)
    data = services.patient_data(patient)
    record(request, "export", patient, detail=f"droit d'accès ({fmt.upper()})")
    stamp = timezone.localdate().strftime("%Y-%m-%d")
    if fmt == "json":
        response = JsonResponse(data, json_dumps_params={"ensure_ascii": False, "indent": 2})
        response["Content-Disposition"] = f'attachment; filename="patient-{patient.pk}-{stamp}.json"'
        return response
    pdf = patient_data_pdf(patient=patient, data=data, editor=request.user, now=timezone.localtime())
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="patient-{patient.pk}-{stamp}.pdf"'
    return response


@role_required(Role.COORDINATOR)
def patient_erase(request, pk: int):
    """Right to erasure (GDPR art. 17) of one person, after the coordinator retypes the surname."""
    patient = patient_for_user(request.user, pk, request=request)
    if patient.anonymised_at:
        messages.info(request, "Ce dossier est déjà anonymisé.")
        return redirect("patients:patient_detail", pk=patient.pk)
    form = EraseForm(request.POST or None, patient=patient)
    if request.method == "POST" and form.is_valid():
        services.anonymise_patient(patient=patient, user=request.user)
        messages.success(request, f"Dossier n° {patient.pk} : identité effacée partout dans l'application.")
        return redirect("patients:patient_detail", pk=patient.pk)
    return render(request, "patients/patient_erase.html", {"patient": patient, "form": form})
