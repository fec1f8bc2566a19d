"""Model fields the apps declare alike."""

from __future__ import annotations

from django.conf import settings
from django.db import models


def recorded_by(verbose_name: str, *, related_name: str | None = "+") -> models.ForeignKey:
    """Who did something (created, confirmed, cancelled…): a user, emptied if the account is deleted.
    No reverse accessor unless `related_name` names one (None: Django's default)."""
    names = {"related_name": related_name} if related_name else {}
    return models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=verbose_name, null=True, blank=True, on_delete=models.SET_NULL, **names
    )
