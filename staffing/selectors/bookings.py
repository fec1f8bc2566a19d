"""What the rota needs to know about bookings, without depending on how booking is stored."""

from __future__ import annotations

from collections.abc import Iterable


def booked_permanence_ids(permanence_ids: Iterable[int]) -> set[int]:
    """The ids, among `permanence_ids`, of permanences with at least one active booking.

    The rota uses it to leave booked permanences alone when a rule changes and to warn
    before cancelling one. The booking app (issue 6, Consultation) implements it; until
    then nothing is booked.
    """
    return set()
