"""Aggregate figures of the unscheduled-care line: what the dashboard and the monthly reports show."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest

from patients.models import Call, CallOutcome
from patients.selectors.calls import day_bounds, line_figures
from tests.factories import CommuneFactory

pytestmark = pytest.mark.django_db
PARIS = ZoneInfo("Europe/Paris")


def _call(at: dt.datetime, outcome: str = CallOutcome.ADVICE_GIVEN, commune=None, category="", duration=None):
    return Call.objects.create(
        received_at=at,
        outcome=outcome,
        closed_at=at if outcome else None,
        commune=commune,
        category=category,
        duration_seconds=duration,
    )


def test_line_figures_count_calls_per_local_day_and_hour():
    # 00:30 on 2 March in Paris is still 1 March (23:30) in UTC: day and hour must be Paris's.
    _call(dt.datetime(2026, 3, 2, 0, 30, tzinfo=PARIS))
    _call(dt.datetime(2026, 3, 2, 8, 10, tzinfo=PARIS))
    _call(dt.datetime(2026, 3, 2, 8, 50, tzinfo=PARIS), outcome=CallOutcome.VITAL_EMERGENCY)
    _call(dt.datetime(2026, 3, 4, 9, 0, tzinfo=PARIS))  # outside the period
    start, end = day_bounds(dt.date(2026, 3, 1), dt.date(2026, 3, 3))
    figures = line_figures(start=start, end=end)
    assert figures["total"] == 3
    assert figures["per_day"] == [(dt.date(2026, 3, 1), 0), (dt.date(2026, 3, 2), 3), (dt.date(2026, 3, 3), 0)]
    per_hour = dict(figures["per_hour"])
    assert per_hour[0] == 1 and per_hour[8] == 2 and sum(per_hour.values()) == 3
    assert figures["vital"] == 1
    assert figures["vital_share"] == pytest.approx(1 / 3)


def test_line_figures_rank_the_busiest_communes():
    a, b = CommuneFactory(name="Beauvoir-sur-Mer"), CommuneFactory(name="Bouin")
    at = dt.datetime(2026, 3, 2, 10, 0, tzinfo=PARIS)
    for _ in range(3):
        _call(at, commune=b)
    _call(at, commune=a)
    figures = line_figures(start=at - dt.timedelta(hours=1), end=at + dt.timedelta(hours=1))
    assert [(row["commune__name"], row["n"]) for row in figures["busiest_communes"]] == [
        ("Bouin", 3),
        ("Beauvoir-sur-Mer", 1),
    ]


def test_line_figures_take_a_fixed_number_of_queries(django_assert_num_queries):
    at = dt.datetime(2026, 3, 2, 10, 0, tzinfo=PARIS)
    commune = CommuneFactory()
    Call.objects.bulk_create(
        Call(received_at=at, outcome=CallOutcome.SAME_DAY, closed_at=at, commune=commune) for _ in range(50)
    )
    with django_assert_num_queries(5):
        line_figures(start=at - dt.timedelta(days=1), end=at + dt.timedelta(days=1))
