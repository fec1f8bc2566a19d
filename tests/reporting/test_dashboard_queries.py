"""The coordinator's dashboard costs the same number of queries for 2 or 20 of everything it sums."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from escorter.roles import Role
from staffing.models import Consultation, ConsultationKind
from tests.factories import make_user
from tests.reporting.factories import ExpenseFactory, FundingLineFactory, make_patient
from tests.staffing.booking_helpers import permanence

pytestmark = pytest.mark.django_db
NOW = dt.datetime(2026, 11, 20, 10, 0, tzinfo=dt.UTC)


def _held(who, day: dt.date, status=Consultation.Status.DONE) -> Consultation:
    held = permanence(start=timezone.make_aware(dt.datetime.combine(day, dt.time(9))), hours=4)
    return Consultation.objects.create(
        patient=who,
        permanence=held,
        professional=held.professional,
        start=held.start,
        end=held.start + dt.timedelta(minutes=20),
        kind=ConsultationKind.FIRST_VISIT,
        status=status,
    )


def _add(rows: int) -> None:
    """`rows` patients (histories over the year, some with a GP found), funding lines and consultations held."""
    for i in range(rows):
        referred = dt.date(2026, 1 + i % 10, 5)
        found = timezone.make_aware(dt.datetime(2026, 1 + i % 10, 20, 9))
        if i % 3 == 0:
            make_patient(
                referral_date=referred, status="gp_found", gp_found_date=found.date(), changes=[("gp_found", found)]
            )
        else:
            make_patient(referral_date=referred, tier=("P1", "P2", "P3")[i % 3], ald=i % 2 == 0)
        ExpenseFactory(line=FundingLineFactory())
        _held(make_patient(referral_date=dt.date(2026, 10, 1)), dt.date(2026, 11, 2 + i % 15))


def _queries(client) -> list[str]:
    with CaptureQueriesContext(connection) as captured:
        response = client.get(reverse("reporting:dashboard"))
    assert response.status_code == 200
    return [query["sql"] for query in captured.captured_queries]


def test_dashboard_query_count_does_not_grow_with_patients_lines_and_consultations(client):
    with time_machine.travel(NOW, tick=False):
        client.force_login(make_user(Role.COORDINATOR))
        _add(2)
        client.get(reverse("reporting:dashboard"))  # warm caches (session, user)
        two = _queries(client)
        _add(18)
        twenty = _queries(client)
    assert len(twenty) == len(two), twenty


def test_delay_to_first_consultation_counts_each_patient_once_at_the_first_consultation_held():
    from reporting.periods import Month
    from reporting.selectors.dashboard import delay_to_first_consultation

    seen_twice = make_patient(referral_date=dt.date(2026, 10, 1))
    _held(seen_twice, dt.date(2026, 10, 11))
    _held(seen_twice, dt.date(2026, 11, 5))  # a follow-up: not a first consultation
    seen_before = make_patient(referral_date=dt.date(2025, 1, 2))
    _held(seen_before, dt.date(2025, 2, 1))  # first held before the window
    _held(seen_before, dt.date(2026, 11, 6))
    other = make_patient(referral_date=dt.date(2026, 10, 1))
    _held(other, dt.date(2026, 10, 31))
    _held(make_patient(referral_date=dt.date(2026, 10, 1)), dt.date(2026, 10, 3), Consultation.Status.BOOKED)
    months = [Month(2026, 9), Month(2026, 10), Month(2026, 11)]

    chart = delay_to_first_consultation(months)

    median, p90 = (dataset["data"] for dataset in chart["datasets"])
    assert median == [None, 20.0, None]  # 10 and 30 days
    assert p90 == [None, 28.0, None]
