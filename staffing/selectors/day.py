"""The day's consultations for the practitioner's and the secretary's day pages, and the proposals list."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.db.models import QuerySet
from django.utils import timezone

from staffing.models import Consultation, ConsultationStatus


def day_bounds(day: dt.date) -> tuple[dt.datetime, dt.datetime]:
    start = timezone.make_aware(dt.datetime.combine(day, dt.time.min))
    return start, start + dt.timedelta(days=1)


def day_consultations(day: dt.date) -> QuerySet[Consultation]:
    """Active consultations of `day` with everything the day pages print (a fixed number of queries)."""
    start, end = day_bounds(day)
    return (
        Consultation.objects.filter(start__gte=start, start__lt=end)
        .filter(status__in=Consultation.HELD_STATUSES)
        .select_related("patient__commune", "professional", "permanence__premises", "permanence__room")
        .order_by("permanence__premises__name", "start")
    )


@dataclass
class SiteDay:
    premises: object
    consultations: list[Consultation] = field(default_factory=list)

    @property
    def arrived(self) -> int:
        return sum(1 for c in self.consultations if c.arrived_at or c.status == ConsultationStatus.DONE)

    @property
    def no_shows(self) -> int:
        return sum(1 for c in self.consultations if c.status == ConsultationStatus.NO_SHOW)

    @property
    def expected(self) -> int:
        return sum(1 for c in self.consultations if c.status == ConsultationStatus.BOOKED and not c.arrived_at)


def by_site(consultations) -> list[SiteDay]:
    sites: dict[int, SiteDay] = {}
    for consultation in consultations:
        premises = consultation.permanence.premises
        sites.setdefault(premises.pk, SiteDay(premises)).consultations.append(consultation)
    return list(sites.values())


def proposals(now: dt.datetime | None = None) -> QuerySet[Consultation]:
    return (
        Consultation.objects.live_proposals(now)
        .select_related("patient__commune", "professional", "permanence__premises")
        .order_by("patient__priority_tier", "-patient__priority_score", "start")
    )
