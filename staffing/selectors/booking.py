"""Free consultation time (permanences minus active consultations) and what a booking page shows.

Free time is derived, never stored: a permanence offers starts every `consultation
length` minutes from its beginning, and a start is free when no active consultation of
that permanence overlaps it (expired scheduler proposals no longer count). Two queries
whatever the number of permanences: one for the permanences, one for their consultations.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field

from django.db.models import QuerySet
from django.utils import timezone

from sites.models import Premises
from sites.selectors import commune_centroids, great_circle_km
from staffing.models import (
    KIND_PROFESSIONS,
    Consultation,
    ConsultationKind,
    ConsultationStatus,
    Permanence,
    Profession,
)
from staffing.selectors.supply import only_held

DEFAULT_HORIZON_DAYS = 28


def consultation_minutes(professional, kind: str | None = None) -> int:
    """Length of a consultation: the professional's own setting (it depends on the profession)."""
    return int(professional.default_consultation_minutes or 20)


def busy_intervals(
    permanence_ids: Iterable[int], *, now: dt.datetime | None = None
) -> dict[int, list[tuple[dt.datetime, dt.datetime]]]:
    """Occupied [start, end) intervals per permanence id (one query)."""
    busy: dict[int, list[tuple[dt.datetime, dt.datetime]]] = defaultdict(list)
    rows = (
        Consultation.objects.filter(permanence_id__in=list(permanence_ids))
        .occupying(now)
        .values_list("permanence_id", "start", "end")
    )
    for permanence_id, start, end in rows:
        busy[permanence_id].append((start, end))
    return busy


def grid_starts(permanence: Permanence, minutes: int) -> list[dt.datetime]:
    step = dt.timedelta(minutes=minutes)
    starts = []
    t = permanence.start
    while t + step <= permanence.end:
        starts.append(t)
        t += step
    return starts


def free_starts(
    permanences: Iterable[Permanence],
    *,
    kind: str | None = None,
    after: dt.datetime | None = None,
    now: dt.datetime | None = None,
    patient_busy: list[tuple[dt.datetime, dt.datetime]] | None = None,
) -> dict[int, list[dt.datetime]]:
    """Free start times per permanence id (permanences need `professional` loaded).

    `after` drops starts before it (e.g. now); `patient_busy` drops starts that would
    overlap the patient's own appointments elsewhere.
    """
    permanences = list(permanences)
    busy = busy_intervals([p.pk for p in permanences], now=now)
    result: dict[int, list[dt.datetime]] = {}
    for permanence in permanences:
        minutes = consultation_minutes(permanence.professional, kind)
        length = dt.timedelta(minutes=minutes)
        taken = busy.get(permanence.pk, []) + list(patient_busy or [])
        free = []
        for start in grid_starts(permanence, minutes):
            if after is not None and start < after:
                continue
            end = start + length
            if any(s < end and e > start for s, e in taken):
                continue
            free.append(start)
        result[permanence.pk] = free
    return result


def is_free(permanence: Permanence, start: dt.datetime, kind: str | None = None) -> bool:
    return start in free_starts([permanence], kind=kind).get(permanence.pk, [])


def slot_problem(
    permanence: Permanence,
    start: dt.datetime,
    end: dt.datetime,
    *,
    patient=None,
    ignore: Consultation | None = None,
    now: dt.datetime | None = None,
) -> str:
    """Why this slot cannot be booked any more ('' when it still can): shown when the
    confirmation page loads, so nobody fills it in for a time taken meanwhile.

    `ignore` is the consultation being moved (its own time does not count).
    """
    now = now or timezone.now()
    if permanence.status != Permanence.Status.PLANNED:
        return "Cette permanence a été annulée : choisissez un autre horaire."
    if start < now:
        return "Cet horaire est passé : choisissez un autre horaire."
    if start < permanence.start or end > permanence.end:
        return "Cet horaire ne tient plus dans la permanence : choisissez un autre horaire."
    taken = Consultation.objects.occupying(now).filter(start__lt=end, end__gt=start)
    if ignore is not None:
        taken = taken.exclude(pk=ignore.pk)
    if taken.filter(permanence=permanence).exists():
        return "Ce créneau vient d'être pris : choisissez un autre horaire."
    if patient is not None and taken.filter(patient=patient).exists():
        return "Le patient a déjà un rendez-vous à cette heure-là : choisissez un autre horaire."
    return ""


def bookable_permanences(
    *, kind: str, start: dt.datetime, end: dt.datetime, professions: Iterable[str] | None = None
) -> QuerySet[Permanence]:
    """Planned permanences offering `kind`, held by a profession that may do it, between start and end."""
    professions = list(professions or KIND_PROFESSIONS.get(kind, ()))
    return (
        Permanence.objects.active()
        .filter(
            premises__status=Premises.Status.OPEN,  # not bookable before the premises open
            kinds__contains=[kind],
            professional__profession__in=professions,
            professional__active=True,
            end__gt=start,
            start__lt=end,
        )
        .select_related("premises__commune", "professional", "room")
        .order_by("start")
    )


# --- The booking page ---------------------------------------------------------------------


def needed_kind(patient, *, seen_before: bool) -> str:
    """What the patient needs next: a first visit, an ALD follow-up with a GP, or prevention."""
    if not seen_before:
        return ConsultationKind.FIRST_VISIT
    if patient.ald:
        return ConsultationKind.FOLLOW_UP
    return ConsultationKind.PREVENTION


def patient_seen_before(patient) -> bool:
    return Consultation.objects.filter(patient=patient, status=ConsultationStatus.DONE).exists()


@dataclass
class SiteTimes:
    premises: object
    distance_km: float | None
    slots: list[tuple[Permanence, dt.datetime]] = field(default_factory=list)

    @property
    def first(self) -> dt.datetime | None:
        return self.slots[0][1] if self.slots else None

    @property
    def by_day(self) -> list[tuple[dt.date, list[tuple[Permanence, dt.datetime]]]]:
        days: dict[dt.date, list] = {}
        for permanence, start in self.slots:
            days.setdefault(timezone.localdate(start), []).append((permanence, start))
        return list(days.items())


def booking_options(
    *,
    patient,
    kind: str,
    now: dt.datetime | None = None,
    days: int = DEFAULT_HORIZON_DAYS,
    per_site: int = 8,
    ignore: Consultation | None = None,
) -> list[SiteTimes]:
    """Next free times that suit `patient` for `kind`: sites nearest first, soonest first within a site.

    `ignore` is the consultation being moved: its own time does not block the patient.
    """
    now = now or timezone.now()
    horizon = now + dt.timedelta(days=days)
    permanences = only_held(list(bookable_permanences(kind=kind, start=now, end=horizon)))
    own = Consultation.objects.filter(patient=patient, end__gt=now, start__lt=horizon).occupying(now)
    if ignore is not None:
        own = own.exclude(pk=ignore.pk)
    patient_busy = list(own.values_list("start", "end"))
    times = free_starts(permanences, kind=kind, after=now, now=now, patient_busy=patient_busy)
    communes = {p.premises.commune_id: p.premises.commune for p in permanences}
    if patient.commune_id:
        communes[patient.commune_id] = patient.commune
    centroids = commune_centroids(communes.values())
    origin = centroids.get(patient.commune_id) if patient.commune_id else None
    sites: dict[int, SiteTimes] = {}
    for permanence in permanences:
        premises = permanence.premises
        if premises.pk not in sites:
            target = centroids.get(premises.commune_id)
            distance = great_circle_km(*origin, *target) if origin and target else None
            sites[premises.pk] = SiteTimes(premises, distance)
        sites[premises.pk].slots.extend((permanence, start) for start in times.get(permanence.pk, []))
    result = [site for site in sites.values() if site.slots]
    for site in result:
        site.slots.sort(key=lambda item: item[1])
        site.total = len(site.slots)
        site.slots = site.slots[:per_site]
    result.sort(key=lambda s: (s.distance_km if s.distance_km is not None else 1e9, s.first))
    return result


def kind_choices_for_booking() -> list[tuple[str, str]]:
    return [(k.value, k.label) for k in ConsultationKind if k != ConsultationKind.SNP]


def patient_consultations(patient) -> QuerySet[Consultation]:
    """The patient's consultations, newest first, ready for the patient page fragment."""
    return (
        Consultation.objects.filter(patient=patient)
        .select_related("professional", "permanence__premises", "permanence__room")
        .order_by("-start")
    )


def profession_label(profession: str) -> str:
    return Profession(profession).label if profession in Profession.values else profession


def distance_between(patient, permanence) -> float | None:
    from sites.selectors import distance_km

    return distance_km(patient.commune, permanence.premises.commune) if patient.commune_id else None


def upcoming_for_patient(patient) -> list[Consultation]:
    """Booked or proposed consultations still to come (the booking page offers to move them instead)."""
    return list(
        Consultation.objects.filter(
            patient=patient,
            status__in=Consultation.UPCOMING_STATUSES,
            end__gt=timezone.now(),
        )
        .select_related("professional", "permanence__premises")
        .order_by("start")
    )
