"""The unscheduled-care line: call log, the call screen (autosaved), patient search and quick creation."""

from __future__ import annotations

import datetime as dt

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_POST

from escorter.audit import record
from escorter.roles import STAFF, Role, has_role, role_required
from patients.access import call_for_user, patient_for_user
from patients.forms.calls import OUTCOME_KEYS, CallForm, QuickPatientForm
from patients.models import CallOutcome
from patients.models.calls import OUTCOME_SHORT
from patients.selectors.calls import call_log, search_call_patients
from patients.services import calls as services

LOG_DAYS = 7
CALL_CHANGED = "call-changed"  # htmx event: the slots panel reloads (distance, patient)


def _slots_url(call) -> str | None:
    # The booking side lives in staffing, which depends on patients and not the other way
    # round: the screen only knows the URL name and shows no panel if staffing has none.
    try:
        return reverse("staffing:call_snp_slots", args=[call.pk])
    except NoReverseMatch:
        return None


@role_required(*STAFF)
@require_GET
def call_list(request):
    today = timezone.localdate()
    outcome = request.GET.get("orientation", "")
    if outcome not in {"", "open", *CallOutcome.values}:
        outcome = ""
    calls = call_log(first_day=today - dt.timedelta(days=LOG_DAYS - 1), last_day=today, outcome=outcome)
    record(request, "list", object_type="patients.Call", detail=f"journal des appels, {LOG_DAYS} derniers jours")
    return render(
        request,
        "patients/calls/call_list.html",
        {
            "calls": calls,
            "outcome": outcome,
            "outcomes": [(c.value, OUTCOME_SHORT[c]) for c in CallOutcome],
            "log_days": LOG_DAYS,
            "is_coordinator": has_role(request.user, Role.COORDINATOR),
        },
    )


@role_required(*STAFF)
@require_POST
def call_start(request):
    call = services.open_call(user=request.user)
    record(request, "create", call)
    return redirect("patients:call_detail", pk=call.pk)


def _screen(request, call, form, *, quick_form=None, status=200):
    return render(
        request,
        "patients/calls/call_detail.html",
        {
            "call": call,
            "form": form,
            "quick_form": quick_form or QuickPatientForm(initial={"phone": call.caller_phone}),
            "outcome_keys": {k.value: v for k, v in OUTCOME_KEYS.items()},
            "vital": CallOutcome.VITAL_EMERGENCY.value,
            "slots_url": _slots_url(call),
        },
        status=status,
    )


@role_required(*STAFF)
def call_detail(request, pk: int):
    """The call screen. POST = "Enregistrer et clore": the outcome is then required."""
    call = call_for_user(request.user, pk, request=request)
    if request.method != "POST":
        return _screen(request, call, CallForm(instance=call))
    form = CallForm(request.POST, instance=call, require_outcome=True)
    values = form.valid_values()
    try:
        call = services.save_call(call=call, user=request.user, values=values)
    except ValidationError as exc:
        for field, errors in exc.message_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    if form.errors:
        # Re-render what was typed; the valid fields are already saved.
        return _screen(request, call, form, status=422)
    messages.success(request, f"{call} enregistré : {call.get_outcome_display().lower()}.")
    return redirect("patients:call_list")


@role_required(*STAFF)
@require_POST
def call_autosave(request, pk: int):
    """Saves, as the secretary types, every field that is valid so far; answers with a status line."""
    call = call_for_user(request.user, pk, audit=False)
    before = (call.commune_id, call.outcome)
    form = CallForm(request.POST, instance=call)
    values = form.valid_values()
    try:
        call = services.save_call(call=call, user=request.user, values=values)
    except ValidationError as exc:
        form.add_error(None, exc.messages)
    problems = [
        (form.fields[name].label if name in form.fields else "Appel", errors[0]) for name, errors in form.errors.items()
    ]
    response = render(request, "patients/calls/_autosave_status.html", {"problems": problems, "call": call})
    if (call.commune_id, call.outcome) != before:
        response["HX-Trigger"] = CALL_CHANGED
    return response


@role_required(*STAFF)
@require_GET
def call_patient_search(request, pk: int):
    call = call_for_user(request.user, pk, audit=False)
    query = request.GET.get("q", "").strip()[:100]
    patients = search_call_patients(query)
    if patients:
        record(request, "search", call, detail=f"recherche patient (terme non conservé) : {len(patients)} résultat(s)")
    return render(request, "patients/calls/_patient_results.html", {"call": call, "patients": patients, "q": query})


def _patient_block(request, call, *, quick_form=None, status=200, changed=False):
    response = render(
        request,
        "patients/calls/_patient_block.html",
        {
            "call": call,
            "quick_form": quick_form or QuickPatientForm(initial={"phone": call.caller_phone}),
            "show_quick": quick_form is not None,
        },
        status=status,
    )
    if changed:
        response["HX-Trigger-After-Settle"] = CALL_CHANGED
    return response


@role_required(*STAFF)
@require_POST
def call_patient_attach(request, pk: int):
    call = call_for_user(request.user, pk, audit=False)
    patient = patient_for_user(request.user, request.POST.get("patient"), request=request)
    services.attach_patient(call=call, patient=patient, user=request.user)
    return _patient_block(request, call, changed=True)


@role_required(*STAFF)
@require_POST
def call_patient_detach(request, pk: int):
    call = call_for_user(request.user, pk, audit=False)
    services.detach_patient(call=call, user=request.user)
    return _patient_block(request, call, changed=True)


@role_required(*STAFF)
@require_POST
def call_patient_create(request, pk: int):
    call = call_for_user(request.user, pk, audit=False)
    form = QuickPatientForm(request.POST)
    if form.is_valid():
        try:
            patient = services.quick_create_patient(call=call, user=request.user, **form.cleaned_data)
        except ValidationError as exc:
            for field, errors in exc.message_dict.items():
                form.add_error(field if field in form.fields else None, errors)
        else:
            record(request, "create", patient)
            return _patient_block(request, call, changed=True)
    # 200, not 422: htmx swaps only successful responses, and the form must come back with its values.
    return _patient_block(request, call, quick_form=form)
