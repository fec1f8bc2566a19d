"""Day-to-day safety: nothing noted before the day, a recorded outcome changed only on purpose, with history."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from staffing.models import Consultation, ConsultationKind, OutcomeChange
from staffing.services import BookingError, book_consultation, mark_arrived, record_outcome
from tests.staffing.booking_helpers import patient, permanence

pytestmark = pytest.mark.django_db


def _booked(days=1):
    perm = permanence(days=days)
    return book_consultation(
        patient=patient(), permanence=perm, start=perm.start, kind=ConsultationKind.FIRST_VISIT, user=None
    )


def test_an_arrival_cannot_be_recorded_before_the_consultation_day():
    consultation = _booked(days=1)
    with pytest.raises(BookingError, match="rien ne peut être noté avant ce jour-là"):
        mark_arrived(consultation=consultation, user=None)
    same_day = timezone.localtime(consultation.start).replace(hour=7, minute=0)
    assert mark_arrived(consultation=consultation, user=None, now=same_day).arrived_at == same_day


def test_a_recorded_absence_is_not_silently_turned_into_seen():
    consultation = _booked(days=1)
    after = consultation.end + dt.timedelta(minutes=5)
    record_outcome(consultation=consultation, user=None, seen=False, now=after)
    with pytest.raises(BookingError, match="indiquez le motif de la correction"):
        record_outcome(consultation=consultation, user=None, seen=True, now=after)
    assert Consultation.objects.get(pk=consultation.pk).status == Consultation.Status.NO_SHOW
    record_outcome(consultation=consultation, user=None, seen=True, amend_reason="Arrivé en retard", now=after)
    change = OutcomeChange.objects.get()
    assert (change.from_status, change.to_status, change.reason) == ("no_show", "done", "Arrivé en retard")


def test_editing_only_the_note_of_a_recorded_outcome_needs_no_reason():
    consultation = _booked(days=1)
    after = consultation.end + dt.timedelta(minutes=5)
    record_outcome(consultation=consultation, user=None, seen=True, now=after)
    record_outcome(consultation=consultation, user=None, seen=True, note="Bilan sanguin prescrit", now=after)
    assert not OutcomeChange.objects.exists()
