"""Reads of the reporting app: funders, funding and the indicators of the monthly reports.

Each indicator section is a function (month, scope) -> Section listed in SECTIONS
(reporting.selectors.sections); every figure comes from an aggregate query in PostgreSQL.
"""

from __future__ import annotations

from reporting.models import Funder


def funder_of(user) -> Funder | None:
    membership = getattr(user, "funder_membership", None) if user.is_authenticated else None
    return membership.funder if membership else None
