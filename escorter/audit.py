"""The one helper every nominative read and every export goes through."""

from __future__ import annotations

from django.db import models

from escorter.models import AuditLog
from escorter.roles import user_role


def client_ip(request) -> str | None:
    # Behind our reverse proxy REMOTE_ADDR is the proxy; gunicorn is configured with
    # --forwarded-allow-ips so that REMOTE_ADDR is already the client's address.
    return request.META.get("REMOTE_ADDR") or None


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
