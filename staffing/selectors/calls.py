"""Reads for the unscheduled-care line on the staffing side: free SNP time near the caller, booking figures."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.db.models import Aggregate, Avg, Count, DurationField, F, Q
from django.utils import timezone

from patients.models import Call
from sites.models import Commune
from sites.selectors import commune_centroids, great_circle_km
from staffing.models import Consultation, ConsultationKind, Permanence
from staffing.selectors.booking import bookable_permanences, free_starts
from staffing.selectors.supply import only_held

SNP = ConsultationKind.SNP


class Median(Aggregate):
    """PostgreSQL's percentile_cont(0.5): the median delay, robust to the odd booking days ahead."""

    function = "PERCENTILE_CONT"
    template = "%(function)s(0.5) WITHIN GROUP (ORDER BY %(expressions)s)"
    output_field = DurationField()


@dataclass
class SlotBlock:
    permanence: Permanence
    distance_km: float | None
    times: list[dt.datetime]


@dataclass
class SlotDay:
    date: dt.date
    label: str
    blocks: list[SlotBlock] = field(default_factory=list)


def snp_free_times(*, origin: Commune | None, now: dt.datetime | None = None, days: int = 2) -> list[SlotDay]:
    """Free SNP start times from now to the end of tomorrow across all sites, nearest premises first.

    Free time comes from the booking selectors (permanence minus active consultations) and
    distances from the sites selectors, so this page and the booking page never disagree.
    """
    now = now or timezone.now()
    today = timezone.localdate(now)
    horizon = timezone.make_aware(dt.datetime.combine(today + dt.timedelta(days=days), dt.time.min))
    permanences = only_held(list(bookable_permanences(kind=SNP, start=now, end=horizon)))
    times = free_starts(permanences, kind=SNP, after=now, now=now)
    communes = {p.premises.commune for p in permanences} | ({origin} if origin is not None else set())
    centroids = commune_centroids(communes)
    here = centroids.get(origin.pk) if origin is not None else None

    def distance(commune) -> float | None:
        there = centroids.get(commune.pk)
        return great_circle_km(*here, *there) if here and there else None

    labels = ("Aujourd'hui", "Demain")
    result = {}
    for i in range(days):
        day = today + dt.timedelta(days=i)
        result[day] = SlotDay(day, labels[i] if i < len(labels) else "")
    for permanence in permanences:
        starts = times.get(permanence.pk) or []
        day = result.get(timezone.localdate(permanence.start))
        if starts and day is not None:
            day.blocks.append(SlotBlock(permanence, distance(permanence.premises.commune), starts))
    for day in result.values():
        day.blocks.sort(key=lambda b: (b.distance_km if b.distance_km is not None else 1e9, b.times[0]))
    return [day for day in result.values() if day.blocks]


def sas_bookings(*, now: dt.datetime | None = None, days: int = 2, limit: int = 50):
    """Consultations booked by the SAS regulators from today to the end of tomorrow (the call line shows them)."""
    now = now or timezone.now()
    today = timezone.localdate(now)
    start = timezone.make_aware(dt.datetime.combine(today, dt.time.min))
    return (
        Consultation.objects.filter(
            source=Consultation.Source.SAS, start__gte=start, start__lt=start + dt.timedelta(days=days)
        )
        .exclude(status=Consultation.Status.CANCELLED)
        .select_related("patient", "professional", "permanence__premises__commune")
        .order_by("start")[:limit]
    )


def call_consultations(call: Call):
    """The active consultations booked from `call` (normally zero or one)."""
    return (
        Consultation.objects.filter(call=call)
        .exclude(status=Consultation.Status.CANCELLED)
        .select_related("permanence__premises__commune", "professional", "permanence__professional")
        .order_by("start")
    )


def call_booking_figures(*, start: dt.datetime, end: dt.datetime) -> dict:
    """How many calls received in [start, end) ended in a consultation, and how soon it took place.

    A consultation counts when it was booked from the call and not cancelled.
    """
    total = Call.objects.received_between(start, end).count()
    booked = Consultation.objects.filter(call__received_at__gte=start, call__received_at__lt=end).exclude(
        status=Consultation.Status.CANCELLED
    )
    # __date follows the current time zone (Europe/Paris): "same day" is a local day
    figures = booked.aggregate(
        booked_calls=Count("call", distinct=True),
        median_delay=Median(F("start") - F("call__received_at")),
        avg_delay=Avg(F("start") - F("call__received_at"), output_field=DurationField()),
        same_day=Count(
            "call",
            distinct=True,
            filter=Q(start__date=F("call__received_at__date")),
        ),
    )
    booked_calls = figures["booked_calls"]
    median = figures["median_delay"]
    return {
        "total": total,
        "booked_calls": booked_calls,
        "booked_share_pct": 100 * booked_calls / total if total else 0,
        "median_delay_hours": median.total_seconds() / 3600 if median is not None else None,
        "avg_delay_hours": figures["avg_delay"].total_seconds() / 3600 if figures["avg_delay"] is not None else None,
        "same_day": figures["same_day"],
        "same_day_pct": 100 * figures["same_day"] / booked_calls if booked_calls else 0,
    }
