"""What every indicator section receives: the month and the audience's scope."""

from __future__ import annotations

from dataclasses import dataclass

from reporting.models import Funder
from reporting.periods import Month


@dataclass(frozen=True)
class Scope:
    """Who the figures are for. Every funder sees the whole territory; the audience only
    narrows the funding section to its own lines and objectives."""

    audience: Funder | None = None


__all__ = ["Month", "Scope"]
