"""What happened at a consultation: arrival, no-show, the practitioner's outcome and its amendments."""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.utils import timezone

from staffing.models import Consultation, ConsultationStatus, OutcomeChange
from staffing.services.booking import (
    BookingError,
    acting_user,
    lock_consultation,
    not_before_its_day,
    refill_after_commit,
)

Status = ConsultationStatus


@transaction.atomic
def mark_arrived(*, consultation: Consultation, user, now: dt.datetime | None = None) -> Consultation:
    now = now or timezone.now()
    current = lock_consultation(consultation)
    if current.status != Status.BOOKED:
        raise BookingError("Seul un rendez-vous réservé peut être pointé.")
    not_before_its_day(current, now)
    current.arrived_at = now
    current.save(update_fields=["arrived_at"])
    return current


@transaction.atomic
def mark_no_show(*, consultation: Consultation, user, now: dt.datetime | None = None) -> Consultation:
    now = now or timezone.now()
    current = lock_consultation(consultation)
    if current.status != Status.BOOKED:
        raise BookingError("Seul un rendez-vous réservé peut être noté absent.")
    if current.start > now:
        raise BookingError("Le rendez-vous n'a pas encore commencé.")
    current.status = Status.NO_SHOW
    current.arrived_at = None
    current.outcome_recorded_at = now
    current.outcome_recorded_by = acting_user(user)
    current.save(update_fields=["status", "arrived_at", "outcome_recorded_at", "outcome_recorded_by"])
    refill_after_commit([current.permanence_id])  # what is left of the permanence today
    return current


@transaction.atomic
def record_outcome(
    *,
    consultation: Consultation,
    user,
    seen: bool = True,
    orientation: str = "",
    gp_found: bool = False,
    new_gp_name: str = "",
    new_gp_rpps: str = "",
    next_appointment_needed: bool = False,
    note: str = "",
    amend_reason: str = "",
    now: dt.datetime | None = None,
) -> Consultation:
    """The practitioner's one form: seen or not, orientation, new GP found, next appointment needed.

    An outcome already recorded (seen, absent, orientation, GP found) changes only with
    `amend_reason`, and the change is kept in OutcomeChange; the note alone may be edited.

    "New GP found" moves the patient to gp_found through the patients app's own service,
    in the same transaction: both commit or neither.
    """
    from patients.models import Patient
    from patients.services import change_status

    now = now or timezone.now()
    current = lock_consultation(consultation)
    if current.status not in Consultation.HELD_STATUSES:
        raise BookingError("Ce rendez-vous n'a pas eu lieu : impossible d'en saisir le compte rendu.")
    if current.start > now:
        raise BookingError("Le rendez-vous n'a pas encore commencé.")
    not_before_its_day(current, now)
    if gp_found and not seen:
        raise BookingError({"gp_found": "Un patient absent ne peut pas être noté « médecin traitant trouvé »."})
    _keep_history(
        current,
        seen=seen,
        orientation=orientation if seen else "",
        gp_found=gp_found,
        reason=amend_reason,
        user=user,
        now=now,
    )
    current.status = Status.DONE if seen else Status.NO_SHOW
    current.orientation = orientation if seen else ""
    current.gp_found = bool(gp_found)
    current.next_appointment_needed = bool(next_appointment_needed) and seen
    current.outcome_note = (note or "").strip()
    current.outcome_recorded_at = now
    current.outcome_recorded_by = acting_user(user)
    current.save()
    patient = current.patient
    if gp_found and patient.status != Patient.Status.GP_FOUND:
        change_status(
            patient=patient,
            to_status=Patient.Status.GP_FOUND,
            user=user,
            note=f"Consultation du {timezone.localtime(current.start):%d/%m/%Y}",
            new_gp_name=new_gp_name,
            new_gp_rpps=new_gp_rpps,
        )
    elif seen and patient.status == Patient.Status.WAITING:
        change_status(patient=patient, to_status=Patient.Status.IN_CARE, user=user, note="Première consultation")
    return current


def _keep_history(current: Consultation, *, seen, orientation, gp_found, reason, user, now) -> None:
    """A recorded outcome is only overwritten on purpose, and the overwrite is written down."""
    if current.status not in Consultation.OUTCOME_STATUSES:
        return
    status = Status.DONE if seen else Status.NO_SHOW
    if (status, orientation, bool(gp_found)) == (current.status, current.orientation, current.gp_found):
        return
    reason = (reason or "").strip()
    if not reason:
        raise BookingError(
            f"Un compte rendu « {Status(current.status).label} » est déjà enregistré : "
            "indiquez le motif de la correction pour le modifier."
        )
    OutcomeChange.objects.create(
        consultation=current,
        from_status=current.status,
        to_status=status,
        from_orientation=current.orientation,
        to_orientation=orientation,
        reason=reason[:250],
        at=now,
        by=acting_user(user),
    )
