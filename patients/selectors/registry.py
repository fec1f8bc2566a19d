"""Reads of the registry. Every nominative read of one patient goes through patient_for_user."""

from __future__ import annotations

import datetime as dt
import re

from django.db.models import Count, Q, QuerySet, Value
from django.http import Http404

from escorter.audit import record, record_system
from escorter.roles import CARE_TEAM, check_role
from patients.models import Patient, Tier
from patients.models.registry import search_expression
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


def patient_for_user(user, pk, *, request=None) -> Patient:
    """The patient `pk` for `user`: role check (care team only; funders 403), audit entry, 404 if missing."""
    check_role(user, *CARE_TEAM)
    try:
        patient = Patient.objects.select_related("commune", "priority_rule", "created_by").get(pk=int(pk))
    except (Patient.DoesNotExist, ValueError, TypeError):
        raise Http404("Patient introuvable.")
    if request is not None:
        record(request, "view", patient)
    else:
        record_system("view", object_type="patients.Patient", object_id=patient.pk, user=user)
    return patient


def patient_history(patient: Patient) -> QuerySet:
    return patient.status_changes.select_related("by").order_by("-at", "-pk")


def waiting_list() -> QuerySet:
    """Base queryset of the waiting list in queue order: tier (fragility), then score (fragility
    and capped waiting), then the oldest referral."""
    return (
        Patient.objects.filter(anonymised_at__isnull=True)
        .select_related("commune")
        .only(*[f for f in LIST_FIELDS if f != "pk"], "next_consultation_at", "commune__epci_name")
        .in_queue_order()
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
        return queryset.filter(Q(phone__contains=digits) | Q(phone_2__contains=digits))
    condition = Q()
    # every word must appear somewhere in the names ("dupont jean" finds Jean Dupont)
    for word in query.split(" "):
        word = strip_accents(word).lower().replace("'", " ").strip()
        if word:
            condition &= Q(search_name__contains=search_expression(Value(word)))
    return queryset.filter(condition)


def awaiting_call_by_tier() -> dict[str, int]:
    """Patients waiting to be called, per tier (the one definition: `Patient.objects.awaiting_call`)."""
    counts = dict(Patient.objects.awaiting_call().values_list("priority_tier").annotate(n=Count("pk")).order_by())
    return {tier: counts.get(tier, 0) for tier in Tier.values}


def waiting_list_figures() -> dict:
    """Counts of the waiting list's header: patients waiting to be called, per tier (one query)."""
    figures = Patient.objects.awaiting_call().aggregate(
        total=Count("pk"),
        p1=Count("pk", filter=Q(priority_tier=Tier.P1)),
        p2=Count("pk", filter=Q(priority_tier=Tier.P2)),
        p3=Count("pk", filter=Q(priority_tier=Tier.P3)),
        ald=Count("pk", filter=Q(ald=True)),
    )
    figures["p1_share"] = figures["p1"] / figures["total"] if figures["total"] else 0.0
    return figures
