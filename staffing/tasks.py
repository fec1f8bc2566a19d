"""Tasks of the staffing app: thin Celery wrappers around services."""

from __future__ import annotations

from celery import shared_task

from escorter.taskruns import tracked
from staffing.services import rota


@shared_task(name="staffing.tasks.generate_permanences")
def generate_permanences(task_run_id: int | None = None, weeks: int = rota.DEFAULT_WEEKS) -> dict:
    """Nightly: materialise the next `weeks` of the rota. Idempotent (keyed by rule and date)."""
    with tracked(task_run_id, "staffing.tasks.generate_permanences", {"weeks": weeks}) as progress:
        report = rota.generate_permanences(weeks=weeks, progress=progress)
        progress.result = report.as_dict()
        progress.run.message = report.summary
    return report.as_dict()
