"""A task whose worker died is failed within minutes and, if idempotent, run again."""

from __future__ import annotations

import datetime as dt
import os
import signal
import time

import pytest
from django.conf import settings as django_settings

from escorter.celery import app
from escorter.models import TaskRun
from escorter.roles import Role
from escorter.taskruns import enqueue, fail_stale_runs, tracked
from tests.conftest import _database_url_for_worker, start_celery_worker, tasks_sent_to, wait_until
from tests.escorter import slow_tasks
from tests.factories import make_user

NOW = dt.datetime(2026, 3, 2, 9, 0, tzinfo=dt.UTC)


def _running(task_name: str, *, silent_for: dt.timedelta, **fields) -> TaskRun:
    seen = NOW - silent_for
    return TaskRun.objects.create(
        task_name=task_name, status=TaskRun.Status.RUNNING, started_at=seen, heartbeat_at=seen, **fields
    )


def test_stale_runs_are_checked_every_two_minutes_and_declared_after_five():
    app.loader.import_default_modules()
    entry = django_settings.CELERY_BEAT_SCHEDULE["fail-stale-task-runs"]
    assert entry["task"] == "escorter.tasks.fail_stale_task_runs" and entry["task"] in app.tasks
    assert entry["schedule"].minute == set(range(0, 60, 2))
    assert django_settings.TASK_STALE_AFTER_SECONDS == 300 and django_settings.TASK_HEARTBEAT_SECONDS == 30


@pytest.mark.django_db
def test_a_silent_idempotent_run_is_failed_and_run_again(django_capture_on_commit_callbacks):
    user = make_user(Role.COORDINATOR)
    dead = _running("patients.tasks.recompute_priorities", silent_for=dt.timedelta(minutes=6), created_by=user)
    with django_capture_on_commit_callbacks(execute=True):
        [retry] = fail_stale_runs(now=NOW)
    dead.refresh_from_db()
    retry.refresh_from_db()
    assert dead.status == TaskRun.Status.FAILURE and "relancée automatiquement" in dead.message
    assert dead.finished_at == NOW
    assert (retry.retry_of, retry.created_by, retry.status) == (dead, user, TaskRun.Status.SUCCESS)


@pytest.mark.django_db
def test_a_run_that_still_beats_is_left_alone():
    alive = _running("patients.tasks.recompute_priorities", silent_for=dt.timedelta(minutes=4))
    assert fail_stale_runs(now=NOW) == []
    alive.refresh_from_db()
    assert alive.status == TaskRun.Status.RUNNING


@pytest.mark.django_db
def test_a_silent_run_of_a_task_not_declared_idempotent_is_only_failed():
    dead = _running("staffing.tasks.expire_proposals", silent_for=dt.timedelta(minutes=6))
    assert fail_stale_runs(now=NOW) == []
    dead.refresh_from_db()
    assert dead.status == TaskRun.Status.FAILURE and "s'est arrêté" in dead.message
    assert not TaskRun.objects.filter(retry_of=dead).exists()


@pytest.mark.django_db
def test_a_second_stale_check_does_not_retry_the_same_run_twice():
    _running("patients.tasks.recompute_priorities", silent_for=dt.timedelta(minutes=6))
    assert len(fail_stale_runs(now=NOW)) == 1
    assert fail_stale_runs(now=NOW + dt.timedelta(minutes=2)) == []


@pytest.mark.django_db
def test_the_late_redelivery_of_a_retried_run_is_dropped():
    from celery.exceptions import Ignore

    dead = _running("patients.tasks.recompute_priorities", silent_for=dt.timedelta(minutes=6))
    fail_stale_runs(now=NOW)
    with pytest.raises(Ignore), tracked(dead.pk, dead.task_name):
        pytest.fail("the body of a retried run must not run again")
    dead.refresh_from_db()
    assert dead.status == TaskRun.Status.FAILURE


@pytest.mark.django_db
def test_the_progress_page_follows_the_retry(client, login_as):
    login_as(Role.COORDINATOR)
    dead = _running("patients.tasks.recompute_priorities", silent_for=dt.timedelta(minutes=6))
    fail_stale_runs(now=NOW)  # no on_commit here: the retry stays pending
    retry = TaskRun.objects.get(retry_of=dead)
    fragment = client.get(f"/taches/{dead.pk}/").content.decode()
    assert f'id="task-run-{retry.pk}"' in fragment and "En attente" in fragment


@pytest.mark.django_db(transaction=True)
def test_a_running_task_beats_while_it_works(settings):
    settings.TASK_HEARTBEAT_SECONDS = 0.2
    run = TaskRun.objects.create(task_name="x")
    with tracked(run.pk, "x"):
        first = TaskRun.objects.get(pk=run.pk).heartbeat_at
        time.sleep(1)
        assert TaskRun.objects.get(pk=run.pk).heartbeat_at > first


@pytest.mark.worker
@pytest.mark.django_db(transaction=True)
def test_a_killed_worker_job_is_finished_by_another_worker_within_minutes(broker_url, tmp_path, settings):
    """SIGKILL the whole worker mid-task: Redis would hold the job for an hour; the stale-run check
    (threshold shortened to 3 s, heartbeats every 0.5 s) hands it to a second worker at once."""
    settings.TASK_STALE_AFTER_SECONDS = 3
    worker_env = {"TASK_HEARTBEAT_SECONDS": "0.5", "TASK_STALE_AFTER_SECONDS": "3"}
    worker_env["CELERY_INCLUDE"] = slow_tasks.__name__
    database_url = _database_url_for_worker()
    # two queues, so that the job can only reach the second worker through the stale-run check
    first_queue, second_queue = f"stale-first-{os.getpid()}", f"stale-second-{os.getpid()}"
    first = second = None
    try:
        second = start_celery_worker(
            database_url=database_url, broker_url=broker_url, queue=second_queue, log=tmp_path / "second.log",
            env=worker_env,
        )  # fmt: skip
        first = start_celery_worker(
            database_url=database_url, broker_url=broker_url, queue=first_queue, log=tmp_path / "first.log",
            env=worker_env,
        )  # fmt: skip
        with tasks_sent_to(first_queue, broker_url):
            run = enqueue(slow_tasks.slow_job, user=make_user(Role.COORDINATOR), steps=30)
            wait_until(lambda: TaskRun.objects.get(pk=run.pk).progress > 0, message="the first worker to take the job")
        os.kill(first.pid, signal.SIGKILL)  # the whole worker: no chance to reject or requeue
        killed = time.monotonic()
        first.wait(10)
        at_kill = TaskRun.objects.get(pk=run.pk)
        assert at_kill.status == TaskRun.Status.RUNNING and at_kill.progress < 100

        with tasks_sent_to(second_queue, broker_url):
            retries = wait_until(lambda: fail_stale_runs(), timeout=30, message="the run to be declared stale")
        retry = wait_until(
            lambda: TaskRun.objects.filter(pk=retries[0].pk, status__in=["success", "failure"]).first(),
            timeout=90,
            message="the second worker to finish the job",
        )
        finished_after = time.monotonic() - killed
        assert retry.status == TaskRun.Status.SUCCESS and retry.result == {"steps": 30}
        dead = TaskRun.objects.get(pk=run.pk)
        assert dead.status == TaskRun.Status.FAILURE and dead.retry == retry
        assert "slow_job" in (tmp_path / "second.log").read_text()
        assert finished_after < 90, finished_after  # Redis' visibility timeout alone would have taken an hour
        print(f"job finished by the second worker {finished_after:.1f} s after the first was killed")
    finally:
        for worker in (first, second):
            if worker is not None and worker.poll() is None:
                worker.terminate()
                worker.wait(30)
