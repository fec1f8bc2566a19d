"""Enqueue worker tasks after commit and record their progress in TaskRun.

Views call `enqueue(task, user=..., **kwargs)`; the task body wraps its work in
`tracked(task_run_id, task_name, kwargs)` and calls `run.step(pct, message)`.
Progress must be visible to the polling page while the task is still working, even when
the task does its work inside one transaction (an all-or-nothing import): inside an atomic
block, `step` writes through a second, autocommit connection.

A running task also beats: a thread touches `heartbeat_at` every TASK_HEARTBEAT_SECONDS.
If the whole worker dies, Redis would redeliver its unacknowledged job only after the
visibility timeout (an hour); instead the beat job `fail_stale_runs` fails a run whose
heartbeat is older than TASK_STALE_AFTER_SECONDS and, when its task is declared
`idempotent=True`, enqueues a fresh run of it at once. The late redelivery of the dead
run is then dropped by `tracked`.
"""

from __future__ import annotations

import logging
import threading
from contextlib import contextmanager
from datetime import datetime, timedelta
from functools import partial

from celery.exceptions import Ignore
from django.conf import settings
from django.db import DatabaseError, connections, transaction
from django.db.models import Q
from django.utils import timezone

from escorter.models import TaskRun

log = logging.getLogger(__name__)


def enqueue(task, *, user=None, **kwargs) -> TaskRun:
    """Create a pending TaskRun and send `task` with its id once the transaction commits."""
    run = TaskRun.objects.create(
        task_name=task.name,
        arguments=kwargs,
        created_by=user if user is not None and user.is_authenticated else None,
    )
    transaction.on_commit(lambda: task.delay(task_run_id=run.pk, **kwargs))
    return run


class Progress:
    def __init__(self, run: TaskRun):
        self.run = run
        self._side = None

    def step(self, progress: int, message: str = "") -> None:
        self.run.progress = max(0, min(100, int(progress)))
        self.run.message = message or self.run.message
        if connections["default"].in_atomic_block:
            self._write_outside_transaction()
        else:
            TaskRun.objects.filter(pk=self.run.pk).update(progress=self.run.progress, message=self.run.message)

    def _write_outside_transaction(self) -> None:
        """Best effort: a progress bar is never worth failing or blocking the task for."""
        try:
            if self._side is None:
                self._side = connections.create_connection("default")
            with self._side.cursor() as cursor:
                cursor.execute("SET lock_timeout = '1s'")
                cursor.execute(
                    "UPDATE escorter_taskrun SET progress = %s, message = %s WHERE id = %s",
                    [self.run.progress, self.run.message, self.run.pk],
                )
        except DatabaseError:
            self.close()

    def close(self) -> None:
        if self._side is not None:
            self._side.close()
            self._side = None


class Heartbeat:
    """A thread that touches the run's heartbeat_at on its own connection until stopped."""

    def __init__(self, run_id: int, interval: float):
        self.run_id, self.interval = run_id, interval
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._beat, name=f"heartbeat-{run_id}", daemon=True)

    def __enter__(self):
        self._thread.start()
        return self

    def __exit__(self, *exc):
        self._stop.set()
        self._thread.join(timeout=self.interval + 5)

    def _beat(self) -> None:
        try:
            while not self._stop.wait(self.interval):
                try:
                    TaskRun.objects.filter(pk=self.run_id, status=TaskRun.Status.RUNNING).update(
                        heartbeat_at=timezone.now()
                    )
                except DatabaseError:
                    log.warning("heartbeat of task run %s not written", self.run_id, exc_info=True)
        finally:
            connections.close_all()  # this thread's own connection


@contextmanager
def tracked(task_run_id: int | None, task_name: str, arguments: dict | None = None):
    """Mark the run running, then success or failure; yields a Progress.

    A redelivered task (worker killed midway) finds its TaskRun already running and
    simply takes it over: the work itself must be idempotent. A run that the stale-run
    job already failed and retried is not resumed: Celery's Ignore drops the message.
    """
    if task_run_id is None:
        run = TaskRun.objects.create(task_name=task_name, arguments=arguments or {})
    else:
        run = TaskRun.objects.get(pk=task_run_id)
    now = timezone.now()
    claimed = TaskRun.objects.filter(pk=run.pk, retry__isnull=True).update(
        status=TaskRun.Status.RUNNING, started_at=now, heartbeat_at=now
    )
    if not claimed:
        log.info("task run %s was already retried as another run: late delivery dropped", run.pk)
        raise Ignore()
    progress = Progress(run)
    running = TaskRun.objects.filter(pk=run.pk, status=TaskRun.Status.RUNNING)  # not failed as stale meanwhile
    try:
        with Heartbeat(run.pk, settings.TASK_HEARTBEAT_SECONDS):
            yield progress
    except Exception as exc:
        progress.close()
        running.update(status=TaskRun.Status.FAILURE, message=f"Échec : {exc}"[:2000], finished_at=timezone.now())
        raise
    progress.close()
    running.update(
        status=TaskRun.Status.SUCCESS,
        progress=100,
        message=progress.run.message or "Terminé.",
        result=getattr(progress, "result", {}) or {},
        finished_at=timezone.now(),
    )


def _stale(threshold: datetime) -> Q:
    return Q(status=TaskRun.Status.RUNNING) & (
        Q(heartbeat_at__lt=threshold) | Q(heartbeat_at__isnull=True, started_at__lt=threshold)
    )


def fail_stale_runs(*, now: datetime | None = None, limit: int = 100) -> list[TaskRun]:
    """Fail the running runs whose worker stopped beating; retry the idempotent ones.

    Each run is claimed by a conditional UPDATE, so two overlapping beat jobs never retry
    the same run twice. Returns the new runs enqueued.
    """
    from escorter.celery import app

    app.loader.import_default_modules()  # every app's tasks, to look them up by name
    now = now or timezone.now()
    threshold = now - timedelta(seconds=settings.TASK_STALE_AFTER_SECONDS)
    retries = []
    for run in TaskRun.objects.filter(_stale(threshold)).order_by("pk")[:limit]:
        last_seen = timezone.localtime(run.heartbeat_at or run.started_at)
        with transaction.atomic():
            failed = TaskRun.objects.filter(_stale(threshold), pk=run.pk).update(
                status=TaskRun.Status.FAILURE,
                finished_at=now,
                message=f"Interrompue : le processus qui l'exécutait s'est arrêté (dernier signe de vie à "
                f"{last_seen:%H:%M:%S}).",
            )
            task = app.tasks.get(run.task_name)
            if not failed or not getattr(task, "idempotent", False):
                continue
            retry = TaskRun.objects.create(
                task_name=run.task_name, arguments=run.arguments, created_by_id=run.created_by_id, retry_of=run
            )
            TaskRun.objects.filter(pk=run.pk).update(
                message=f"Interrompue (processus arrêté à {last_seen:%H:%M:%S}) ; relancée automatiquement."
            )
            transaction.on_commit(partial(task.delay, task_run_id=retry.pk, **run.arguments))
        log.warning("task run %s (%s) had stopped beating: retried as %s", run.pk, run.task_name, retry.pk)
        retries.append(retry)
    return retries


def latest_attempt(run: TaskRun) -> TaskRun:
    """The run a page should show: its automatic retry, if the stale-run job made one."""
    while (retry := TaskRun.objects.filter(retry_of=run).first()) is not None:
        run = retry
    return run
