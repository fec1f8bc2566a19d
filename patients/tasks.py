"""Worker tasks of the patients app (thin wrappers over services)."""

from celery import shared_task

from escorter.taskruns import tracked


@shared_task(name="patients.tasks.recompute_priorities")
def recompute_priorities(task_run_id: int | None = None) -> dict:
    """Nightly: refresh stored priority scores as weeks of waiting add up."""
    with tracked(task_run_id, "patients.tasks.recompute_priorities") as progress:
        from patients import services

        updated = services.recompute_priorities(progress=progress)
        progress.result = {"updated": updated}
        progress.step(100, f"{updated} score(s) de priorité recalculé(s).")
    return {"updated": updated}
