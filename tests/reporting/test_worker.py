"""A real Celery worker builds the report the coordinator asked for."""

from __future__ import annotations

import pytest
from django.db import transaction

from escorter.models import TaskRun
from escorter.taskruns import enqueue
from reporting.models import Funder, MonthlyReport
from reporting.periods import Month
from reporting.services import reports
from reporting.tasks import build_monthly_report
from tests.conftest import wait_until
from tests.factories import FunderFactory


@pytest.mark.worker
@pytest.mark.django_db(transaction=True)
def test_worker_builds_and_publishes_the_report_with_progress(celery_worker, settings, tmp_path):
    ars = FunderFactory(kind=Funder.Kind.ARS)
    report = reports.request_monthly_report(audience=ars, month=Month(2026, 10))
    with transaction.atomic():
        run = enqueue(build_monthly_report, report_id=report.pk)
    wait_until(lambda: TaskRun.objects.get(pk=run.pk).is_finished, timeout=120, message="the report task to finish")
    run.refresh_from_db()
    assert run.status == TaskRun.Status.SUCCESS, run.message
    assert run.progress == 100
    assert MonthlyReport.objects.get(pk=report.pk).is_published
    # delivered again (as after a worker crash): still exactly one published report
    with transaction.atomic():
        again = enqueue(build_monthly_report, report_id=report.pk)
    wait_until(lambda: TaskRun.objects.get(pk=again.pk).is_finished, timeout=60, message="the redelivery")
    assert MonthlyReport.objects.filter(audience=ars, status="published").count() == 1
    assert "déjà publié" in TaskRun.objects.get(pk=again.pk).message


@pytest.mark.worker
@pytest.mark.django_db(transaction=True)
def test_the_dashboard_has_the_worker_take_the_missing_month_ends(celery_worker, client):
    from django.core.cache import cache
    from django.urls import reverse

    from escorter.roles import Role
    from reporting.models import MonthEndSnapshot
    from reporting.services.month_ends import REQUEST_KEY, dashboard_months
    from tests.factories import make_user
    from tests.reporting.factories import make_patient

    cache.delete(REQUEST_KEY)
    make_patient(referral_date=Month.last().previous().first_day, tier="P1")
    client.force_login(make_user(Role.COORDINATOR))
    assert client.get(reverse("reporting:dashboard")).status_code == 200  # months rebuilt, worker asked
    wanted = [month.first_day for month in dashboard_months()]
    wait_until(
        lambda: MonthEndSnapshot.objects.filter(month__in=wanted).count() == len(wanted),
        timeout=60,
        message="the worker to take the month-end snapshots",
    )
    last = MonthEndSnapshot.objects.get(month=Month.last().first_day)
    assert last.counts == [["waiting", "P1", False, 1]]
