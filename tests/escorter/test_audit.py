"""The audit log is append-only for the ORM and for raw SQL alike."""

import datetime as dt
import os

import pytest
from django.db import DatabaseError, connection, transaction
from django.test import RequestFactory

from escorter import audit
from escorter.models import AppendOnlyError, AuditLog
from escorter.roles import Role
from tests.factories import make_user

pytestmark = pytest.mark.django_db


def _entry():
    request = RequestFactory().get("/patients/1/", REMOTE_ADDR="10.1.2.3")
    request.user = make_user(Role.SECRETARY, username="sophie")
    return audit.record(request, AuditLog.Action.VIEW, object_type="patients.Patient", object_id=1)


def test_record_keeps_who_role_what_and_where():
    entry = _entry()
    assert (entry.username, entry.role, entry.action, entry.object_type, entry.object_id, entry.ip) == (
        "sophie",
        "secretary",
        "view",
        "patients.Patient",
        "1",
        "10.1.2.3",
    )


def test_orm_cannot_update_or_delete_entries():
    entry = _entry()
    with pytest.raises(AppendOnlyError):
        AuditLog.objects.filter(pk=entry.pk).update(detail="effacé")
    with pytest.raises(AppendOnlyError):
        AuditLog.objects.all().delete()
    with pytest.raises(AppendOnlyError):
        entry.delete()
    entry.detail = "modifié"
    with pytest.raises(AppendOnlyError):
        entry.save()


@pytest.mark.parametrize("sql", ["UPDATE escorter_auditlog SET detail = 'x'", "DELETE FROM escorter_auditlog"])
def test_database_refuses_update_and_delete(sql):
    _entry()
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(sql)
    assert AuditLog.objects.count() == 1


def test_database_refuses_truncate_even_to_the_owner():
    _entry()
    with pytest.raises(DatabaseError, match="TRUNCATE refused"), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("TRUNCATE escorter_auditlog")
    with pytest.raises(DatabaseError, match="TRUNCATE refused"), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("TRUNCATE escorter_auditlog, escorter_taskrun CASCADE")
    assert AuditLog.objects.count() == 1


def test_deleting_a_user_keeps_their_trail():
    entry = _entry()
    from django.contrib.auth import get_user_model

    get_user_model().objects.filter(username="sophie").delete()
    assert AuditLog.objects.get(pk=entry.pk).username == "sophie"


def test_admin_shows_the_log_read_only(client):
    _entry()
    admin = make_user(Role.COORDINATOR, username="admin", is_staff=True, is_superuser=True)
    client.force_login(admin)
    entry = AuditLog.objects.get()
    assert client.get("/admin/escorter/auditlog/").status_code == 200
    assert client.get(f"/admin/escorter/auditlog/{entry.pk}/delete/").status_code == 403
    assert client.get("/admin/escorter/auditlog/add/").status_code == 403


def _entry_at(days_ago: int) -> AuditLog:
    from django.utils import timezone

    return AuditLog.objects.create(at=timezone.now() - dt.timedelta(days=days_ago), action="view", detail="x")


def test_purge_deletes_only_entries_older_than_the_retention_and_says_so():
    old, recent = _entry_at(400), _entry_at(100)
    assert audit.purge_audit_log(retention_days=365) == 1
    assert not AuditLog.objects.filter(pk=old.pk).exists() and AuditLog.objects.filter(pk=recent.pk).exists()
    purge = AuditLog.objects.get(action="delete", object_type="escorter.AuditLog")
    assert purge.detail.startswith("purge de conservation : 1 entrée(s)")


def test_purge_cannot_reach_the_last_six_months():
    _entry_at(100)
    with pytest.raises(ValueError, match="180 jours"):
        audit.purge_audit_log(retention_days=30)
    # nor by raw SQL announcing a recent date: the trigger keeps the floor
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SELECT set_config('escorter.audit_purge_before', now()::text, true)")
        cursor.execute("DELETE FROM escorter_auditlog")
    assert AuditLog.objects.count() == 1


def test_purge_runs_monthly_on_the_owner_queue(settings):
    entry = settings.CELERY_BEAT_SCHEDULE["purge-audit-log-monthly"]
    assert entry["task"] == "escorter.tasks.purge_audit_log"
    assert settings.CELERY_TASK_ROUTES["escorter.tasks.purge_audit_log"] == {"queue": "maintenance"}
    from escorter.celery import app

    assert app.amqp.router.route({}, "escorter.tasks.purge_audit_log")["queue"].name == "maintenance"


def test_a_role_without_delete_cannot_purge_even_announcing_an_old_date():
    """What the app's production role gets (migration escorter 0005 revokes the rest)."""
    _entry_at(400)
    role = f"escorter_test_app_{os.getpid()}"  # roles are cluster-wide; rolled back with the test
    with connection.cursor() as cursor:
        cursor.execute(f"CREATE ROLE {role} NOLOGIN")
        cursor.execute(f"GRANT SELECT, INSERT ON escorter_auditlog TO {role}")
    for sql in (
        "DELETE FROM escorter_auditlog",
        "TRUNCATE escorter_auditlog",
        "UPDATE escorter_auditlog SET detail=''",
    ):
        with pytest.raises(DatabaseError, match="permission denied"), transaction.atomic():
            with connection.cursor() as cursor:
                cursor.execute(f"SET LOCAL ROLE {role}")
                cursor.execute("SELECT set_config('escorter.audit_purge_before', '2000-01-01', true)")
                cursor.execute(sql)
    assert AuditLog.objects.count() == 1


def test_nominative_models_are_not_in_the_admin():
    from django.contrib import admin

    from patients.models import Call, Patient, PatientImport, PatientStatusChange
    from staffing.models import Consultation, Reminder

    for model in (Patient, PatientStatusChange, PatientImport, Call, Consultation, Reminder):
        assert not admin.site.is_registered(model), model
