"""Small builders shared by the booking, scheduler, reminder and day-page tests."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from staffing.models import ConsultationKind, Permanence, Profession
from tests.patients.factories import PatientFactory
from tests.staffing.factories import PARIS, PermanenceFactory, ProfessionalFactory, RoomFactory

ALL_KINDS = [
    ConsultationKind.FIRST_VISIT,
    ConsultationKind.FOLLOW_UP,
    ConsultationKind.PREVENTION,
    ConsultationKind.TELECONSULTATION,
]


def future_morning(days: int = 7, hour: int = 9) -> dt.datetime:
    day = timezone.localdate() + dt.timedelta(days=days)
    return dt.datetime.combine(day, dt.time(hour, 0), tzinfo=PARIS)


def permanence(*, days: int = 7, hours: int = 2, profession=Profession.GP, kinds=None, **kwargs) -> Permanence:
    start = kwargs.pop("start", None) or future_morning(days)
    if "professional" not in kwargs:
        kwargs["professional"] = ProfessionalFactory(
            profession=profession, default_consultation_minutes=20 if profession == Profession.GP else 30
        )
    return PermanenceFactory(start=start, end=start + dt.timedelta(hours=hours), kinds=kinds or ALL_KINDS, **kwargs)


def patient(**kwargs):
    return PatientFactory(**kwargs)


def at(commune) -> dict:
    """Keyword arguments placing a permanence in a room of new premises in `commune`."""
    room = RoomFactory(premises__commune=commune)
    return {"room": room, "premises": room.premises}
