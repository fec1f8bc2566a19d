"""A task goes through a real Celery worker against Redis and reports its progress."""

import pytest

from escorter.models import TaskRun
from escorter.roles import Role
from escorter.taskruns import enqueue
from patients.tasks import recompute_priorities
from tests.conftest import wait_until
from tests.factories import make_user


@pytest.mark.worker
@pytest.mark.django_db(transaction=True)
def test_recompute_priorities_runs_on_a_real_worker(celery_worker, client):
    user = make_user(Role.COORDINATOR)
    run = enqueue(recompute_priorities, user=user)  # autocommit: on_commit fires at once
    run = wait_until(
        lambda: TaskRun.objects.filter(pk=run.pk, status__in=["success", "failure"]).first(),
        message="the worker to finish the task",
    )
    assert run.status == TaskRun.Status.SUCCESS, run.message
    assert run.progress == 100 and run.started_at and run.finished_at
    client.force_login(user)
    fragment = client.get(f"/taches/{run.pk}/").content.decode()
    assert "100 %" in fragment and "hx-trigger" not in fragment


@pytest.mark.django_db
def test_unfinished_task_fragment_polls_itself(client, login_as):
    login_as(Role.SECRETARY)
    run = TaskRun.objects.create(task_name="x", progress=40)
    fragment = client.get(f"/taches/{run.pk}/").content.decode()
    assert 'hx-trigger="every 1s"' in fragment and "40 %" in fragment
