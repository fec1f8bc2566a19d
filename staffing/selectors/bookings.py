"""What the rota needs to know about bookings, without depending on how booking is stored."""

from __future__ import annotations

from collections.abc import Iterable


def booked_permanence_ids(permanence_ids: Iterable[int]) -> set[int]:
    """The ids, among `permanence_ids`, of permanences with at least one active booking.

    The rota uses it to leave booked permanences alone when a rule changes and to warn
    before cancelling one. Booked, done and no-show consultations count, and so do the
    scheduler's proposals that have not expired (a secretary may be calling the patient).
    """
    from staffing.models import Consultation

    ids = list(permanence_ids)
    if not ids:
        return set()
    rows = Consultation.objects.filter(permanence_id__in=ids).occupying()
    return set(rows.values_list("permanence_id", flat=True).distinct())
