"""Worker tasks of the patients app (thin wrappers over services)."""

from celery import shared_task

from escorter.taskruns import tracked


@shared_task(name="patients.tasks.recompute_priorities", idempotent=True)
def recompute_priorities(task_run_id: int | None = None) -> dict:
    """Nightly: refresh stored priority scores as weeks of waiting add up."""
    with tracked(task_run_id, "patients.tasks.recompute_priorities") as progress:
        from patients import services

        updated = services.recompute_priorities(progress=progress)
        progress.result = {"updated": updated}
        progress.step(100, f"{updated} score(s) de priorité recalculé(s).")
    return {"updated": updated}


@shared_task(name="patients.tasks.import_patient_file", idempotent=True)
def import_patient_file(task_run_id: int | None = None, *, import_id: int, all_or_nothing: bool = False) -> dict:
    """Import an uploaded list already previewed; safe to run twice (dedup makes it idempotent)."""
    with tracked(task_run_id, "patients.tasks.import_patient_file", {"import_id": import_id}) as progress:
        from patients.services.importing.batches import run_import

        progress.result = run_import(import_id=import_id, all_or_nothing=all_or_nothing, progress=progress)
    return progress.result


@shared_task(name="patients.tasks.discard_empty_calls")
def discard_empty_calls() -> dict:
    """Every 10 minutes: calls opened by mistake and left empty are deleted."""
    from patients.services.calls import discard_empty_calls as discard

    return {"deleted": discard()}


@shared_task(name="patients.tasks.purge_import_files")
def purge_import_files(task_run_id: int | None = None) -> dict:
    """Hourly: delete uploaded lists once imported, refused or abandoned (IMPORT_FILE_RETENTION_HOURS)."""
    with tracked(task_run_id, "patients.tasks.purge_import_files") as progress:
        from patients.services.importing.files import purge_import_files as purge

        purged = purge()
        progress.result = {"purged": purged}
        progress.step(100, f"{purged} fichier(s) de liste supprimé(s).")
    return progress.result
