"""The demo calls look like seed 002's line: volumes, opening hours, a third booked, a few % to the 15."""

from __future__ import annotations

import datetime as dt
import random
from collections import Counter
from zoneinfo import ZoneInfo

import pytest

from staffing.demo_calls import generate_calls

PARIS = ZoneInfo("Europe/Paris")


@pytest.fixture(scope="module")
def year_of_calls():
    return generate_calls(
        rng=random.Random(3),
        first_day=dt.date(2025, 1, 1),
        last_day=dt.date(2025, 12, 31),
        communes=[(1, 60_000), (2, 20_000)],
        population=80_000,
    )


def test_a_year_for_80000_people_is_about_5800_calls(year_of_calls):
    assert 5400 <= len(year_of_calls) <= 6200


def test_about_a_third_are_triaged_for_a_consultation_and_a_few_percent_to_the_15(year_of_calls):
    outcomes = Counter(c.outcome for c in year_of_calls)
    n = len(year_of_calls)
    assert 0.30 <= (outcomes["same_day"] + outcomes["within_48h"]) / n <= 0.42
    assert 0.015 <= outcomes["vital_emergency"] / n <= 0.05
    assert 0 < outcomes[""] / n < 0.04  # hung up before any decision


def test_calls_come_in_opening_hours_never_on_sunday(year_of_calls):
    local = [c.received_at.astimezone(PARIS) for c in year_of_calls]
    assert all(t.weekday() != 6 for t in local)
    assert all(8 <= t.hour <= 18 for t in local)
    assert all(t.hour < 12 for t in local if t.weekday() == 5)
    assert year_of_calls == sorted(year_of_calls, key=lambda c: c.received_at)


def test_the_line_is_closed_on_public_holidays(year_of_calls):
    days = {c.received_at.astimezone(PARIS).date() for c in year_of_calls}
    assert dt.date(2025, 7, 14) not in days and dt.date(2025, 12, 25) not in days
    assert dt.date(2025, 7, 15) in days


def test_callers_come_from_communes_in_proportion_to_their_population(year_of_calls):
    communes = Counter(c.commune_id for c in year_of_calls)
    assert 2.5 <= communes[1] / communes[2] <= 3.5


def test_nothing_is_generated_after_now():
    until = dt.datetime(2025, 3, 3, 10, 0, tzinfo=PARIS)
    calls = generate_calls(
        rng=random.Random(1),
        first_day=dt.date(2025, 3, 3),
        last_day=dt.date(2025, 3, 3),
        communes=[(1, 1)],
        population=200_000,
        until=until,
    )
    assert calls and all(c.received_at < until for c in calls)


def test_consultation_calls_always_name_a_patient(year_of_calls):
    assert all(c.identified for c in year_of_calls if c.outcome in ("same_day", "within_48h"))
    assert not any(c.identified for c in year_of_calls if not c.outcome)


@pytest.mark.django_db
def test_seeding_books_consultations_inside_snp_permanences_linked_to_their_calls():
    from django.utils import timezone

    from patients.models import Call
    from staffing import demo_calls
    from staffing.models import Consultation, ConsultationKind
    from tests.factories import CommuneFactory, make_user
    from tests.patients.factories import PatientFactory
    from tests.staffing.factories import PermanenceFactory, RoomFactory

    commune = CommuneFactory(population=80_000)
    make_user("secretary", username="secretariat")
    for _ in range(30):
        PatientFactory(commune=commune)
    room = RoomFactory()
    today = timezone.localdate()
    for days_ago in range(1, 20):
        day = today - dt.timedelta(days=days_ago)
        start = dt.datetime.combine(day, dt.time(14, 0), tzinfo=PARIS)
        PermanenceFactory(room=room, start=start, end=start + dt.timedelta(hours=4), kinds=[ConsultationKind.SNP])
    demo_calls.seed()
    consultations = Consultation.objects.filter(call__isnull=False).select_related("call", "permanence")
    assert consultations.exists()
    for c in consultations:
        assert c.permanence.start <= c.start and c.end <= c.permanence.end
        assert c.start > c.call.received_at
        assert c.patient_id == c.call.patient_id
        assert c.call.outcome in ("same_day", "within_48h")
    # calls triaged for a consultation that found no time were sent elsewhere
    assert not Call.objects.filter(outcome__in=["same_day", "within_48h"], consultations__isnull=True).exists()
    calls = Call.objects.count()
    demo_calls.seed()  # idempotent
    assert Call.objects.count() == calls
