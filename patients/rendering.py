"""The files the registry exports: the waiting list as XLSX, a patient's data as PDF (GDPR art. 15)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from escorter.documents import render_pdf
from escorter.spreadsheets import xlsx_table
from patients.models import Patient
from patients.normalise import format_phone

WAITING_LIST_HEADERS = (
    "Rang",
    "Niveau",
    "Score",
    "Nom",
    "Prénoms",
    "Date de naissance",
    "Âge",
    "Commune",
    "Téléphone",
    "ALD",
    "Statut",
    "Date de signalement",
    "Origine",
)


def _waiting_list_row(rank: int, patient: Patient) -> list:
    # never the NIR: the list leaves the app
    return [
        rank,
        patient.priority_tier,
        patient.priority_score,
        patient.last_name.upper(),
        patient.first_names,
        patient.birth_date,
        patient.age,
        patient.commune.name if patient.commune_id else "",
        format_phone(patient.phone),
        "oui" if patient.ald else "non",
        patient.get_status_display(),
        patient.referral_date,
        patient.get_referral_source_display(),
    ]


def waiting_list_xlsx(patients: Iterable[Patient]) -> bytes:
    """The waiting list in the order given, numbered from 1."""
    rows = (_waiting_list_row(rank, patient) for rank, patient in enumerate(patients, start=1))
    return xlsx_table(title="Liste d'attente", headers=WAITING_LIST_HEADERS, rows=rows)


def patient_data_pdf(*, patient: Patient, data: dict, editor, now: dt.datetime) -> bytes:
    """Everything held on `patient` (`data`, from services.patient_data), edited by `editor` at `now`."""
    context = {"patient": patient, "data": data, "now": now, "editor": editor}
    return render_pdf("patients/data_export_pdf.html", context)
