"""Booking, moving, cancelling consultations and recording what happened.

The exclusion constraints on Consultation are the real guard against double bookings:
two secretaries (or fifty threads) booking the same time both pass every check in
Python, and PostgreSQL lets exactly one insert through. The services only translate
the database's refusal into a French message (SlotUnavailable).
"""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, OperationalError, connection, transaction
from django.db.models import Q
from django.utils import timezone

from escorter.audit import record_system
from escorter.db import constraint_name, is_deadlock, save_retrying_deadlocks
from escorter.phones import format_phone
from staffing.models import (
    KIND_PROFESSIONS,
    CallBack,
    Consultation,
    ConsultationKind,
    ConsultationStatus,
    Permanence,
)
from staffing.selectors.booking import consultation_minutes

Status = ConsultationStatus

EXPIRED_REASON = "Proposition expirée"
MOVED_REASON = "Déplacée"
CANCEL_REASONS = (
    "Annulée par le patient",
    "Annulée par l'équipe",
    "Patient hospitalisé",
    "Médecin traitant trouvé",
    "Erreur de saisie",
)


class SlotUnavailable(Exception):
    """The time was taken meanwhile (or overlaps the patient's own appointment)."""

    def __init__(self, message: str = "Ce créneau vient d'être pris : choisissez un autre horaire."):
        super().__init__(message)
        self.message = message

    def __str__(self) -> str:
        return self.message


class BookingError(ValidationError):
    """A booking that makes no sense whatever the timing (wrong kind, past time, closed file…)."""


def acting_user(user):
    return user if user is not None and getattr(user, "is_authenticated", False) else None


def _translate(exc: IntegrityError) -> Exception:
    name = constraint_name(exc)
    if name == "consultation_no_patient_overlap":
        return SlotUnavailable("Ce patient a déjà un rendez-vous à cette heure-là.")
    if name == "consultation_one_proposal_per_patient":
        return SlotUnavailable("Ce patient a déjà une proposition de rendez-vous en attente.")
    if name in ("consultation_no_professional_overlap", "consultation_inside_permanence"):
        return SlotUnavailable()
    if name == "consultation_one_per_call":
        return SlotUnavailable("Une consultation est déjà réservée pour cet appel.")
    if name == "consultation_permanence_planned":
        return SlotUnavailable("Cette permanence vient d'être annulée : choisissez un autre horaire.")
    if name == "consultation_premises_open":
        return SlotUnavailable("Le local n'est pas ouvert ce jour-là : choisissez un autre horaire.")
    return exc


def _expire_overlapping_proposals(*, professional_id: int, patient_id: int, start, end, now) -> None:
    """Expired proposals still hold their range in the constraint until flipped: flip those in the way."""
    Consultation.objects.filter(status=Status.PROPOSED, expires_at__lte=now, start__lt=end, end__gt=start).filter(
        Q(professional_id=professional_id) | Q(patient_id=patient_id)
    ).update(status=Status.CANCELLED, cancel_reason=EXPIRED_REASON, cancelled_at=now)


def _check_bookable(*, patient, permanence: Permanence, start: dt.datetime, kind: str, now) -> dt.datetime:
    if kind not in ConsultationKind.values:
        raise BookingError("Motif de consultation inconnu.")
    if not patient.is_active:
        raise BookingError("Le dossier de ce patient est clos : rouvrez-le avant de prendre rendez-vous.")
    if permanence.status != Permanence.Status.PLANNED:
        raise SlotUnavailable("Cette permanence a été annulée : choisissez un autre horaire.")
    if kind not in permanence.kinds:
        raise BookingError(f"Cette permanence ne propose pas de « {ConsultationKind(kind).label} ».")
    if permanence.professional.profession not in KIND_PROFESSIONS.get(kind, ()):
        raise BookingError(f"{permanence.professional} ne peut pas assurer une « {ConsultationKind(kind).label} ».")
    if timezone.is_naive(start):
        raise BookingError("Heure de rendez-vous sans fuseau horaire.")
    if start < now:
        raise SlotUnavailable("Cet horaire est déjà passé : choisissez un autre créneau.")
    end = start + dt.timedelta(minutes=consultation_minutes(permanence.professional, kind))
    if start < permanence.start or end > permanence.end:
        raise BookingError("Cet horaire est en dehors de la permanence.")
    return end


def _insert(consultation: Consultation) -> Consultation:
    """Insert and translate the constraint that refused it (see save_retrying_deadlocks)."""
    try:
        return save_retrying_deadlocks(consultation)
    except IntegrityError as exc:
        raise _translate(exc) from exc
    except OperationalError as exc:
        if is_deadlock(exc):
            raise SlotUnavailable() from exc
        raise


@transaction.atomic
def book_consultation(
    *,
    patient,
    permanence: Permanence,
    start: dt.datetime,
    kind: str,
    user,
    now: dt.datetime | None = None,
    call=None,
    rescheduled_from: Consultation | None = None,
    source: str = Consultation.Source.TEAM,
) -> Consultation:
    """Book `patient` at `start` in `permanence`. Raises SlotUnavailable if the time was taken meanwhile.

    No lock is taken: the exclusion constraints decide between concurrent bookings. `call`
    (the unscheduled-care call it comes from) and `rescheduled_from` are set on the INSERT
    itself: a later UPDATE of the new row would re-check the exclusion constraints and could
    deadlock with a concurrent insert waiting on that row.
    """
    now = now or timezone.now()
    permanence = Permanence.objects.select_related("professional", "premises").get(pk=permanence.pk)
    end = _check_bookable(patient=patient, permanence=permanence, start=start, kind=kind, now=now)
    _expire_overlapping_proposals(
        professional_id=permanence.professional_id, patient_id=patient.pk, start=start, end=end, now=now
    )
    by = acting_user(user)
    consultation = _insert(
        Consultation(
            patient=patient,
            permanence=permanence,
            professional=permanence.professional,
            start=start,
            end=end,
            kind=kind,
            status=Status.BOOKED,
            created_at=now,
            created_by=by,
            confirmed_at=now,
            confirmed_by=by,
            call=call,
            rescheduled_from=rescheduled_from,
            source=source,
        )
    )
    record_system("create", object_type="staffing.Consultation", object_id=consultation.pk, user=by)
    # a patient waiting to be called back after a disruption has their appointment now
    CallBack.objects.filter(patient=patient, status=CallBack.Status.OPEN).update(
        status=CallBack.Status.DONE, handled_at=now, handled_by=by, outcome_note="Nouveau rendez-vous réservé"
    )
    return consultation


def not_before_its_day(consultation: Consultation, now: dt.datetime) -> None:
    day = timezone.localdate(consultation.start)
    if day > timezone.localdate(now):
        raise BookingError(f"Ce rendez-vous a lieu le {day:%d/%m/%Y} : rien ne peut être noté avant ce jour-là.")


def refill_after_commit(permanence_ids) -> None:
    """Once the transaction commits, offer the freed time to the waiting list (staffing.tasks.refill_freed_time)."""
    ids = sorted({pk for pk in permanence_ids if pk})
    if not ids:
        return

    def enqueue():
        from staffing import tasks

        tasks.refill_freed_time.delay(permanence_ids=ids)

    transaction.on_commit(enqueue)


def lock_consultation(consultation: Consultation) -> Consultation:
    return Consultation.objects.select_for_update().select_related("patient", "professional").get(pk=consultation.pk)


@transaction.atomic
def move_consultation(
    *, consultation: Consultation, permanence: Permanence, start: dt.datetime, user, now: dt.datetime | None = None
) -> Consultation:
    """Move to another time: the old row is cancelled ("Déplacée") and a new one booked, atomically.

    If the new time is taken, nothing changes (the whole transaction rolls back).
    """
    now = now or timezone.now()
    current = lock_consultation(consultation)
    if current.status not in Consultation.UPCOMING_STATUSES:
        raise BookingError("Seul un rendez-vous à venir peut être déplacé.")
    current.status = Status.CANCELLED
    current.cancel_reason = MOVED_REASON
    current.cancelled_at = now
    current.cancelled_by = acting_user(user)
    current.save(update_fields=["status", "cancel_reason", "cancelled_at", "cancelled_by"])
    refill_after_commit([current.permanence_id])
    return book_consultation(
        patient=current.patient,
        permanence=permanence,
        start=start,
        kind=current.kind,
        user=user,
        now=now,
        call=current.call,
        rescheduled_from=current,
        source=current.source,
    )


@transaction.atomic
def cancel_consultation(
    *, consultation: Consultation, reason: str, user, now: dt.datetime | None = None
) -> Consultation:
    reason = (reason or "").strip()
    if not reason:
        raise BookingError({"reason": "Indiquez le motif de l'annulation."})
    current = lock_consultation(consultation)
    if current.status not in Consultation.UPCOMING_STATUSES:
        raise BookingError("Ce rendez-vous n'est plus modifiable.")
    current.status = Status.CANCELLED
    current.cancel_reason = reason[:250]
    current.cancelled_at = now or timezone.now()
    current.cancelled_by = acting_user(user)
    current.save(update_fields=["status", "cancel_reason", "cancelled_at", "cancelled_by"])
    if current.end > current.cancelled_at:
        refill_after_commit([current.permanence_id])
    return current


@transaction.atomic
def confirm_proposal(*, consultation: Consultation, user, now: dt.datetime | None = None) -> Consultation:
    """The secretary called the patient, who accepts the scheduler's proposal."""
    now = now or timezone.now()
    current = lock_consultation(consultation)
    if current.status != Status.PROPOSED:
        raise BookingError("Cette proposition a déjà été traitée.")
    if current.expires_at <= now:
        raise SlotUnavailable("Cette proposition a expiré : reprenez rendez-vous.")
    # FOR SHARE: a cancellation of the permanence waits for this confirmation, then moves it
    with connection.cursor() as cursor:
        cursor.execute("SELECT status FROM staffing_permanence WHERE id = %s FOR SHARE", [current.permanence_id])
        (status,) = cursor.fetchone()
    if status != Permanence.Status.PLANNED:
        raise SlotUnavailable("La permanence de cette proposition a été annulée : reprenez rendez-vous.")
    current.status = Status.BOOKED
    current.confirmed_at = now
    current.confirmed_by = acting_user(user)
    current.save(update_fields=["status", "confirmed_at", "confirmed_by"])
    return current


def reject_proposal(*, consultation: Consultation, user, reason: str = "Refusée par le patient") -> Consultation:
    return cancel_consultation(consultation=consultation, reason=reason, user=user)


def expire_proposals(*, now: dt.datetime | None = None, refill: bool = True) -> int:
    """Proposals nobody confirmed in time are withdrawn and their time freed (and refilled, unless
    the caller is a scheduler run itself)."""
    now = now or timezone.now()
    with transaction.atomic():
        expired = Consultation.objects.filter(status=Status.PROPOSED, expires_at__lte=now)
        freed = list(expired.filter(end__gt=now).values_list("permanence_id", flat=True).distinct()) if refill else []
        count = expired.update(status=Status.CANCELLED, cancel_reason=EXPIRED_REASON, cancelled_at=now)
        refill_after_commit(freed)
    return count


# --- Confirmation text (printable and SMS) ---------------------------------------------------


def confirmation_text(consultation: Consultation, *, short: bool = False) -> str:
    """What the patient is told: when, who, where, how to get in. `short` fits one or two SMS."""
    start = timezone.localtime(consultation.start)
    premises = consultation.permanence.premises
    weekday = ("lundi", "mardi", "mercredi", "jeudi", "vendredi", "samedi", "dimanche")[start.weekday()]
    when = f"{weekday} {start:%d/%m/%Y} à {start:%H:%M}"
    address = f"{premises.address}, {premises.postal_code} {premises.commune.name}".strip(", ")
    team_phone = format_phone(settings.ESCORTER_TEAM_PHONE)
    if short:
        return (
            f"Escorter : RDV {when} avec {consultation.professional}, {premises.name}, {address}. "
            f"Empêché ? Prévenez-nous au {team_phone} pour libérer la place."
        )
    lines = [
        f"Rendez-vous : {ConsultationKind(consultation.kind).label}",
        f"Le {when} ({consultation.minutes} min)",
        f"Avec : {consultation.professional}",
        f"Lieu : {premises.name}",
        f"Adresse : {address}",
    ]
    room = consultation.permanence.room
    if room is not None:
        step_free = "accessible en fauteuil roulant" if room.wheelchair_accessible else "non accessible en fauteuil"
        lines.append(f"Salle : {room.name} ({step_free})")
    if premises.notes:
        lines.append(f"Accès : {' '.join(premises.notes.split())}")
    lines.append("Apportez votre carte Vitale, vos ordonnances et vos derniers résultats d'examens.")
    lines.append(
        f"En cas d'empêchement, prévenez le secrétariat au {team_phone} pour que la place profite à un autre patient."
    )
    return "\n".join(lines)
