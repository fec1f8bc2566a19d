"""Reads of the unscheduled-care line: one call for a user, the call log, and aggregate figures."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db.models import Avg, Count, Q, QuerySet
from django.db.models.functions import ExtractHour, TruncDate
from django.utils import timezone

from patients.models import Call, CallOutcome, Patient
from patients.models.calls import CONSULTATION_OUTCOMES
from patients.selectors.registry import search_patients

# Below this count a commune is folded into "Autres communes" in figures sent to funders.


def _tz():
    return ZoneInfo(settings.TIME_ZONE)


def day_bounds(first_day: dt.date, last_day: dt.date) -> tuple[dt.datetime, dt.datetime]:
    """Aware [start, end) covering the local days first_day..last_day inclusive."""
    tz = _tz()
    start = dt.datetime.combine(first_day, dt.time.min, tzinfo=tz)
    end = dt.datetime.combine(last_day + dt.timedelta(days=1), dt.time.min, tzinfo=tz)
    return start, end


def call_log(*, first_day: dt.date, last_day: dt.date, outcome: str = "") -> QuerySet[Call]:
    """Calls received between two local days, newest first, ready for the log table."""
    start, end = day_bounds(first_day, last_day)
    calls = Call.objects.received_between(start, end, now=timezone.now()).select_related(
        "patient", "commune", "handled_by"
    )
    if outcome == "open":
        calls = calls.filter(outcome="")
    elif outcome:
        calls = calls.filter(outcome=outcome)
    return calls.order_by("-received_at", "-pk")


def search_call_patients(query: str, *, limit: int = 8) -> list[Patient]:
    """Patients matching what the secretary types (name, birth date or phone), at most `limit`."""
    if len(" ".join((query or "").split())) < 2:
        return []
    base = Patient.objects.filter(anonymised_at__isnull=True).select_related("commune")
    return list(search_patients(base, query).order_by("last_name", "first_names", "pk")[:limit])


def line_figures(*, start: dt.datetime, end: dt.datetime) -> dict:
    """Aggregates of the line between two aware datetimes, for the coordinators' dashboard.

    A fixed number of aggregate queries, whatever the number of calls.
    """
    calls = Call.objects.received_between(start, end)
    totals = calls.aggregate(
        total=Count("pk"),
        closed=Count("pk", filter=~Q(outcome="")),
        vital=Count("pk", filter=Q(outcome=CallOutcome.VITAL_EMERGENCY)),
        consultation_outcomes=Count("pk", filter=Q(outcome__in=CONSULTATION_OUTCOMES)),
        avg_duration=Avg("duration_seconds"),
    )
    per_day = {
        row["day"]: row["n"]
        for row in calls.annotate(day=TruncDate("received_at", tzinfo=_tz())).values("day").annotate(n=Count("pk"))
    }
    per_hour = {
        row["hour"]: row["n"]
        for row in calls.annotate(hour=ExtractHour("received_at", tzinfo=_tz())).values("hour").annotate(n=Count("pk"))
    }
    by_outcome = dict(calls.closed().values_list("outcome").annotate(n=Count("pk")).values_list("outcome", "n"))
    communes = list(
        calls.filter(commune__isnull=False)
        .values("commune__name", "commune__insee_code")
        .annotate(n=Count("pk"))
        .order_by("-n", "commune__name")[:10]
    )
    first_day = start.astimezone(_tz()).date()
    last_day = (end - dt.timedelta(microseconds=1)).astimezone(_tz()).date()
    days = [first_day + dt.timedelta(days=i) for i in range((last_day - first_day).days + 1)]
    total = totals["total"]
    return {
        "total": total,
        "closed": totals["closed"],
        "vital": totals["vital"],
        "vital_share": (totals["vital"] / total) if total else 0.0,
        "consultation_outcomes": totals["consultation_outcomes"],
        "avg_duration_seconds": totals["avg_duration"],
        "per_day": [(day, per_day.get(day, 0)) for day in days],
        "per_hour": [(hour, per_hour.get(hour, 0)) for hour in range(24)],
        "by_outcome": [(c.value, c.label, by_outcome.get(c.value, 0)) for c in CallOutcome],
        "busiest_communes": communes,
    }
