"""Enqueue worker tasks after commit and record their progress in TaskRun.

Views call `enqueue(task, user=..., **kwargs)`; the task body wraps its work in
`tracked(task_run_id, task_name, kwargs)` and calls `run.step(pct, message)`.
Progress is written with a plain UPDATE outside any surrounding transaction of the
task, so the page polling it sees it at once.
"""

from __future__ import annotations

from contextlib import contextmanager

from django.db import transaction
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

    def step(self, progress: int, message: str = "") -> None:
        self.run.progress = max(0, min(100, int(progress)))
        self.run.message = message or self.run.message
        TaskRun.objects.filter(pk=self.run.pk).update(progress=self.run.progress, message=self.run.message)


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
        TaskRun.objects.filter(pk=run.pk).update(
            status=TaskRun.Status.FAILURE, message=f"Échec : {exc}"[:2000], finished_at=timezone.now()
        )
        raise
    TaskRun.objects.filter(pk=run.pk).update(
        status=TaskRun.Status.SUCCESS,
        progress=100,
        message=progress.run.message or "Terminé.",
        result=getattr(progress, "result", {}) or {},
        finished_at=timezone.now(),
    )
