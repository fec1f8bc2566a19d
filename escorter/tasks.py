"""Worker tasks of the project itself (thin wrappers)."""

from celery import shared_task

from escorter import taskruns


@shared_task(name="escorter.tasks.purge_audit_log")
def purge_audit_log() -> dict:
    """Monthly, on the `maintenance` queue (its worker connects as the owner role)."""
    from escorter.audit import purge_audit_log as purge

    return {"deleted": purge()}


@shared_task(name="escorter.tasks.fail_stale_task_runs")
def fail_stale_task_runs() -> dict:
    """Beat, every two minutes: runs whose worker died are failed, idempotent ones retried."""
    retries = taskruns.fail_stale_runs()
    return {"retried": [run.pk for run in retries]}
