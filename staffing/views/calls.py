"""Unscheduled-care line, staffing side: free SNP times for a call, booking from the call, the line's dashboard."""

from __future__ import annotations

import datetime as dt

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.views.decorators.http import require_GET, require_POST

from escorter.params import int_param
from escorter.roles import STAFF, Role, role_required
from patients.access import call_for_user
from patients.models import CallOutcome
from patients.models.calls import OUTCOME_CSS, OUTCOME_SHORT
from patients.selectors.calls import day_bounds, line_figures
from staffing.models import Permanence
from staffing.selectors.calls import call_booking_figures, call_consultations, sas_bookings, snp_free_times
from staffing.services.booking import SlotUnavailable
from staffing.services.calls import book_from_call

PERIODS = ((30, "30 jours"), (91, "3 mois"), (182, "6 mois"), (365, "12 mois"))
CSS_COLOURS = {
    "text-bg-danger": "#b42318",
    "text-bg-success": "#2a7f7a",
    "text-bg-primary": "#1f4e79",
    "text-bg-info": "#5fa8d3",
    "text-bg-secondary": "#667085",
    "text-bg-warning": "#b54708",
    "text-bg-light border": "#d0d5dd",
}


def _slots(request, call, *, error: str = "", just_booked: bool = False, status: int = 200):
    booked = list(call_consultations(call))
    days = [] if booked else snp_free_times(origin=call.commune)
    return render(
        request,
        "staffing/calls/_snp_slots.html",
        {
            "call": call,
            "days": days,
            "booked": booked,
            "just_booked": just_booked,
            "origin": call.commune,
            "error": error,
        },
        status=status,
    )


@role_required(*STAFF)
@require_GET
def call_sas_bookings(request):
    """The call line's panel of SNP appointments booked by the SAS regulators (today and tomorrow)."""
    return render(request, "staffing/calls/_sas_bookings.html", {"bookings": sas_bookings(), "now": timezone.now()})


@role_required(*STAFF)
@require_GET
def call_snp_slots(request, call_pk: int):
    call = call_for_user(request.user, call_pk, audit=False)
    return _slots(request, call)


def _parse_booking(request):
    try:
        permanence = Permanence.objects.select_related("premises").get(pk=int(request.POST.get("permanence", "")))
    except (ValueError, Permanence.DoesNotExist):
        raise ValidationError("Ce créneau n'existe plus : choisissez-en un autre.")
    start = parse_datetime(request.POST.get("start", "") or "")
    if start is None or timezone.is_naive(start):
        raise ValidationError("Heure de rendez-vous illisible : choisissez un créneau dans la liste.")
    return permanence, start


@role_required(*STAFF)
@require_POST
def call_book(request, call_pk: int):
    """One click on a free time books it for the call's patient (the second click, at most)."""
    call = call_for_user(request.user, call_pk, audit=False)
    try:
        permanence, start = _parse_booking(request)
        consultation = book_from_call(call=call, permanence=permanence, start=start, user=request.user)
    except (ValidationError, SlotUnavailable) as exc:
        message = " ".join(getattr(exc, "messages", None) or [str(exc)])
        if not request.htmx:
            messages.error(request, message)
            return redirect("patients:call_detail", pk=call.pk)
        return _slots(request, call, error=message)
    call.refresh_from_db()
    if not request.htmx:
        when = timezone.localtime(consultation.start)
        messages.success(request, f"Consultation réservée le {when:%d/%m/%Y à %H:%M}.")
        return redirect("patients:call_detail", pk=call.pk)
    # the confirmation carries the call's outcome: the page ticks it (static/js/calls.js)
    return _slots(request, call, just_booked=True)


@role_required(Role.COORDINATOR)
@require_GET
def call_dashboard(request):
    period = int_param(request, "jours", 30, choices=dict(PERIODS))
    last_day = timezone.localdate()
    first_day = last_day - dt.timedelta(days=period - 1)
    start, end = day_bounds(first_day, last_day)
    figures = line_figures(start=start, end=end)
    booking = call_booking_figures(start=start, end=end)
    total = figures["total"]
    open_days = sum(1 for day, _ in figures["per_day"] if day.weekday() < 6) or 1
    outcome_rows = [(value, label, n, 100 * n / total if total else 0) for value, label, n in figures["by_outcome"]]
    chart_data = {
        "days": [day.strftime("%d/%m") for day, _ in figures["per_day"]],
        "per_day": [n for _, n in figures["per_day"]],
        "hours": [f"{hour} h" for hour, _ in figures["per_hour"] if 7 <= hour <= 20],
        "per_hour": [n for hour, n in figures["per_hour"] if 7 <= hour <= 20],
        "outcomes": {
            "labels": [OUTCOME_SHORT.get(value, label) for value, label, _ in figures["by_outcome"]],
            "values": [n for _, _, n in figures["by_outcome"]],
            "colors": [CSS_COLOURS.get(OUTCOME_CSS.get(value, ""), "#d0d5dd") for value, _, _ in figures["by_outcome"]],
        },
        "communes": {
            "labels": [row["commune__name"] for row in figures["busiest_communes"]],
            "values": [row["n"] for row in figures["busiest_communes"]],
        },
    }
    return render(
        request,
        "staffing/calls/dashboard.html",
        {
            "figures": figures,
            "booking": booking,
            "period": period,
            "periods": PERIODS,
            "first_day": first_day,
            "last_day": last_day,
            "per_open_day": total / open_days,
            "vital_pct": 100 * figures["vital_share"],
            "avg_minutes": (figures["avg_duration_seconds"] or 0) / 60,
            "open_calls": total - figures["closed"],
            "outcome_rows": outcome_rows,
            "chart_data": chart_data,
            "vital": CallOutcome.VITAL_EMERGENCY,
        },
    )
