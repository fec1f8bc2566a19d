"""Reads of the registry. Every nominative read of one patient goes through patients.access."""

from __future__ import annotations

import datetime as dt
import re

from django.db.models import Count, Q, QuerySet, Sum, Value

from patients.models import Patient, RegistryCount, Tier
from patients.models.registry import WAITING_ORDER, search_expression
from patients.normalise import strip_accents

LIST_FIELDS = (
    "pk",
    "last_name",
    "birth_name",
    "first_names",
    "sex",
    "birth_date",
    "phone",
    "commune__name",
    "commune__insee_code",
    "referral_date",
    "referral_source",
    "ald",
    "status",
    "priority_score",
    "priority_tier",
    "priority_explanation",
)


def patient_history(patient: Patient) -> QuerySet:
    return patient.status_changes.select_related("by").order_by("-at", "-pk")


def waiting_list() -> QuerySet:
    """Base queryset of the waiting list in queue order: tier (fragility), then score (fragility
    and capped waiting), then the oldest referral.

    Ordered by WAITING_ORDER, the ascending expressions of the patient_wait_* indexes, so that
    every filter of the list reads its page straight from one of them.
    """
    return (
        Patient.objects.filter(anonymised_at__isnull=True)
        .select_related("commune")
        .only(*[f for f in LIST_FIELDS if f != "pk"], "next_consultation_at", "commune__epci_name")
        .order_by(*WAITING_ORDER)
    )


_DATE = re.compile(r"^(\d{1,2})[/.-](\d{1,2})[/.-](\d{4})$")
_ISO = re.compile(r"^(\d{4})-(\d{2})-(\d{2})$")


def search_patients(queryset: QuerySet, query: str) -> QuerySet:
    """Name (accent- and case-insensitive, trigram-indexed), birth date dd/mm/yyyy, or phone."""
    query = " ".join((query or "").split())
    if not query:
        return queryset
    match = _DATE.match(query) or _ISO.match(query)
    if match:
        parts = [int(p) for p in match.groups()]
        day, month, year = parts if _DATE.match(query) else parts[::-1]
        try:
            return queryset.filter(birth_date=dt.date(year, month, day))
        except ValueError:
            return queryset.none()
    digits = re.sub(r"[\s.\-+]", "", query)
    if digits.isdigit() and len(digits) >= 4:
        if digits.startswith("33") and len(digits) == 11:
            digits = "0" + digits[2:]
        # one trigram-indexed text holds every phone of the person as digits
        return queryset.filter(phone_search__contains=digits)
    condition = Q()
    # every word must appear somewhere in the names ("dupont jean" finds Jean Dupont)
    for word in query.split(" "):
        word = strip_accents(word).lower().replace("'", " ").strip()
        if word:
            condition &= Q(search_name__contains=search_expression(Value(word)))
    return queryset.filter(condition)


def registry_count(
    *, statuses=Patient.ACTIVE_STATUSES, tiers=None, ald: bool | None = None, scheduled: bool | None = None
) -> int:
    """Exact number of non-anonymised patients with these statuses, tiers, ALD and with (or
    without) a consultation proposed or booked, from the maintained counts (a few rows)."""
    counts = RegistryCount.objects.filter(status__in=statuses)
    if tiers:
        counts = counts.filter(tier__in=tiers)
    if ald is not None:
        counts = counts.filter(ald=ald)
    if scheduled is not None:
        counts = counts.filter(scheduled=scheduled)
    return counts.aggregate(n=Sum("patients"))["n"] or 0


def _awaiting_call_counts():
    """(tier, ald, patients) rows of the patients waiting to be called (`Patient.objects.awaiting_call`)."""
    return RegistryCount.objects.filter(status=Patient.Status.WAITING, scheduled=False).values_list(
        "tier", "ald", "patients"
    )


def awaiting_call_by_tier() -> dict[str, int]:
    """Patients waiting to be called, per tier, from the maintained counts."""
    counts = dict.fromkeys(Tier.values, 0)
    for tier, _, patients in _awaiting_call_counts():
        counts[tier] = counts.get(tier, 0) + patients
    return counts


def waiting_list_figures() -> dict:
    """Counts of the waiting list's header: patients waiting to be called, per tier (one query on
    the maintained counts, never a count of the registry)."""
    figures = {"total": 0, "p1": 0, "p2": 0, "p3": 0, "ald": 0}
    for tier, ald, patients in _awaiting_call_counts():
        figures["total"] += patients
        figures[tier.lower()] = figures.get(tier.lower(), 0) + patients
        figures["ald"] += patients if ald else 0
    figures["p1_share"] = figures["p1"] / figures["total"] if figures["total"] else 0.0
    return figures


def registry_now_by_status_and_tier() -> dict[tuple[str, str], int]:
    """{(status, tier): patients} of the whole registry now: the maintained counts (a few rows) plus
    the anonymised patients they leave out (their own partial index), so that it counts what a
    count of the registry would (reporting's month-end figures of the running month)."""
    counts: dict[tuple[str, str], int] = {}
    rows = RegistryCount.objects.values_list("status", "tier").annotate(n=Sum("patients")).order_by()
    anonymised = (
        Patient.objects.filter(anonymised_at__isnull=False)
        .values_list("status", "priority_tier")
        .annotate(n=Count("pk"))
        .order_by()
    )
    for status, tier, n in [*rows, *anonymised]:
        counts[(status, tier)] = counts.get((status, tier), 0) + n
    return counts
