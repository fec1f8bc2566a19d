"""What every indicator section receives: the month and the audience's scope."""

from __future__ import annotations

from dataclasses import dataclass

from django.apps import apps

from reporting.models import Funder
from reporting.periods import Month


@dataclass(frozen=True)
class Scope:
    """Who the figures are for. Every funder sees the whole territory; the audience only
    narrows the funding section to its own lines and objectives."""

    audience: Funder | None = None


def model_or_none(label: str):
    """The model `app.Model`, or None while the app that owns it has not shipped it yet."""
    try:
        return apps.get_model(label)
    except LookupError:
        return None


def has_fields(model, *names: str) -> bool:
    fields = {field.name for field in model._meta.get_fields()}
    return all(name in fields for name in names)


__all__ = ["Month", "Scope", "model_or_none", "has_fields"]
