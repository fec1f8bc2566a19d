"""The status of each patient at a month's end, as the set-based registry counts compute it."""

import datetime as dt
from zoneinfo import ZoneInfo

import pytest

from reporting.periods import Month
from reporting.selectors.headline import headline
from reporting.selectors.queries import registry_counts
from tests.reporting.factories import make_patient

pytestmark = pytest.mark.django_db

PARIS = ZoneInfo("Europe/Paris")
OCTOBER = Month.parse("2026-10")


def at(day: int, month: int = 10, hour: int = 12) -> dt.datetime:
    return dt.datetime(2026, month, day, hour, tzinfo=PARIS)


def statuses(month: Month = OCTOBER) -> dict[str, int]:
    counts: dict[str, int] = {}
    for row in registry_counts(month):
        counts[row["status_end"]] = counts.get(row["status_end"], 0) + row["n"]
    return counts


def test_the_latest_change_before_the_month_end_gives_the_status_and_later_changes_are_ignored():
    make_patient(
        status="gp_found",
        gp_found_date=dt.date(2026, 11, 3),
        changes=[("in_care", at(5)), ("gp_found", at(3, month=11))],
    )
    make_patient(
        status="gp_found",
        gp_found_date=dt.date(2026, 10, 31),
        changes=[("in_care", at(5)), ("gp_found", at(31, hour=23))],
    )

    assert statuses() == {"in_care": 1, "gp_found": 1}


def test_two_changes_at_the_same_instant_are_decided_by_the_later_record():
    patient = make_patient(status="moved", changes=[("in_care", at(5))])
    patient.status_changes.create(from_status="in_care", to_status="moved", at=at(5))

    assert statuses() == {"moved": 1}


def test_a_patient_without_history_has_the_current_status_if_set_before_the_month_end_else_waiting():
    settled = make_patient(status="gp_found", gp_found_date=dt.date(2026, 10, 20))
    settled.status_changes.all().delete()
    type(settled).objects.filter(pk=settled.pk).update(status_changed_at=at(20))
    recent = make_patient(status="in_care")
    recent.status_changes.all().delete()
    type(recent).objects.filter(pk=recent.pk).update(status_changed_at=at(2, month=11))

    assert statuses() == {"gp_found": 1, "waiting": 1}


def test_patients_referred_after_the_month_are_not_counted():
    make_patient(referral_date=dt.date(2026, 11, 2))
    make_patient(referral_date=dt.date(2026, 10, 31))

    assert statuses() == {"waiting": 1}
    figures = headline(OCTOBER)
    assert (figures["referred_total"], figures["referred_month"], figures["waiting_end"]) == (1, 1, 1)


def test_counts_are_split_by_the_requested_fields():
    make_patient(tier="P1", changes=[("in_care", at(5))])
    make_patient(tier="P1")
    make_patient(tier="P2")

    rows = {(r["status_end"], r["priority_tier"]): r["n"] for r in registry_counts(OCTOBER, "priority_tier")}

    assert rows == {("in_care", "P1"): 1, ("waiting", "P1"): 1, ("waiting", "P2"): 1}


def test_the_counts_of_a_year_in_two_queries_equal_the_counts_month_by_month(django_assert_num_queries):
    from reporting.selectors.queries import registry_counts_per_month

    make_patient(tier="P1", referral_date=dt.date(2026, 3, 2), changes=[("in_care", at(5, month=4))])
    make_patient(
        tier="P2",
        referral_date=dt.date(2026, 5, 9),
        status="gp_found",
        gp_found_date=dt.date(2026, 8, 31),
        changes=[("in_care", at(1, month=6)), ("gp_found", at(31, month=8, hour=23))],
    )
    tied = make_patient(tier="P3", referral_date=dt.date(2026, 6, 1), status="moved", changes=[("in_care", at(5, 7))])
    tied.status_changes.create(from_status="in_care", to_status="moved", at=at(5, 7))
    silent = make_patient(tier="P2", referral_date=dt.date(2026, 2, 1), status="in_care")
    silent.status_changes.all().delete()
    type(silent).objects.filter(pk=silent.pk).update(status_changed_at=at(15, month=7))
    make_patient(tier="P3", referral_date=dt.date(2026, 11, 2))
    months = [Month(2026, m) for m in range(1, 13)]

    with django_assert_num_queries(2):
        together = registry_counts_per_month(months, "priority_tier")

    for month in months:
        expected: dict = {}
        for row in registry_counts(month, "priority_tier"):
            key = (row["status_end"], row["priority_tier"])
            expected[key] = expected.get(key, 0) + row["n"]
        assert together[month] == expected, month
