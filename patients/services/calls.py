"""Logging calls to the unscheduled-care line: open at once, save as you type, close with an outcome."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import transaction
from django.utils import timezone

from patients.models import Call, CallerKind, CallOutcome, Patient
from patients.models.calls import EMPTY_CALL, EMPTY_CALL_KEPT, MAX_CALL_SECONDS
from patients.services.registry import create_patient

# Fields a secretary edits on the call screen (the rest is set by the services).
EDITABLE_FIELDS = (
    "caller_kind",
    "caller_name",
    "caller_phone",
    "commune",
    "category",
    "reason",
    "outcome",
    "duration_seconds",
    "follow_up_note",
)


def _user(user):
    return user if user is not None and user.is_authenticated else None


@transaction.atomic
def open_call(*, user, received_at: dt.datetime | None = None, caller_phone: str = "") -> Call:
    """The phone rings: the call exists from this moment, even if the caller hangs up right away."""
    return Call.objects.create(
        received_at=received_at or timezone.now(),
        handled_by=_user(user),
        caller_phone=caller_phone,
    )


def discard_empty_calls(*, now: dt.datetime | None = None) -> int:
    """Delete the calls opened by mistake (nothing typed, no patient, no outcome) for more than
    EMPTY_CALL_KEPT: they never reach the log or the figures, and do not pile up as "non saisie".

    One DELETE: a call someone starts filling in meanwhile no longer matches EMPTY_CALL.
    """
    limit = (now or timezone.now()) - EMPTY_CALL_KEPT
    deleted, _ = Call.objects.filter(EMPTY_CALL, created_at__lt=limit).delete()
    return deleted


def _apply_outcome(call: Call, now: dt.datetime) -> None:
    if call.outcome and call.closed_at is None:
        call.closed_at = now
    elif not call.outcome:
        call.closed_at = None
    if call.outcome and call.duration_seconds is None:
        # The screen's timer normally sends the duration; without it, count from the ring.
        elapsed = int((now - call.received_at).total_seconds())
        call.duration_seconds = max(0, min(elapsed, MAX_CALL_SECONDS))


@transaction.atomic
def save_call(*, call: Call, user, values: dict[str, Any]) -> Call:
    """Write the fields of `values` (already validated by the form) onto the call; returns the saved row.

    Used both by the screen's autosave (only the fields that are valid so far) and by the
    final "Enregistrer": a field absent from `values` keeps what was saved before.

    The row is re-read under lock: a booking made from the call may have closed it a moment
    ago, and an autosave sent before the screen knew must not erase that outcome. An empty
    outcome therefore never clears a recorded one (the screen cannot unselect it anyway).
    """
    locked = Call.objects.select_for_update(of=("self",)).select_related("patient", "commune").get(pk=call.pk)
    for name, value in values.items():
        if name not in EDITABLE_FIELDS:
            raise ValueError(f"{name} is not editable on a call")
        if name == "outcome" and not value:
            continue
        setattr(locked, name, "" if value is None and name not in ("commune", "duration_seconds") else value)
    if locked.handled_by_id is None:
        locked.handled_by = _user(user)
    _apply_outcome(locked, timezone.now())
    locked.full_clean(exclude=["patient", "handled_by"])
    locked.save()
    return locked


@transaction.atomic
def attach_patient(*, call: Call, patient: Patient, user) -> Call:
    """The caller is (or calls for) a known patient: link the file and fill in what the file knows."""
    call.patient = patient
    if not call.commune_id and patient.commune_id:
        call.commune_id = patient.commune_id
    if not call.caller_phone and patient.phone:
        call.caller_phone = patient.phone
    if call.caller_kind == CallerKind.UNKNOWN:
        call.caller_kind = CallerKind.PATIENT
    call.save(update_fields=["patient", "commune", "caller_phone", "caller_kind", "updated_at"])
    return call


@transaction.atomic
def detach_patient(*, call: Call, user) -> Call:
    call.patient = None
    call.save(update_fields=["patient", "updated_at"])
    return call


@transaction.atomic
def quick_create_patient(
    *,
    call: Call,
    user,
    last_name: str,
    first_names: str,
    birth_date: dt.date,
    phone: str = "",
    commune=None,
    sex: str = "",
) -> Patient:
    """A caller the registry does not know yet: minimal identity, on the waiting list, linked to the call.

    The line is also how the team finds fragile people without a GP (seed 002: "recenser
    les situations prioritaires ... et de les réintégrer à la patientèle").
    """
    patient = create_patient(
        user=user,
        last_name=last_name,
        first_names=first_names,
        birth_date=birth_date,
        phone=phone,
        commune=commune or call.commune,
        sex=sex,
        referral_source=Patient.ReferralSource.SELF,
        notes=f"Inscrit depuis la ligne de soins non programmés ({call}).",
    )
    attach_patient(call=call, patient=patient, user=user)
    return patient


@transaction.atomic
def record_booking(*, call: Call, same_day: bool, user) -> Call:
    """A consultation was booked from the call: close it with the matching outcome unless already triaged.

    Called by the booking side (staffing) inside its own transaction, so the call and the
    consultation commit together.
    """
    call = Call.objects.select_for_update().get(pk=call.pk)
    if not call.outcome or call.outcome in (CallOutcome.SAME_DAY, CallOutcome.WITHIN_48H):
        call.outcome = CallOutcome.SAME_DAY if same_day else CallOutcome.WITHIN_48H
        _apply_outcome(call, timezone.now())
        call.save(update_fields=["outcome", "closed_at", "duration_seconds", "updated_at"])
    return call
