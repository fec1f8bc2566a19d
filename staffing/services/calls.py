"""Booking an unscheduled-care consultation from a call to the line."""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import ValidationError
from django.db import IntegrityError, OperationalError, transaction
from django.utils import timezone

from patients.models import Call
from patients.services.calls import record_booking
from staffing.models import Consultation, ConsultationKind, Permanence
from staffing.services.booking import SlotUnavailable, book_consultation

DEADLOCK_DETECTED = "40P01"


class CallAlreadyBooked(ValidationError):
    pass


@transaction.atomic
def book_from_call(*, call: Call, permanence: Permanence, start: dt.datetime, user):
    """Book the call's patient at `start` in an SNP permanence, link the consultation to the call, close the call.

    The booking itself goes through `book_consultation`, so its guarantees hold (exclusion
    constraints, SlotUnavailable when the time was just taken). The call row is locked first
    so two clicks on two different times cannot both book: one call, one consultation
    (also enforced by the consultation_one_per_call constraint).

    Lock order: call, then permanence. Linking the call is an UPDATE of the new row, and an
    UPDATE re-checks the exclusion constraints: a concurrent insert waiting on our row would
    then wait for us while we wait for it (deadlock). Holding the permanence row makes
    bookings from calls on the same permanence queue up instead; a deadlock with some other
    booking path is still reported as "time taken", never as an error page.
    """
    call = Call.objects.select_for_update(of=("self",)).select_related("patient").get(pk=call.pk)
    permanence = Permanence.objects.select_for_update().get(pk=permanence.pk)
    if call.patient is None:
        raise ValidationError("Associez d'abord le patient à l'appel.")
    if ConsultationKind.SNP not in permanence.kinds:
        raise ValidationError("Cette permanence ne propose pas de soins non programmés.")
    if Consultation.objects.filter(call=call).exclude(status=Consultation.Status.CANCELLED).exists():
        raise CallAlreadyBooked("Une consultation est déjà réservée pour cet appel.")
    consultation = book_consultation(
        patient=call.patient, permanence=permanence, start=start, kind=ConsultationKind.SNP, user=user
    )
    consultation.call = call
    try:
        with transaction.atomic():
            consultation.save(update_fields=["call"])
    except IntegrityError as exc:
        raise CallAlreadyBooked("Une consultation est déjà réservée pour cet appel.") from exc
    except OperationalError as exc:
        if getattr(exc.__cause__, "sqlstate", None) == DEADLOCK_DETECTED:
            raise SlotUnavailable() from exc
        raise
    same_day = timezone.localdate(start) == timezone.localdate(call.received_at)
    record_booking(call=call, same_day=same_day, user=user)
    return consultation
