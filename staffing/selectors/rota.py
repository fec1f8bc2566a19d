"""Reads of the rota: professionals, rules, permanences, coverage against targets, iCal documents."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db.models import Count, Q, QuerySet
from django.utils import timezone
from icalendar import Calendar, Event

from sites.models import Premises
from staffing.models import CoverageTarget, Permanence, Profession, Professional, RotaRule
from staffing.selectors.calendars import PARIS, iso_week, monday_of, paris_datetime


def professionals() -> QuerySet[Professional]:
    return Professional.objects.select_related("commune", "user").annotate(
        rule_count=Count("rota_rules", filter=Q(rota_rules__active=True), distinct=True)
    )


def rota_rules(*, premises_id: int | None = None, professional_id: int | None = None) -> QuerySet[RotaRule]:
    rules = RotaRule.objects.select_related("professional", "premises", "room").order_by(
        "premises__name", "-active", "weekday", "start_time"
    )
    if premises_id:
        rules = rules.filter(premises_id=premises_id)
    if professional_id:
        rules = rules.filter(professional_id=professional_id)
    return rules


def professional_of(user) -> Professional | None:
    return Professional.objects.filter(user=user).first() if user.is_authenticated else None


# --- Coverage ---------------------------------------------------------------------------


@dataclass
class CoverageLine:
    premises: Premises
    profession: str
    profession_label: str
    target: float | None
    weeks: list[float]

    @property
    def cells(self) -> list[tuple[float, str]]:
        """(hours, css class) per week: green at or above target, orange above half, red below."""
        cells = []
        for hours in self.weeks:
            if not self.target:
                css = ""
            elif hours >= self.target:
                css = "coverage-ok"
            elif hours >= self.target / 2:
                css = "coverage-low"
            else:
                css = "coverage-gap"
            cells.append((hours, css))
        return cells


@dataclass
class Coverage:
    mondays: list[dt.date]
    lines: list[CoverageLine]

    @property
    def week_labels(self) -> list[str]:
        return [f"S{m.isocalendar()[1]} ({m:%d/%m})" for m in self.mondays]

    @property
    def iso_weeks(self) -> list[str]:
        return [iso_week(m) for m in self.mondays]


def coverage(*, first_monday: dt.date | None = None, weeks: int = 4) -> Coverage:
    """Active permanence hours per week, per premises and profession, against the coordinator's targets.

    One query for the hours, one for the targets, one for the premises.
    """
    first_monday = first_monday or monday_of(timezone.localdate())
    mondays = [first_monday + dt.timedelta(weeks=i) for i in range(weeks)]
    start = paris_datetime(first_monday, dt.time.min)
    end = paris_datetime(first_monday + dt.timedelta(weeks=weeks), dt.time.min)
    hours: dict[tuple[int, str, dt.date], float] = {}
    rows = (
        Permanence.objects.active()
        .filter(start__gte=start, start__lt=end)
        .values_list("premises_id", "professional__profession", "start", "end")
    )
    for premises_id, profession, p_start, p_end in rows:
        key = (premises_id, profession, monday_of(p_start.astimezone(PARIS).date()))
        hours[key] = hours.get(key, 0.0) + (p_end - p_start).total_seconds() / 3600
    targets = {(t.premises_id, t.profession): float(t.hours_per_week) for t in CoverageTarget.objects.all()}
    labels = dict(Profession.choices)
    premises_list = list(Premises.objects.exclude(status=Premises.Status.CLOSED).order_by("name"))
    lines = []
    for premises in premises_list:
        professions = {prof for (pid, prof) in targets if pid == premises.pk}
        professions |= {prof for (pid, prof, _) in hours if pid == premises.pk}
        for profession in [p for p in labels if p in professions]:
            lines.append(
                CoverageLine(
                    premises=premises,
                    profession=profession,
                    profession_label=labels[profession],
                    target=targets.get((premises.pk, profession)),
                    weeks=[round(hours.get((premises.pk, profession, m), 0.0), 1) for m in mondays],
                )
            )
    return Coverage(mondays=mondays, lines=lines)


# --- iCal -------------------------------------------------------------------------------

ICAL_PAST_DAYS = 60
ICAL_FUTURE_DAYS = 26 * 7


def _ical_permanences(**filters) -> QuerySet[Permanence]:
    now = timezone.now()
    return (
        Permanence.objects.filter(
            start__gte=now - dt.timedelta(days=ICAL_PAST_DAYS), start__lt=now + dt.timedelta(days=ICAL_FUTURE_DAYS)
        )
        .filter(**filters)
        .select_related("professional", "premises", "premises__commune", "room")
        .order_by("start")
    )


def ical_document(*, professional: Professional | None = None, premises: Premises | None = None) -> bytes:
    """The iCal feed of one professional's or one premises' permanences. Staff names only, never patients."""
    calendar = Calendar()
    calendar.add("prodid", "-//Escorter//Permanences//FR")
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("method", "PUBLISH")
    if professional is not None:
        name = f"Permanences – {professional.full_name}"
        permanences = _ical_permanences(professional=professional)
    else:
        name = f"Permanences – {premises.name}"
        permanences = _ical_permanences(premises=premises)
    calendar.add("x-wr-calname", name)
    calendar.add("x-wr-timezone", "Europe/Paris")
    # calendar apps poll subscriptions: hourly is plenty for a rota
    calendar.add("refresh-interval", dt.timedelta(hours=1), parameters={"VALUE": "DURATION"})
    calendar.add("x-published-ttl", "PT1H")
    stamp = timezone.now()
    for permanence in permanences:
        event = Event()
        event.add("uid", f"permanence-{permanence.pk}@escorter")
        event.add("dtstamp", stamp)
        event.add("dtstart", permanence.start.astimezone(dt.UTC))
        event.add("dtend", permanence.end.astimezone(dt.UTC))
        room = f" – {permanence.room.name}" if permanence.room_id else ""
        if professional is not None:
            summary = f"Permanence {permanence.premises.name}{room}"
        else:
            summary = f"{permanence.professional.full_name}{room}"
        if permanence.status == Permanence.Status.CANCELLED:
            summary = f"ANNULÉE – {summary}"
            event.add("status", "CANCELLED")
        else:
            event.add("status", "CONFIRMED")
        event.add("summary", summary)
        event.add("location", f"{permanence.premises.address}, {permanence.premises.commune.name}")
        description = "Consultations : " + ", ".join(permanence.get_kinds_display())
        if permanence.cancel_reason:
            description += f"\nMotif d'annulation : {permanence.cancel_reason}"
        event.add("description", description)
        event.add("last-modified", permanence.updated_at)
        calendar.add_component(event)
    return calendar.to_ical()
