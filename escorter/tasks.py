"""Worker tasks of the project itself."""

from celery import shared_task


@shared_task(name="escorter.tasks.purge_audit_log")
def purge_audit_log() -> dict:
    """Monthly, on the `maintenance` queue (its worker connects as the owner role)."""
    from escorter.audit import purge_audit_log as purge

    return {"deleted": purge()}
