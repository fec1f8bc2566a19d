"""The dashboard's running month reads the maintained counts (patients_registrycount) and gives the
figures the registry's history gives for that month: headline, waiting bars, GP-found curve."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from patients.models import Patient
from reporting.periods import Month
from reporting.selectors.dashboard import coordinator_dashboard
from reporting.selectors.queries import registry_counts, registry_counts_per_month
from tests.reporting.factories import make_patient

pytestmark = pytest.mark.django_db
NOW = dt.datetime(2026, 11, 20, 10, 0, tzinfo=dt.UTC)


def _registry() -> None:
    for i in range(12):
        referred = dt.date(2025 + (i % 4 == 0), 1 + i % 11, 5)  # some before the chart's first month
        found = timezone.make_aware(dt.datetime(referred.year, referred.month, 20, 9))
        if i % 3 == 0:
            make_patient(
                referral_date=referred, status="gp_found", gp_found_date=found.date(), changes=[("gp_found", found)]
            )
        elif i % 5 == 0:
            make_patient(referral_date=referred, status="in_care", changes=[("in_care", found)])
        else:
            make_patient(referral_date=referred, tier=("P1", "P2", "P3")[i % 3], ald=i % 2 == 0)
    make_patient(referral_date=dt.date(2026, 11, 3), tier="P1")  # referred this month
    # anonymised patients are left out of the counts table but counted by the history
    gone = make_patient(referral_date=dt.date(2026, 2, 1), status="gp_found", gp_found_date=dt.date(2026, 3, 1),
                        changes=[("gp_found", timezone.make_aware(dt.datetime(2026, 3, 1, 9)))])  # fmt: skip
    Patient.objects.filter(pk=gone.pk).update(anonymised_at=timezone.now())


def test_running_month_reads_the_maintained_counts_and_matches_the_history():
    with time_machine.travel(NOW, tick=False):
        _registry()
        month = Month.current()
        with CaptureQueriesContext(connection) as captured:
            data = coordinator_dashboard(today=NOW.date())
        groups = registry_counts(month, "referral_date", "priority_tier")
        history = registry_counts_per_month([month], "priority_tier")[month]
    sqls = [query["sql"] for query in captured.captured_queries]
    assert any("patients_registrycount" in sql for sql in sqls)

    def total(status=None):
        return sum(g["n"] for g in groups if status is None or g["status_end"] == status)

    headline = data["headline"]
    assert headline["referred_total"] == total() == 14
    assert headline["referred_month"] == 1
    assert headline["waiting_end"] == total("waiting") and headline["waiting_end"] > 0
    assert headline["in_care_end"] == total("in_care") and headline["in_care_end"] > 0
    assert headline["gp_found_total"] == total("gp_found") == 5
    bars = {d["label"]: d["data"][-1] for d in data["charts"]["waiting"]["datasets"]}
    assert bars == {tier: history.get(("waiting", tier), 0) for tier in ("P1", "P2", "P3")}
    curve = data["charts"]["gp_found"]["datasets"][0]["data"]
    assert curve[-1] == 5  # every GP found, the anonymised one included
    assert curve[0] == Patient.objects.filter(status="gp_found", gp_found_date__lte=dt.date(2025, 12, 31)).count()
