"""Reads of the reporting app."""

from __future__ import annotations

from reporting.models import Funder


def funder_of(user) -> Funder | None:
    membership = getattr(user, "funder_membership", None) if user.is_authenticated else None
    return membership.funder if membership else None
