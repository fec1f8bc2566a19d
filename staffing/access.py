"""Which patient files a practitioner may open: those of the patients they hold a consultation with."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from staffing.models import Consultation

# "Holding a consultation": one already held (seen or not), or booked within this horizon.
UPCOMING_HORIZON = dt.timedelta(weeks=4)


def holds_consultation(*, user, patient_id: int, now: dt.datetime | None = None) -> bool:
    """A booked, held or missed consultation of `user`'s with the patient, past or within 4 weeks."""
    now = now or timezone.now()
    return Consultation.objects.filter(
        patient_id=patient_id,
        professional__user=user,
        status__in=Consultation.HELD_STATUSES,
        start__lt=now + UPCOMING_HORIZON,
    ).exists()
