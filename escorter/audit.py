"""The one helper every nominative read and every export goes through."""

from __future__ import annotations

from django.db import models

from escorter.models import AuditLog
from escorter.proxies import client_ip
from escorter.roles import user_role

# Free-text parameters carry names, phone numbers, birth dates: the audit trail says that a
# search happened, never its words (they would outlive the person's erasure).
SEARCH_PARAMETERS = frozenset({"q", "search", "nom", "name", "phone", "telephone"})


def describe_query(params, *, limit: int = 500) -> str:
    """A request's query string for the audit trail: filters kept, search terms left out."""
    kept, searched = [], False
    for key in params:
        if key in SEARCH_PARAMETERS:
            searched = searched or any(v.strip() for v in params.getlist(key))
            continue
        kept.extend(f"{key}={value}" for value in params.getlist(key) if value)
    text = "&".join(kept)
    if searched:
        text = (text + " " if text else "") + "(recherche nominative, terme non conservé)"
    return text[:limit]


def record(
    request,
    action: str,
    obj: models.Model | None = None,
    *,
    object_type: str = "",
    object_id: str | int = "",
    detail: str = "",
) -> AuditLog:
    """Write one audit entry for `request.user` doing `action` on `obj`."""
    if obj is not None:
        object_type = object_type or obj._meta.label
        object_id = object_id or obj.pk
    user = request.user if request is not None else None
    role = user_role(user) if user is not None else None
    authenticated = bool(user and user.is_authenticated)
    return AuditLog.objects.create(
        user_id=user.pk if authenticated else None,
        username=user.get_username() if authenticated else "",
        role=role.value if role else "",
        action=action,
        object_type=object_type,
        object_id=str(object_id),
        detail=detail,
        ip=client_ip(request) if request is not None else None,
    )


def record_system(action: str, *, object_type: str, object_id: str | int = "", detail: str = "", user=None) -> AuditLog:
    """Audit entry for actions without a request (management commands, worker tasks)."""
    role = user_role(user) if user is not None else None
    return AuditLog.objects.create(
        user_id=user.pk if user is not None else None,
        username=user.get_username() if user is not None else "système",
        role=role.value if role else "",
        action=action,
        object_type=object_type,
        object_id=str(object_id),
        detail=detail,
    )


def purge_audit_log(*, retention_days: int | None = None, now=None) -> int:
    """Retention: delete the audit entries older than `retention_days` (AUDIT_RETENTION_DAYS).

    Only the database role that owns the table can: the app's role holds no DELETE on it,
    and the table's trigger (migration escorter 0005) lets a DELETE through only for rows
    older than the date this function announces for its own transaction, never for the
    last AUDIT_MIN_RETENTION_DAYS. Run by beat on the `maintenance` queue, whose worker
    connects as the owner (README, "Database roles").
    """
    import datetime as dt

    from django.conf import settings
    from django.db import connection, transaction
    from django.utils import timezone

    retention_days = retention_days or settings.AUDIT_RETENTION_DAYS
    if retention_days < settings.AUDIT_MIN_RETENTION_DAYS:
        raise ValueError(
            f"La durée de conservation du journal ne peut descendre sous {settings.AUDIT_MIN_RETENTION_DAYS} jours."
        )
    cutoff = (now or timezone.now()) - dt.timedelta(days=retention_days)
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SELECT set_config('escorter.audit_purge_before', %s, true)", [cutoff.isoformat()])
        cursor.execute("DELETE FROM escorter_auditlog WHERE at < %s", [cutoff])
        deleted = cursor.rowcount
        cursor.execute("SELECT set_config('escorter.audit_purge_before', '', true)")
    record_system(
        "delete",
        object_type="escorter.AuditLog",
        detail=f"purge de conservation : {deleted} entrée(s) antérieure(s) au {timezone.localtime(cutoff):%d/%m/%Y}",
    )
    return deleted
