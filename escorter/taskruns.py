"""Enqueue worker tasks after commit and record their progress in TaskRun.

Views call `enqueue(task, user=..., **kwargs)`; the task body wraps its work in
`tracked(task_run_id, task_name, kwargs)` and calls `run.step(pct, message)`.
Progress must be visible to the polling page while the task is still working, even when
the task does its work inside one transaction (an all-or-nothing import): inside an atomic
block, `step` writes through a second, autocommit connection.
"""

from __future__ import annotations

from contextlib import contextmanager

from django.db import DatabaseError, connections, transaction
from django.utils import timezone

from escorter.models import TaskRun


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


@contextmanager
def tracked(task_run_id: int | None, task_name: str, arguments: dict | None = None):
    """Mark the run running, then success or failure; yields a Progress.

    A redelivered task (worker killed midway) finds its TaskRun already running and
    simply takes it over: the work itself must be idempotent.
    """
    if task_run_id is None:
        run = TaskRun.objects.create(task_name=task_name, arguments=arguments or {})
    else:
        run = TaskRun.objects.get(pk=task_run_id)
    TaskRun.objects.filter(pk=run.pk).update(status=TaskRun.Status.RUNNING, started_at=timezone.now())
    progress = Progress(run)
    try:
        yield progress
    except Exception as exc:
        progress.close()
        TaskRun.objects.filter(pk=run.pk).update(
            status=TaskRun.Status.FAILURE, message=f"Échec : {exc}"[:2000], finished_at=timezone.now()
        )
        raise
    progress.close()
    TaskRun.objects.filter(pk=run.pk).update(
        status=TaskRun.Status.SUCCESS,
        progress=100,
        message=progress.run.message or "Terminé.",
        result=getattr(progress, "result", {}) or {},
        finished_at=timezone.now(),
    )
