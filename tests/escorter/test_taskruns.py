"""Task progress is visible to the polling page while the task's transaction is still open."""

import pytest
from django.db import connections, transaction

from escorter.models import TaskRun
from escorter.taskruns import tracked


def _progress_seen_from_another_connection(pk: int) -> int:
    other = connections.create_connection("default")
    try:
        with other.cursor() as cursor:
            cursor.execute("SELECT progress FROM escorter_taskrun WHERE id = %s", [pk])
            return cursor.fetchone()[0]
    finally:
        other.close()


@pytest.mark.django_db(transaction=True)
def test_progress_inside_a_transaction_is_visible_at_once():
    run = TaskRun.objects.create(task_name="import")
    with tracked(run.pk, "import") as progress, transaction.atomic():
        progress.step(40, "40 000 lignes lues…")
        assert _progress_seen_from_another_connection(run.pk) == 40
    run.refresh_from_db()
    assert (run.status, run.progress, run.message) == ("success", 100, "40 000 lignes lues…")


@pytest.mark.django_db(transaction=True)
def test_progress_outside_a_transaction_uses_the_same_connection():
    run = TaskRun.objects.create(task_name="x")
    with tracked(run.pk, "x") as progress:
        progress.step(70)
        assert progress._side is None
        assert _progress_seen_from_another_connection(run.pk) == 70


@pytest.mark.django_db(transaction=True)
def test_failure_is_recorded_with_its_message():
    run = TaskRun.objects.create(task_name="x")
    with pytest.raises(ValueError), tracked(run.pk, "x"):
        raise ValueError("fichier illisible")
    run.refresh_from_db()
    assert run.status == "failure" and "fichier illisible" in run.message
