"""What the waiting list shows about appointments: the next one (or the pending proposal)
per patient, and the "sans rendez-vous" / "proposition en attente" filters.

Consultations belong to the staffing app, which depends on patients (never the other way):
staffing registers its provider here when it loads (StaffingConfig.ready). Without it the
list simply has no appointment column.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Protocol

from django.db.models import Q


@dataclass(frozen=True)
class NextAppointment:
    start: dt.datetime
    site: str
    proposed: bool  # a scheduler proposal still to be confirmed with the patient


class AppointmentProvider(Protocol):
    def next_for(self, patient_ids: list[int], *, now: dt.datetime) -> dict[int, NextAppointment]:
        """The next active appointment of each patient (one query for the whole page)."""

    def has_pending_proposal(self, *, now: dt.datetime) -> Q:
        """Patients with a live scheduler proposal (a filter on Patient)."""


_provider: AppointmentProvider | None = None


def register(provider: AppointmentProvider) -> None:
    global _provider
    _provider = provider


def provider() -> AppointmentProvider | None:
    return _provider


def attach_next_appointments(patients, *, now: dt.datetime) -> None:
    """Set `patient.next_appointment` (or None) on each patient of a page: at most one query."""
    patients = list(patients)
    # only patients the trigger marked as having one (none on the default "à appeler" list)
    ids = [p.pk for p in patients if getattr(p, "next_consultation_at", None) is not None]
    found = _provider.next_for(ids, now=now) if _provider and ids else {}
    for patient in patients:
        patient.next_appointment = found.get(patient.pk)
