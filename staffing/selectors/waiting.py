"""The staffing side of the waiting list: next appointment per patient and its filters
(registered with patients.appointments when the app loads)."""

from __future__ import annotations

import datetime as dt

from django.db.models import Exists, OuterRef, Q

from patients.appointments import NextAppointment
from staffing.models import Consultation, ConsultationStatus


def _upcoming(now: dt.datetime):
    """Booked consultations still to come and proposals not expired (patient, start indexed)."""
    return Consultation.objects.filter(
        Q(status=ConsultationStatus.BOOKED) | Q(status=ConsultationStatus.PROPOSED, expires_at__gt=now),
        start__gte=now,
    )


class WaitingListAppointments:
    def next_for(self, patient_ids: list[int], *, now: dt.datetime) -> dict[int, NextAppointment]:
        rows = (
            _upcoming(now)
            .filter(patient_id__in=patient_ids)
            .order_by("patient_id", "start")
            .distinct("patient_id")
            .values_list("patient_id", "start", "permanence__premises__name", "status")
        )
        return {
            patient_id: NextAppointment(start=start, site=site, proposed=status == ConsultationStatus.PROPOSED)
            for patient_id, start, site, status in rows
        }

    def has_pending_proposal(self, *, now: dt.datetime) -> Q:
        return Q(Exists(_upcoming(now).filter(patient=OuterRef("pk"), status=ConsultationStatus.PROPOSED)))
