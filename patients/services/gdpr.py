"""GDPR: anonymising patients who left the registry long ago, and the right-of-access export."""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.utils import timezone

from patients.models import Patient, PatientStatusChange
from patients.normalise import format_phone

DEFAULT_RETENTION_MONTHS = 24


def anonymisation_cutoff(*, months: int, now: dt.datetime | None = None) -> dt.datetime:
    now = now or timezone.now()
    year, month = divmod(now.month - 1 - months, 12)
    day = min(now.day, 28)
    return now.replace(year=now.year + year, month=month + 1, day=day)


def anonymisable(*, months: int = DEFAULT_RETENTION_MONTHS, now=None):
    return Patient.objects.filter(
        status__in=Patient.CLOSED_STATUSES,
        status_changed_at__lt=anonymisation_cutoff(months=months, now=now),
        anonymised_at__isnull=True,
    )


@transaction.atomic
def anonymise_patients(*, months: int = DEFAULT_RETENTION_MONTHS, user=None, now=None, dry_run=False) -> int:
    """Blank every identifying field of patients closed more than `months` ago.

    Kept for the funders' figures: commune, sex, birth year (birth date set to 1 July),
    criteria flags, referral date and source, status and its dates, score. Idempotent.
    """
    now = now or timezone.now()
    queryset = anonymisable(months=months, now=now).select_for_update(skip_locked=True)
    patients = list(queryset.only("pk", "birth_date"))
    if dry_run or not patients:
        return len(patients)
    for patient in patients:
        Patient.objects.filter(pk=patient.pk).update(
            last_name="ANONYME",
            birth_name="",
            first_names=f"#{patient.pk}",
            birth_date=dt.date(patient.birth_date.year, 7, 1),
            nir="",
            address="",
            phone="",
            phone_2="",
            email="",
            sms_consent=False,
            notes="",
            new_gp_name="",
            new_gp_rpps="",
            ald_codes=[],
            hospital_discharge_date=None,
            priority_explanation={},
            anonymised_at=now,
            updated_at=now,
        )
    PatientStatusChange.objects.filter(patient_id__in=[p.pk for p in patients]).update(note="")
    from escorter.audit import record_system

    record_system(
        "anonymise", object_type="patients.Patient", detail=f"{len(patients)} patient(s) anonymisé(s)", user=user
    )
    return len(patients)


def patient_data(patient: Patient) -> dict:
    """Everything the registry holds on `patient` (right of access, GDPR art. 15)."""

    def d(value):
        return value.strftime("%d/%m/%Y") if value else ""

    return {
        "identite": {
            "nom": patient.last_name,
            "nom_de_naissance": patient.birth_name,
            "prenoms": patient.first_names,
            "sexe": patient.get_sex_display(),
            "date_de_naissance": d(patient.birth_date),
            "nir": patient.nir,
        },
        "coordonnees": {
            "adresse": patient.address,
            "commune": str(patient.commune) if patient.commune_id else "",
            "telephone": format_phone(patient.phone),
            "autre_telephone": format_phone(patient.phone_2),
            "email": patient.email,
            "accepte_les_sms": patient.sms_consent,
        },
        "signalement": {
            "date": d(patient.referral_date),
            "origine": patient.get_referral_source_display(),
        },
        "criteres": {
            "ald": patient.ald,
            "codes_ald": patient.ald_codes,
            "handicap": patient.disability,
            "grossesse": patient.pregnancy,
            "sortie_hopital": d(patient.hospital_discharge_date),
            "vit_seul": patient.lives_alone,
        },
        "priorite": {
            "score": patient.priority_score,
            "niveau": patient.priority_tier,
            "detail": patient.priority_explanation,
        },
        "statut": {
            "actuel": patient.get_status_display(),
            "medecin_traitant": patient.new_gp_name,
            "rpps": patient.new_gp_rpps,
            "date_declaration": d(patient.gp_found_date),
            "historique": [
                {
                    "date": timezone.localtime(c.at).strftime("%d/%m/%Y %H:%M"),
                    "de": c.get_from_status_display() if c.from_status else "",
                    "vers": c.get_to_status_display(),
                    "commentaire": c.note,
                }
                for c in patient.status_changes.all()
            ],
        },
        "notes": patient.notes,
        "enregistre_le": timezone.localtime(patient.created_at).strftime("%d/%m/%Y %H:%M"),
        "modifie_le": timezone.localtime(patient.updated_at).strftime("%d/%m/%Y %H:%M"),
    }
