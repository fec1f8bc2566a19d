"""The day's consultations for the practitioner's and the secretary's day pages, and the proposals list."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.db.models import QuerySet
from django.shortcuts import get_object_or_404
from django.utils import timezone

from sites.models import Premises
from staffing.forms.booking import OutcomeForm
from staffing.models import Consultation, Professional


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
        return sum(1 for c in self.consultations if c.arrived_at or c.is_done)

    @property
    def no_shows(self) -> int:
        return sum(1 for c in self.consultations if c.is_no_show)

    @property
    def expected(self) -> int:
        return sum(1 for c in self.consultations if c.is_booked and not c.arrived_at)


def by_site(consultations) -> list[SiteDay]:
    sites: dict[int, SiteDay] = {}
    for consultation in consultations:
        premises = consultation.permanence.premises
        sites.setdefault(premises.pk, SiteDay(premises)).consultations.append(consultation)
    return list(sites.values())


@dataclass
class PractitionerDay:
    professional: Professional | None
    sites: list[SiteDay]
    count: int


def practitioner_day(*, day: dt.date, user=None, professional_id: int | None = None) -> PractitionerDay:
    """One practitioner's patients of `day` per site, each with its outcome form, in a fixed number
    of queries. The practitioner is `user`'s own record if given, else `professional_id` (404 if
    unknown); with neither, nobody is chosen yet."""
    if user is not None:
        professional = Professional.objects.filter(user=user).first()
    else:
        professional = get_object_or_404(Professional, pk=professional_id) if professional_id else None
    if professional is None:
        return PractitionerDay(None, [], 0)
    consultations = list(day_consultations(day).filter(professional=professional))
    for consultation in consultations:
        consultation.form = OutcomeForm(
            prefix_pk=consultation.pk,
            initial={
                "seen": "0" if consultation.is_no_show else "1",
                "orientation": consultation.orientation,
                "next_appointment_needed": consultation.next_appointment_needed,
                "note": consultation.outcome_note,
            },
        )
    return PractitionerDay(professional, by_site(consultations), len(consultations))


@dataclass
class SecretaryDay:
    premises_list: list[Premises]
    current: Premises | None
    sites: list[SiteDay]
    count: int


def secretary_day(*, day: dt.date, premises_id: int | None = None) -> SecretaryDay:
    """`day`'s consultations per site (only `premises_id`'s if given), and the sites to choose from."""
    premises_list = list(Premises.objects.exclude(status=Premises.Status.CLOSED).order_by("name"))
    consultations = day_consultations(day)
    current = None
    if premises_id:
        current = next((p for p in premises_list if p.pk == premises_id), None)
        consultations = consultations.filter(permanence__premises_id=premises_id)
    consultations = list(consultations)
    return SecretaryDay(premises_list, current, by_site(consultations), len(consultations))


def proposals(now: dt.datetime | None = None) -> QuerySet[Consultation]:
    return (
        Consultation.objects.live_proposals(now)
        .select_related("patient__commune", "professional", "permanence__premises")
        .order_by("patient__priority_tier", "-patient__priority_score", "start")
    )
