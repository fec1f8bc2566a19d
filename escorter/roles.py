"""Roles (Django groups created by a migration) and the checks views use.

A user has one role. Superusers count as coordinators. Views declare the roles
they admit with `role_required(...)`; a
logged-in user outside those roles gets a 403, an anonymous one the login page
(LoginRequiredMiddleware already guarantees that).
"""

from __future__ import annotations

from functools import wraps

from django.core.exceptions import PermissionDenied
from django.db import models


class Role(models.TextChoices):
    COORDINATOR = "coordinator", "Coordination"
    SECRETARY = "secretary", "Secrétariat"
    PRACTITIONER = "practitioner", "Praticien"
    FUNDER = "funder", "Financeur"


# Groups of roles used by many views.
STAFF = (Role.COORDINATOR, Role.SECRETARY)
CARE_TEAM = (Role.COORDINATOR, Role.SECRETARY, Role.PRACTITIONER)
ALL_ROLES = tuple(Role)


def user_role(user) -> Role | None:
    """The role of `user`, or None (anonymous or in no role group). Cached per request."""
    if not getattr(user, "is_authenticated", False):
        return None
    cached = getattr(user, "_escorter_role", False)
    if cached is not False:
        return cached
    role = None
    if user.is_superuser:
        role = Role.COORDINATOR
    else:
        names = set(user.groups.values_list("name", flat=True))
        for candidate in Role:  # declaration order = precedence
            if candidate.value in names:
                role = candidate
                break
    user._escorter_role = role
    return role


def has_role(user, *roles: Role) -> bool:
    return user_role(user) in roles


def check_role(user, *roles: Role) -> None:
    if not has_role(user, *roles):
        raise PermissionDenied("Votre rôle ne donne pas accès à cette page.")


def role_required(*roles: Role):
    """Decorator for function views: 403 unless the user has one of `roles`."""

    def decorator(view):
        @wraps(view)
        def wrapped(request, *args, **kwargs):
            check_role(request.user, *roles)
            return view(request, *args, **kwargs)

        return wrapped

    return decorator
