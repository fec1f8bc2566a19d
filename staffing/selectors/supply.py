"""The consultation time the scheduler may offer: planned permanences of active professionals
who are not absent, in premises open and ready that day and not closed (nor their room)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from django.utils import timezone

from sites.models import Closure, Premises
from staffing.models import Absence, Permanence


def is_held(permanence: Permanence, *, absences: Iterable[Absence], closures: Iterable[Closure]) -> bool:
    """Whether the permanence can really take place: nobody absent, premises open, room not closed."""
    day = timezone.localdate(permanence.start)
    if permanence.premises.status != Premises.Status.OPEN or not permanence.premises.is_available_on(day):
        return False
    if any(a.professional_id == permanence.professional_id and a.start_date <= day <= a.end_date for a in absences):
        return False
    return not any(c.premises_id == permanence.premises_id and c.covers(day, permanence.room_id) for c in closures)


def schedulable_permanences(
    *,
    now: dt.datetime,
    horizon_days: int,
    kinds: Iterable[str],
    exclude_ids: Iterable[int] = (),
    only_ids: Iterable[int] | None = None,
) -> list[Permanence]:
    """Permanences still to end within the horizon that offer one of `kinds` and can really take place.

    Three queries whatever the number of permanences: permanences, absences, closures of the window.
    """
    queryset = (
        Permanence.objects.active()
        .filter(
            end__gt=now,
            start__lt=now + dt.timedelta(days=horizon_days),
            professional__active=True,
            premises__status=Premises.Status.OPEN,
            kinds__overlap=list(kinds),
        )
        .exclude(pk__in=list(exclude_ids))
        .select_related("professional", "premises__commune", "room")
        .order_by("start", "pk")
    )
    if only_ids is not None:
        queryset = queryset.filter(pk__in=list(only_ids))
    return only_held(list(queryset))


def only_held(permanences: list[Permanence]) -> list[Permanence]:
    """The permanences that can really take place (two queries: absences and closures of their days)."""
    if not permanences:
        return []
    days = [timezone.localdate(p.start) for p in permanences]
    first, last = min(days), max(days)
    professionals = {p.professional_id for p in permanences}
    absences = list(
        Absence.objects.filter(professional_id__in=professionals, start_date__lte=last, end_date__gte=first)
    )
    closures = list(
        Closure.objects.filter(
            premises_id__in={p.premises_id for p in permanences}, start_date__lte=last, end_date__gte=first
        )
    )
    return [p for p in permanences if is_held(p, absences=absences, closures=closures)]
