"""Month-end snapshots: the dashboard's closed months and the monthly report read one stored row per
month instead of rebuilding it from the status history, and a back-dated write sends the months it
reaches back to the worker."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from escorter.roles import Role
from patients.models import Patient
from reporting.models import MonthEndInvalidation, MonthEndSnapshot
from reporting.periods import Month
from reporting.selectors.dashboard import coordinator_dashboard
from reporting.selectors.headline import headline
from reporting.selectors.month_ends import month_end_counts
from reporting.selectors.queries import registry_counts_per_month
from reporting.services.month_ends import dashboard_months, refresh_month_ends
from tests.factories import make_user
from tests.reporting.factories import make_patient

pytestmark = pytest.mark.django_db
NOW = dt.datetime(2026, 11, 20, 10, 0, tzinfo=dt.UTC)
OCTOBER, SEPTEMBER = Month(2026, 10), Month(2026, 9)


def _registry() -> None:
    found = timezone.make_aware(dt.datetime(2026, 9, 20, 9))
    for i in range(9):
        make_patient(referral_date=dt.date(2026, 1 + i, 5), tier=("P1", "P2", "P3")[i % 3], ald=i % 2 == 0)
    make_patient(referral_date=dt.date(2026, 3, 1), status="gp_found", gp_found_date=found.date(),
                 changes=[("gp_found", found)])  # fmt: skip
    make_patient(referral_date=dt.date(2026, 4, 1), status="in_care", changes=[("in_care", found)])


def _waiting_bars(data) -> dict[str, list[int]]:
    return {d["label"]: d["data"] for d in data["charts"]["waiting"]["datasets"]}


def test_snapshots_hold_what_the_history_says_and_the_dashboard_reads_them():
    with time_machine.travel(NOW, tick=False):
        _registry()
        months = dashboard_months()
        assert months[-1] == OCTOBER and len(months) == 11
        taken = refresh_month_ends()
        assert taken == months
        history = registry_counts_per_month(months, "priority_tier", "ald")
        for month in months:
            stored = MonthEndSnapshot.objects.get(month=month.first_day)
            assert {(s, t, a): n for s, t, a, n in stored.counts} == history[month]
        assert refresh_month_ends() == []  # nothing missing, nothing out of date

        with CaptureQueriesContext(connection) as captured:
            data = coordinator_dashboard(today=NOW.date())
    sqls = " ".join(query["sql"] for query in captured.captured_queries)
    assert "reporting_monthendsnapshot" in sqls
    assert "lead(at)" not in sqls  # the history is not rebuilt
    assert not data["month_ends"].pending
    october = {k[:2]: 0 for k in history[OCTOBER]}
    for (status, tier, _), n in history[OCTOBER].items():
        october[(status, tier)] += n
    bars = _waiting_bars(data)
    assert [bars[tier][-2] for tier in ("P1", "P2", "P3")] == [
        october.get(("waiting", t), 0) for t in ("P1", "P2", "P3")
    ]
    assert sum(bars[tier][-2] for tier in bars) == 9


def test_a_closed_month_keeps_the_tiers_of_its_close():
    with time_machine.travel(NOW, tick=False):
        _registry()
        refresh_month_ends()
        before = _waiting_bars(coordinator_dashboard(today=NOW.date()))
        Patient.objects.filter(priority_tier="P3").update(priority_tier="P1")  # the nightly recompute
        after = _waiting_bars(coordinator_dashboard(today=NOW.date()))
    assert [after[t][:-1] for t in after] == [before[t][:-1] for t in before]  # closed months unchanged
    assert after["P3"][-1] == 0 and after["P1"][-1] == before["P1"][-1] + before["P3"][-1]  # today's tiers
    assert not MonthEndInvalidation.objects.exists()  # a tier is not a back-dated write


def test_a_back_dated_referral_puts_the_months_it_reaches_out_of_date_until_the_refresh(client):
    with time_machine.travel(NOW, tick=False):
        _registry()
        refresh_month_ends()
        make_patient(referral_date=dt.date(2026, 9, 30), tier="P1")  # imported late, referred in September
        assert MonthEndInvalidation.objects.filter(from_month=SEPTEMBER.first_day).exists()

        ends = month_end_counts(dashboard_months())
        assert ends.outdated_from == SEPTEMBER and ends.pending
        client.force_login(make_user(Role.COORDINATOR))
        page = client.get(reverse("reporting:dashboard")).content.decode()
        assert "en cours de recalcul" in page

        waiting_p1 = ends.by(OCTOBER)[("waiting", "P1")]
        assert refresh_month_ends() == [SEPTEMBER, OCTOBER]  # only the months it reaches
        ends = month_end_counts(dashboard_months())
    assert not ends.pending and not MonthEndInvalidation.objects.exists()
    assert ends.by(OCTOBER)[("waiting", "P1")] == waiting_p1 + 1
    assert ends.by(Month(2026, 8))[("waiting", "P1")] == 3  # referred 5/1, 5/4 and 5/7: August untouched


def test_removing_a_patient_or_a_dated_status_change_reaches_back_too():
    with time_machine.travel(NOW, tick=False):
        _registry()
        refresh_month_ends()
        Patient.objects.get(referral_date=dt.date(2026, 3, 1)).delete()
        reached = set(MonthEndInvalidation.objects.values_list("from_month", flat=True))
        assert reached == {dt.date(2026, 3, 1)}  # the patient and their history
        refresh_month_ends()
        in_care = Patient.objects.get(status="in_care")
        in_care.status_changes.filter(to_status="in_care").update(at=timezone.make_aware(dt.datetime(2026, 8, 2, 9)))
        assert MonthEndInvalidation.objects.get().from_month == dt.date(2026, 8, 1)
        refresh_month_ends()
        ends = month_end_counts(dashboard_months())
    assert sum(ends.by(Month(2026, 3)).values()) == 3  # referred 5/1, 5/2 and 5/3; not the one removed
    assert ends.by(Month(2026, 8)).get(("in_care", "P3"), 0) == 1
    assert ends.by(Month(2026, 7)).get(("in_care", "P3"), 0) == 0


def test_a_write_in_the_database_s_running_month_marks_nothing():
    with connection.cursor() as cursor:
        cursor.execute("SELECT (now() AT TIME ZONE 'Europe/Paris')::date")
        today = cursor.fetchone()[0]
    make_patient(referral_date=today)
    assert not MonthEndInvalidation.objects.exists()


def test_the_report_s_month_end_figures_are_the_dashboard_s():
    with time_machine.travel(NOW, tick=False):
        _registry()
        refresh_month_ends(months=[OCTOBER])
        figures = headline(OCTOBER)
        bars = _waiting_bars(coordinator_dashboard(today=NOW.date()))
    assert figures["waiting_end"] == sum(bars[tier][-2] for tier in bars) == 9
    assert figures["gp_found_total"] == 1 and figures["in_care_end"] == 1 and figures["referred_total"] == 11
    assert figures["referred_month"] == 0
    with time_machine.travel(NOW, tick=False):
        assert headline(SEPTEMBER)["referred_month"] == 1  # referred on 5/9


def test_the_dashboard_still_shows_when_the_worker_cannot_be_asked(
    client, monkeypatch, django_capture_on_commit_callbacks
):
    from django.core.cache import cache

    from reporting import tasks
    from reporting.services.month_ends import REQUEST_KEY

    def refused(*args, **kwargs):
        raise ConnectionRefusedError("broker down")

    monkeypatch.setattr(tasks.refresh_month_ends, "delay", refused)  # the outside world: the broker
    cache.delete(REQUEST_KEY)
    with time_machine.travel(NOW, tick=False):
        _registry()
        client.force_login(make_user(Role.COORDINATOR))
        with django_capture_on_commit_callbacks(execute=True) as callbacks:
            response = client.get(reverse("reporting:dashboard"))
    assert response.status_code == 200 and len(callbacks) == 1
    assert cache.get(REQUEST_KEY) is None  # asked again at the next view


@pytest.mark.django_db(transaction=True)
def test_one_refresh_at_a_time_and_a_report_waits_for_the_running_one():
    import threading

    from reporting.services.month_ends import LOCK_KEY, LOCK_NAMESPACE

    make_patient(referral_date=Month.last().first_day, tier="P2")
    holder = connection.copy()  # another process's refresh, holding the lock
    try:
        with holder.cursor() as cursor:
            cursor.execute("BEGIN")
            cursor.execute("SELECT pg_advisory_xact_lock(%s, %s)", [LOCK_NAMESPACE, LOCK_KEY])
        assert refresh_month_ends() == []  # the beat's or the dashboard's: nothing to do twice
        waited = []
        thread = threading.Thread(target=lambda: (waited.append(refresh_month_ends(wait=True)), connection.close()))
        thread.start()
        thread.join(1.5)
        assert thread.is_alive()  # the report's refresh waits...
        with holder.cursor() as cursor:
            cursor.execute("COMMIT")
        thread.join(30)
        assert not thread.is_alive() and waited == [dashboard_months()]  # ...then takes the months
    finally:
        holder.close()
    assert MonthEndSnapshot.objects.get(month=Month.last().first_day).counts == [["waiting", "P2", False, 1]]
