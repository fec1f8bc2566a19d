"""Demo: disruptions handled the one way (staffing.services.disruptions), one in the past and one ahead.

- Ten days ago or so, a GP's half-day was cancelled ("Médecin malade") three days before it:
  its patients were re-proposed through the solver and came to their new time (or were
  called back by the secretaries), as the history now shows.
- Today, the IPA's training next week was recorded: her patients there have a new
  proposal to confirm, and those with no free time wait at the top of "À rappeler".

Idempotent: nothing is done when a disruption of the demo is already there.
"""

from __future__ import annotations

import datetime as dt

from django.contrib.auth import get_user_model
from django.utils import timezone

from sites.models import Premises
from staffing.models import Absence, CallBack, Consultation, ConsultationStatus, Permanence, Profession
from staffing.services import disruptions
from staffing.services.rota import cancel_permanence, record_absence

S = ConsultationStatus
PAST_REASON = "Médecin malade"
ABSENCE_NOTE = "Formation DPC (démo)"


def _coordinator():
    return get_user_model().objects.filter(username="coordination").first()


def _past_cancellation(now: dt.datetime, user) -> disruptions.DisruptionResult | None:
    """Replay, as of three days before it, the cancellation of a recent GP half-day with patients."""
    candidates = (
        Permanence.objects.active()
        .filter(
            professional__profession=Profession.GP,
            start__gte=now - dt.timedelta(days=14),
            start__lt=now - dt.timedelta(days=7),
            premises__status=Premises.Status.OPEN,
        )
        .order_by("start", "pk")
    )
    for permanence in candidates:
        held = Consultation.objects.filter(permanence=permanence, status__in=Consultation.OUTCOME_STATUSES)
        if held.count() < 3:
            continue
        then = timezone.localtime(permanence.start).replace(hour=9, minute=30) - dt.timedelta(days=3)
        # as they were then: booked, nothing recorded yet
        held.update(
            status=S.BOOKED,
            arrived_at=None,
            outcome_recorded_at=None,
            outcome_recorded_by=None,
            orientation="",
            gp_found=False,
            next_appointment_needed=False,
            outcome_note="",
        )
        result = cancel_permanence(permanence=permanence, reason=PAST_REASON, user=user, now=then)
        _what_happened_next(result, then=then, now=now, user=user)
        return result
    return None


def _what_happened_next(result, *, then, now, user) -> None:
    """The secretaries confirmed every new time the next morning; the past ones took place."""
    confirmed = then + dt.timedelta(hours=23)
    for move in result.moves:
        if move.new is not None:
            done = move.new.end < now
            seen = move.patient.status != move.patient.Status.WAITING  # the waiting list stays unseen
            Consultation.objects.filter(pk=move.new.pk).update(
                status=(S.DONE if seen else S.NO_SHOW) if done else S.BOOKED,
                confirmed_at=confirmed,
                confirmed_by=user,
                outcome_recorded_at=move.new.end if done else None,
                arrived_at=move.new.start - dt.timedelta(minutes=5) if done else None,
            )
        elif move.call_back is not None:
            CallBack.objects.filter(pk=move.call_back.pk).update(
                status=CallBack.Status.DONE,
                handled_at=confirmed,
                handled_by=user,
                outcome_note="Rappelé(e) : préfère attendre le retour de son médecin",
            )


def _absence_ahead(now: dt.datetime, user) -> disruptions.DisruptionResult | None:
    """The IPA's training next week, recorded today."""
    booked = (
        Consultation.objects.filter(
            professional__profession=Profession.IPA,
            status=S.BOOKED,
            start__gte=now + dt.timedelta(days=3),
            start__lt=now + dt.timedelta(days=14),
        )
        .select_related("professional")
        .order_by("start")
        .first()
    )
    if booked is None:
        return None
    day = timezone.localdate(booked.start)
    absence = Absence(
        professional=booked.professional, kind=Absence.Kind.TRAINING, start_date=day, end_date=day, note=ABSENCE_NOTE
    )
    return record_absence(absence=absence, user=user, now=now)


def seed(stdout=None) -> None:
    if (
        Permanence.objects.filter(cancel_reason=PAST_REASON, cancelled_at__isnull=False)
        .filter(consultations__status=S.CANCELLED, consultations__cancel_reason=PAST_REASON)
        .exists()
        or Absence.objects.filter(note=ABSENCE_NOTE).exists()
    ):
        if stdout:
            stdout.write("Perturbations de démonstration : déjà présentes.")
        return
    now = timezone.now()
    user = _coordinator()
    past = _past_cancellation(now, user)
    ahead = _absence_ahead(now, user)
    if stdout:
        stdout.write(
            "Perturbations : "
            + (f"permanence annulée il y a dix jours – {past.summary} " if past else "")
            + (f"absence de l'IPA la semaine prochaine – {ahead.summary}" if ahead else "")
        )
