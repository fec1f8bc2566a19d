"""Booking an unscheduled-care consultation from a call to the line."""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from patients.models import Call
from patients.services.calls import record_booking
from staffing.models import Consultation, ConsultationKind, Permanence
from staffing.services.booking import book_consultation


class CallAlreadyBooked(ValidationError):
    pass


@transaction.atomic
def book_from_call(*, call: Call, permanence: Permanence, start: dt.datetime, user):
    """Book the call's patient at `start` in an SNP permanence, link the consultation to the call, close the call.

    The booking itself goes through `book_consultation`, so its guarantees hold (exclusion
    constraints, SlotUnavailable when the time was just taken). The call row is locked first
    so two clicks on two different times cannot both book: one call, one consultation
    (also enforced by the consultation_one_per_call constraint).

    The consultation is linked to the call in its INSERT (book_consultation's `call`), so the
    exclusion constraints are checked once and concurrent bookings cannot deadlock.
    """
    call = Call.objects.select_for_update(of=("self",)).select_related("patient").get(pk=call.pk)
    if call.patient is None:
        raise ValidationError("Associez d'abord le patient à l'appel.")
    if ConsultationKind.SNP not in permanence.kinds:
        raise ValidationError("Cette permanence ne propose pas de soins non programmés.")
    if Consultation.objects.filter(call=call).exclude(status=Consultation.Status.CANCELLED).exists():
        raise CallAlreadyBooked("Une consultation est déjà réservée pour cet appel.")
    consultation = book_consultation(
        patient=call.patient, permanence=permanence, start=start, kind=ConsultationKind.SNP, user=user, call=call
    )
    same_day = timezone.localdate(start) == timezone.localdate(call.received_at)
    record_booking(call=call, same_day=same_day, user=user)
    return consultation
