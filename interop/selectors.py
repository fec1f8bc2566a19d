"""Reads for the SAS connector: the SNP times published to the SAS, and the API's lookups.

Published slots are derived on every request from the staffing booking selectors, the
same free-time computation the secretaries' call line uses (permanences minus active
consultations, and whatever else those selectors learn to subtract). Nothing is stored:
a time booked by a secretary disappears from the SAS search at once, and vice versa.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.utils import timezone

from interop.models import PermanencePublication, PublicationPolicy, SasAppointment
from staffing.models import ConsultationKind, Permanence
from staffing.selectors.booking import bookable_permanences, consultation_minutes, free_starts, grid_starts

SNP = ConsultationKind.SNP
MAX_SEARCH_DAYS = 31


@dataclass(frozen=True)
class PublishedSlot:
    permanence: Permanence
    start: dt.datetime
    end: dt.datetime

    @property
    def fhir_id(self) -> str:
        return slot_id(self.permanence.pk, self.start)


def slot_id(permanence_id: int, start: dt.datetime) -> str:
    """'412-20260612T1440Z': the permanence and the UTC start (stable, no DST ambiguity, a valid FHIR id)."""
    return f"{permanence_id}-{start.astimezone(dt.UTC):%Y%m%dT%H%MZ}"


def parse_slot_id(value: str) -> tuple[int, dt.datetime] | None:
    permanence, _, when = (value or "").partition("-")
    try:
        start = dt.datetime.strptime(when, "%Y%m%dT%H%MZ").replace(tzinfo=dt.UTC)
        return int(permanence), start
    except ValueError:
        return None


def default_share() -> int:
    policy = PublicationPolicy.objects.filter(pk=1).first()
    return policy.share_percent if policy is not None else 100


def shares_for(permanences: list[Permanence]) -> dict[int, int]:
    """Per-permanence shares chosen by the coordinator (one query); others use the default."""
    return dict(
        PermanencePublication.objects.filter(permanence__in=[p.pk for p in permanences]).values_list(
            "permanence_id", "share_percent"
        )
    )


def published_positions(count: int, share_percent: int) -> set[int]:
    """Which of a permanence's `count` grid times the SAS sees: `share_percent` of them, spread evenly.

    Position i is published when the running quota floor((i + 1) * share / 100) steps up,
    so 50 % publishes every second time and 25 % every fourth, across the whole permanence.
    The choice depends on the grid only, not on bookings: a time never moves in or out
    of the SAS because a neighbour was booked.
    """
    share = max(0, min(100, share_percent))
    return {i for i in range(count) if (i + 1) * share // 100 > i * share // 100}


def published_slots(
    *,
    start: dt.datetime,
    end: dt.datetime,
    rpps: set[str] | None = None,
    now: dt.datetime | None = None,
) -> list[PublishedSlot]:
    """Free SNP times published to the SAS with start in [start, end], soonest first.

    `rpps` (11-digit numbers) keeps the times of those practitioners only. Three queries
    whatever the number of permanences (permanences, their consultations, the shares).
    """
    now = now or timezone.now()
    # a time starting exactly at `end` counts (the search's `le`): look one second further
    permanences = bookable_permanences(kind=SNP, start=max(start, now), end=end + dt.timedelta(seconds=1))
    if rpps is not None:
        permanences = permanences.filter(professional__rpps__in=rpps)
    permanences = list(permanences)
    free = free_starts(permanences, kind=SNP, after=max(start, now), now=now)
    default = default_share()
    shares = shares_for(permanences)
    slots = []
    for permanence in permanences:
        minutes = consultation_minutes(permanence.professional, SNP)
        grid = grid_starts(permanence, minutes)
        positions = published_positions(len(grid), shares.get(permanence.pk, default))
        published = {grid[i] for i in positions}
        length = dt.timedelta(minutes=minutes)
        for time in free.get(permanence.pk, []):
            if time in published and start <= time <= end:
                slots.append(PublishedSlot(permanence, time, time + length))
    slots.sort(key=lambda s: (s.start, s.permanence.pk))
    return slots


def published_slot(value: str, *, now: dt.datetime | None = None) -> PublishedSlot | None:
    """The slot named by a FHIR id, if it is still published and free; None otherwise."""
    parsed = parse_slot_id(value)
    if parsed is None:
        return None
    permanence_id, start = parsed
    for slot in published_slots(start=start, end=start, now=now):
        if slot.permanence.pk == permanence_id:
            return slot
    return None


def slot_permanence(value: str) -> tuple[Permanence, dt.datetime] | None:
    """The permanence and start a slot id names, published or not (to tell 'taken' from 'unknown')."""
    parsed = parse_slot_id(value)
    if parsed is None:
        return None
    permanence_id, start = parsed
    permanence = Permanence.objects.filter(pk=permanence_id).select_related("professional", "premises__commune").first()
    return (permanence, start) if permanence is not None else None


def sas_appointment(client, *, system: str, value: str) -> SasAppointment | None:
    return (
        SasAppointment.objects.filter(client=client, identifier_system=system, identifier_value=value)
        .select_related("consultation__professional", "consultation__patient", "consultation__permanence__premises")
        .first()
    )


def sas_appointment_by_pk(client, pk) -> SasAppointment | None:
    try:
        pk = int(pk)
    except (TypeError, ValueError):
        return None
    return (
        SasAppointment.objects.filter(client=client, pk=pk)
        .select_related("consultation__professional", "consultation__patient", "consultation__permanence__premises")
        .first()
    )


@dataclass
class PermanenceRow:
    permanence: Permanence
    share: int
    overridden: bool
    times: int
    published: int
    published_free: int


def publication_overview(*, now: dt.datetime | None = None, days: int = 14) -> list[PermanenceRow]:
    """The coordinator's page: each upcoming SNP permanence, its share and how many times the SAS sees."""
    now = now or timezone.now()
    permanences = list(bookable_permanences(kind=SNP, start=now, end=now + dt.timedelta(days=days))[:200])
    free = free_starts(permanences, kind=SNP, after=now, now=now)
    default = default_share()
    shares = shares_for(permanences)
    rows = []
    for permanence in permanences:
        grid = grid_starts(permanence, consultation_minutes(permanence.professional, SNP))
        share = shares.get(permanence.pk, default)
        published = {grid[i] for i in published_positions(len(grid), share)}
        rows.append(
            PermanenceRow(
                permanence=permanence,
                share=share,
                overridden=permanence.pk in shares,
                times=len(grid),
                published=len(published),
                published_free=len(published & set(free.get(permanence.pk, []))),
            )
        )
    return rows
