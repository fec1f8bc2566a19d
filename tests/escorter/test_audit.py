"""The audit log is append-only for the ORM and for raw SQL alike."""

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
