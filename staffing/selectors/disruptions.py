"""Reads about disruptions: the "à rappeler" queue and what became of a cancelled permanence's patients."""

from __future__ import annotations

from django.db.models import Prefetch, QuerySet

from staffing.models import CallBack, Consultation, ConsultationStatus, Permanence

QUEUE_PAGE = 50


def call_back_queue() -> QuerySet[CallBack]:
    """Open lines, the most fragile first, then the oldest: constant queries whatever the length."""
    return (
        CallBack.objects.filter(status=CallBack.Status.OPEN)
        .select_related("patient__commune", "professional", "consultation__permanence__premises")
        .order_by("-patient__priority_score", "created_at", "pk")
    )


def open_call_back_count(limit: int = 100) -> int:
    """Bounded: the menu badge never counts more than `limit` rows."""
    return len(CallBack.objects.filter(status=CallBack.Status.OPEN).values_list("pk", flat=True)[:limit])


def moved_from(permanence: Permanence) -> list[Consultation]:
    """The appointments a disruption took off `permanence`, each with its new time or call-back line."""
    return list(
        Consultation.objects.filter(permanence=permanence, status=ConsultationStatus.CANCELLED)
        .exclude(cancel_reason__in=("Proposition expirée", "Déplacée"))
        .select_related("patient", "rescheduled_to__professional", "rescheduled_to__permanence__premises")
        .prefetch_related(Prefetch("call_backs", queryset=CallBack.objects.order_by("-created_at")))
        .order_by("start")
    )
