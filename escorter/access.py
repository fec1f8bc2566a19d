"""The one shape of every object-access helper (`patient_for_user`, `call_for_user`, ...).

Each app keeps its helpers in its own `access.py` (one per object kind a URL names) and
builds them on `open_object`: role check (403), the object or 404 for a missing or
malformed id, the object-level rule (403), then the audit entry of a nominative read.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable

from django.core.exceptions import PermissionDenied
from django.db.models import Model, QuerySet
from django.http import Http404

from escorter.audit import record, record_system
from escorter.roles import Role, check_role


def open_object(
    queryset: QuerySet,
    pk,
    *,
    user,
    roles: Iterable[Role],
    not_found: str,
    may_open: Callable[[Model], bool] | None = None,
    refused: str = "Vous n'avez pas accès à cet élément.",
    request=None,
    audit: bool = True,
):
    """The object `pk` of `queryset` for `user`, or PermissionDenied / Http404.

    `may_open(obj)` is the object-level rule (a practitioner's own agenda...); `audit=False`
    is for the background requests of a page that was itself audited when it was opened.
    """
    check_role(user, *roles)
    try:
        obj = queryset.get(pk=int(pk))
    except (queryset.model.DoesNotExist, ValueError, TypeError, OverflowError):
        raise Http404(not_found)
    if may_open is not None and not may_open(obj):
        raise PermissionDenied(refused)
    if audit:
        if request is not None:
            record(request, "view", obj)
        else:
            record_system("view", object_type=obj._meta.label, object_id=obj.pk, user=user)
    return obj
