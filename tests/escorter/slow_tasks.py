"""A task for the killed-worker test, imported by its workers with --include: long enough to be
killed midway, idempotent, tracked like every task of the apps."""

import time

from celery import shared_task

from escorter.taskruns import tracked


@shared_task(name="tests.escorter.slow_tasks.slow_job", idempotent=True)
def slow_job(task_run_id: int | None = None, *, steps: int) -> dict:
    with tracked(task_run_id, "tests.escorter.slow_tasks.slow_job", {"steps": steps}) as progress:
        for step in range(steps):
            time.sleep(0.5)
            progress.step(100 * (step + 1) // steps, f"étape {step + 1}/{steps}")
        progress.result = {"steps": steps}
    return {"steps": steps}
