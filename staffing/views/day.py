"""The day's work: the practitioner's patients with the outcome form, the secretary's arrivals per site."""

from __future__ import annotations

import datetime as dt

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from escorter.audit import record
from escorter.params import date_param, int_param
from escorter.roles import STAFF, Role, has_role, role_required
from staffing.access import consultation_for_user
from staffing.forms.booking import CancelForm, OutcomeForm
from staffing.models import Professional
from staffing.selectors import day as selectors
from staffing.services.booking import BookingError, SlotUnavailable
from staffing.services.outcomes import record_outcome


def _day(request) -> dt.date:
    return date_param(request, "date", timezone.localdate())


def _nav(day: dt.date) -> dict:
    return {
        "day": day,
        "previous": day - dt.timedelta(days=1),
        "next": day + dt.timedelta(days=1),
        "is_today": day == timezone.localdate(),
    }


@role_required(Role.PRACTITIONER, Role.COORDINATOR)
def practitioner_day(request):
    """Today's patients of one practitioner, per site, with their criteria and one outcome form each."""
    day = _day(request)
    is_practitioner = has_role(request.user, Role.PRACTITIONER)
    if is_practitioner:
        page = selectors.practitioner_day(day=day, user=request.user)
    else:
        page = selectors.practitioner_day(day=day, professional_id=int_param(request, "professional"))
    if page.professional is not None:
        record(
            request,
            "view",
            object_type="staffing.Consultation",
            detail=f"journée du praticien {page.professional.pk} le {day:%d/%m/%Y} ({page.count})",
        )
    return render(
        request,
        "staffing/day/practitioner.html",
        {
            **_nav(day),
            "professional": page.professional,
            "sites": page.sites,
            "professionals": [] if is_practitioner else Professional.objects.filter(active=True),
            "now": timezone.now(),
        },
    )


@require_POST
@role_required(Role.PRACTITIONER, Role.COORDINATOR)
def consultation_outcome(request, pk: int):
    consultation = consultation_for_user(request.user, pk, request=request)
    form = OutcomeForm(request.POST, prefix_pk=consultation.pk)
    back = request.POST.get("next", "")
    if not (back.startswith("/") and not back.startswith("//")):
        back = reverse("staffing:practitioner_day")
    if not form.is_valid():
        for errors in form.errors.values():
            for error in errors:
                messages.error(request, f"{consultation.patient.full_name} : {error}")
        return redirect(back)
    data = form.cleaned_data
    try:
        record_outcome(
            consultation=consultation,
            user=request.user,
            seen=data["seen"],
            orientation=data.get("orientation") or "",
            gp_found=data.get("gp_found", False),
            new_gp_name=data.get("new_gp_name", ""),
            new_gp_rpps=data.get("new_gp_rpps", ""),
            next_appointment_needed=data.get("next_appointment_needed", False),
            note=data.get("note", ""),
            amend_reason=data.get("amend_reason", ""),
        )
    except (BookingError, SlotUnavailable, ValidationError) as exc:
        text = " ".join(exc.messages) if isinstance(exc, ValidationError) else str(exc)
        messages.error(request, f"{consultation.patient.full_name} : {text}")
    else:
        messages.success(request, f"Compte rendu enregistré pour {consultation.patient.full_name}.")
    return redirect(back)


@role_required(*STAFF)
def secretary_day(request):
    """Per site: who is expected, who arrived, who did not come."""
    day = _day(request)
    page = selectors.secretary_day(day=day, premises_id=int_param(request, "premises"))
    record(
        request,
        "view",
        object_type="staffing.Consultation",
        detail=f"journée du secrétariat le {day:%d/%m/%Y} ({page.count})",
    )
    return render(
        request,
        "staffing/day/secretary.html",
        {
            **_nav(day),
            "sites": page.sites,
            "premises_list": page.premises_list,
            "current": page.current,
            "cancel_form": CancelForm(),
            "now": timezone.now(),
        },
    )
