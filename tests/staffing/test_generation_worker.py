"""The nightly generation on a real worker, and two generations racing each other."""

from __future__ import annotations

import pytest
from django.utils import timezone

from escorter.models import TaskRun
from escorter.roles import Role
from escorter.taskruns import enqueue
from staffing import tasks
from staffing.models import Permanence
from staffing.services import rota
from tests.concurrency import at_once
from tests.conftest import wait_until
from tests.factories import make_user
from tests.staffing.factories import RotaRuleFactory


@pytest.mark.worker
@pytest.mark.django_db(transaction=True)
def test_generate_permanences_runs_twice_on_a_real_worker_and_creates_nothing_the_second_time(celery_worker):
    RotaRuleFactory(weekday=1, valid_from=timezone.localdate())
    RotaRuleFactory(weekday=3, valid_from=timezone.localdate())
    user = make_user(Role.COORDINATOR)
    results = []
    for _ in range(2):
        run = enqueue(tasks.generate_permanences, user=user, weeks=12)
        run = wait_until(
            lambda run=run: TaskRun.objects.filter(pk=run.pk, status__in=["success", "failure"]).first(),
            message="the worker to generate the permanences",
        )
        assert run.status == TaskRun.Status.SUCCESS, run.message
        results.append(run.result)
    assert results[0]["created"] >= 20
    assert results[1]["created"] == 0 and results[1]["unchanged"] == results[0]["created"]
    assert Permanence.objects.count() == results[0]["created"]


@pytest.mark.django_db(transaction=True)
def test_two_generations_at_once_create_each_permanence_once():
    RotaRuleFactory(weekday=1, valid_from=timezone.localdate())
    RotaRuleFactory(weekday=4, valid_from=timezone.localdate())
    at_once(lambda: rota.generate_permanences(weeks=12))
    expected = rota.generate_permanences(weeks=12)
    assert expected.created == 0
    assert Permanence.objects.count() == expected.unchanged >= 20
