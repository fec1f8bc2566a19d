"""Booking from the patient page (three clicks), moving, cancelling, confirmations, scheduler proposals."""

from __future__ import annotations

import datetime as dt

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.views.decorators.http import require_POST

from escorter.audit import describe_query, record
from escorter.models import TaskRun
from escorter.params import int_param
from escorter.roles import CARE_TEAM, STAFF, Role, has_role, role_required
from escorter.sms import SmsError
from escorter.taskruns import enqueue
from patients.access import patient_for_user
from staffing import tasks
from staffing.access import consultation_for_user
from staffing.filters import ProposalFilter
from staffing.forms.booking import CancelForm
from staffing.models import Consultation, ConsultationKind, ConsultationStatus, Permanence
from staffing.selectors import booking as selectors
from staffing.selectors.day import proposals
from staffing.services import booking as services
from staffing.services import outcomes
from staffing.services.booking import BookingError, SlotUnavailable
from staffing.services.reminders import send_confirmation

PROPOSALS_PER_PAGE = 50


def _error_text(exc: Exception) -> str:
    if isinstance(exc, ValidationError):
        return " ".join(exc.messages)
    return str(exc)


def _moving(request, patient) -> Consultation | None:
    move_id = request.GET.get("move") or request.POST.get("move") or ""
    if not move_id:
        return None
    consultation = consultation_for_user(request.user, move_id)
    if consultation.patient_id != patient.pk:
        raise Http404("Ce rendez-vous n'appartient pas à ce patient.")
    return consultation


def _kind(request, patient, moving) -> str:
    if moving is not None:
        return moving.kind
    kind = request.GET.get("kind") or request.POST.get("kind") or ""
    if kind in ConsultationKind.values and kind != ConsultationKind.SNP:
        return kind
    return selectors.needed_kind(patient, seen_before=selectors.patient_seen_before(patient))


# --- click 1: the free times that suit the patient -------------------------------------------


@role_required(*STAFF)
def book_for_patient(request, pk: int):
    patient = patient_for_user(request.user, pk, request=request)
    moving = _moving(request, patient)
    kind = _kind(request, patient, moving)
    sites = selectors.booking_options(patient=patient, kind=kind, ignore=moving)
    return render(
        request,
        "staffing/booking/book.html",
        {
            "patient": patient,
            "kind": kind,
            "kind_label": ConsultationKind(kind).label,
            "kinds": selectors.kind_choices_for_booking(),
            "sites": sites,
            "moving": moving,
            "closed": not patient.is_active,
            "upcoming": [] if moving else selectors.upcoming_for_patient(patient),
        },
    )


# --- click 2 (summary) and click 3 (confirm) -------------------------------------------------


@role_required(*STAFF)
def book_confirm(request, pk: int):
    patient = patient_for_user(request.user, pk, request=request)
    moving = _moving(request, patient)
    kind = _kind(request, patient, moving)
    data = request.POST if request.method == "POST" else request.GET
    permanence = get_object_or_404(
        Permanence.objects.select_related("professional", "premises__commune", "room"),
        pk=data.get("permanence") if str(data.get("permanence", "")).isdigit() else 0,
    )
    start = parse_datetime(data.get("start", "") or "")
    if start is None or timezone.is_naive(start):
        messages.error(request, "Horaire invalide : choisissez un créneau dans la liste.")
        return redirect(reverse("staffing:book_for_patient", args=[patient.pk]))
    back = reverse("staffing:book_for_patient", args=[patient.pk]) + (
        f"?move={moving.pk}" if moving else f"?kind={kind}"
    )
    if request.method == "POST":
        try:
            if moving is not None:
                consultation = services.move_consultation(
                    consultation=moving, permanence=permanence, start=start, user=request.user
                )
                messages.success(request, "Rendez-vous déplacé.")
            else:
                consultation = services.book_consultation(
                    patient=patient, permanence=permanence, start=start, kind=kind, user=request.user
                )
                messages.success(request, "Rendez-vous réservé.")
        except (SlotUnavailable, BookingError) as exc:
            messages.error(request, _error_text(exc))
            return redirect(back)
        return redirect("staffing:consultation_detail", pk=consultation.pk)
    end = start + dt.timedelta(minutes=selectors.consultation_minutes(permanence.professional, kind))
    return render(
        request,
        "staffing/booking/confirm.html",
        {
            "patient": patient,
            "permanence": permanence,
            "start": start,
            "end": end,
            "kind": kind,
            "kind_label": ConsultationKind(kind).label,
            "moving": moving,
            "back": back,
            "distance": selectors.distance_between(patient, permanence),
            "problem": selectors.slot_problem(permanence, start, end, patient=patient, ignore=moving),
        },
    )


# --- the patient page's consultations ---------------------------------------------------------


@role_required(*CARE_TEAM)
def patient_consultations(request, pk: int):
    """htmx fragment on the patient page: past and upcoming consultations with their actions."""
    patient = patient_for_user(request.user, pk, request=request)
    return render(
        request,
        "staffing/booking/_patient_consultations.html",
        {
            "patient": patient,
            "consultations": selectors.patient_consultations(patient),
            "can_book": has_role(request.user, *STAFF),
            "cancel_form": CancelForm(),
            "now": timezone.now(),
        },
    )


@role_required(*STAFF)
def consultation_detail(request, pk: int):
    """The confirmation: printable text, SMS text and its sending."""
    consultation = consultation_for_user(request.user, pk, request=request)
    return render(
        request,
        "staffing/booking/consultation.html",
        {
            "consultation": consultation,
            "patient": consultation.patient,
            "text": services.confirmation_text(consultation),
            "sms_text": services.confirmation_text(consultation, short=True),
            "cancel_form": CancelForm(),
        },
    )


def _back_to(request, consultation) -> str:
    target = request.POST.get("next", "")
    if target.startswith("/") and not target.startswith("//"):
        return target
    return reverse("patients:patient_detail", args=[consultation.patient_id])


def _action(request, pk: int, action, success: str):
    consultation = consultation_for_user(request.user, pk, request=request)
    try:
        action(consultation)
    except (SlotUnavailable, BookingError) as exc:
        messages.error(request, _error_text(exc))
    else:
        messages.success(request, success)
    return redirect(_back_to(request, consultation))


@require_POST
@role_required(*STAFF)
def consultation_cancel(request, pk: int):
    form = CancelForm(request.POST)
    if not form.is_valid():
        consultation = consultation_for_user(request.user, pk, request=request)
        messages.error(request, "Choisissez le motif de l'annulation.")
        return redirect(_back_to(request, consultation))
    return _action(
        request,
        pk,
        lambda c: services.cancel_consultation(consultation=c, reason=form.reason_text(), user=request.user),
        "Rendez-vous annulé : le créneau est libéré.",
    )


@require_POST
@role_required(*STAFF)
def consultation_no_show(request, pk: int):
    return _action(
        request, pk, lambda c: outcomes.mark_no_show(consultation=c, user=request.user), "Absence enregistrée."
    )


@require_POST
@role_required(*STAFF)
def consultation_arrived(request, pk: int):
    return _action(
        request, pk, lambda c: outcomes.mark_arrived(consultation=c, user=request.user), "Arrivée enregistrée."
    )


@require_POST
@role_required(*STAFF)
def proposal_confirm(request, pk: int):
    return _action(
        request,
        pk,
        lambda c: services.confirm_proposal(consultation=c, user=request.user),
        "Proposition confirmée : le rendez-vous est réservé.",
    )


@require_POST
@role_required(*STAFF)
def proposal_reject(request, pk: int):
    return _action(
        request,
        pk,
        lambda c: services.reject_proposal(consultation=c, user=request.user),
        "Proposition refusée : le créneau est libéré.",
    )


@require_POST
@role_required(*STAFF)
def consultation_send_sms(request, pk: int):
    consultation = consultation_for_user(request.user, pk, request=request)
    patient = consultation.patient
    if not (patient.sms_consent and patient.phone):
        raise PermissionDenied("Ce patient n'a pas accepté les SMS.")
    try:
        send_confirmation(consultation=consultation)
    except SmsError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, f"SMS de confirmation envoyé au {patient.phone}.")
    return redirect("staffing:consultation_detail", pk=consultation.pk)


# --- The scheduler -----------------------------------------------------------------------------


@role_required(*STAFF)
def scheduler(request):
    runs = TaskRun.objects.filter(task_name=tasks.schedule_consultations.name).order_by("-created_at")
    run_id = int_param(request, "run")
    last_run = (runs.filter(pk=run_id) if run_id else runs).first()
    # live proposals are bounded by the free time of a few days, not by the registry: a counted paginator
    filterset = ProposalFilter(request.GET, queryset=proposals())
    queryset = filterset.qs if filterset.is_valid() else proposals().none()
    page = Paginator(queryset, PROPOSALS_PER_PAGE).get_page(request.GET.get("page"))
    record(
        request,
        "view",
        object_type="staffing.Consultation",
        detail=f"propositions ({len(page.object_list)}/{page.paginator.count}) {describe_query(request.GET)}"[:500],
    )
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "staffing/booking/scheduler.html",
        {
            "filter": filterset,
            "page": page,
            "query_string": query.urlencode(),
            "last_run": last_run,
            "can_run": has_role(request.user, Role.COORDINATOR),
            "status": ConsultationStatus,
        },
    )


@require_POST
@role_required(Role.COORDINATOR)
def scheduler_run(request):
    run = enqueue(tasks.schedule_consultations, user=request.user, user_id=request.user.pk)
    messages.info(request, "Planification lancée.")
    return redirect(reverse("staffing:scheduler") + f"?run={run.pk}")
