"""GDPR: the right to erasure (one person, or the retention of closed files) and the right of access."""

from __future__ import annotations

import datetime as dt

from dateutil.relativedelta import relativedelta
from django.db import transaction
from django.utils import timezone

from escorter import gdpr
from escorter.audit import record_system
from patients.models import Patient
from patients.normalise import format_phone

DEFAULT_RETENTION_MONTHS = 24


def anonymisation_cutoff(*, months: int, now: dt.datetime | None = None) -> dt.datetime:
    now = now or timezone.now()
    # `months` back, on the same day capped at the 28th (so every month has it)
    return now - relativedelta(months=months, day=min(now.day, 28))


def anonymisable(*, months: int = DEFAULT_RETENTION_MONTHS, now=None):
    return Patient.objects.filter(
        status__in=Patient.CLOSED_STATUSES,
        status_changed_at__lt=anonymisation_cutoff(months=months, now=now),
        anonymised_at__isnull=True,
    )


def person_of(patient: Patient) -> gdpr.Person:
    """The identity to search for, as it stands before the patient row is blanked."""
    return gdpr.Person(
        patient_id=patient.pk,
        last_name=patient.last_name,
        birth_name=patient.birth_name,
        first_names=patient.first_names,
        nir=patient.nir,
        phones=tuple(p for p in (patient.phone, patient.phone_2) if p),
        emails=(patient.email,) if patient.email else (),
    )


@transaction.atomic
def anonymise_patient(*, patient: Patient, user=None, now=None) -> Patient:
    """Right to erasure (GDPR art. 17) for one person, everywhere the app holds them.

    Every app's registered step (escorter.gdpr) scrubs its tables and files; then the
    patient row keeps only what the funders' figures need: commune, sex, birth year
    (birth date set to 1 July), criteria flags, referral date and source, status and its
    dates, score. The audit log records who erased and when, under the patient's id
    only. Idempotent: a second run finds nothing left to scrub.
    """
    now = now or timezone.now()
    patient = Patient.objects.select_for_update().get(pk=patient.pk)
    gdpr.erase(person=person_of(patient))
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
        anonymised_at=patient.anonymised_at or now,
        updated_at=now,
    )
    record_system("anonymise", object_type="patients.Patient", object_id=patient.pk, detail="effacement", user=user)
    patient.refresh_from_db()
    return patient


def anonymise_patients(*, months: int = DEFAULT_RETENTION_MONTHS, user=None, now=None, dry_run=False) -> int:
    """Retention: erase (anonymise_patient) every patient closed more than `months` ago.

    One transaction per patient, so a long run commits as it goes and a crash loses
    nothing already erased; patients locked by someone else are left for the next run.
    """
    now = now or timezone.now()
    if dry_run:
        return anonymisable(months=months, now=now).count()
    count = 0
    for pk in anonymisable(months=months, now=now).values_list("pk", flat=True).iterator():
        with transaction.atomic():
            patient = anonymisable(months=months, now=now).select_for_update(skip_locked=True).filter(pk=pk).first()
            if patient is not None:
                anonymise_patient(patient=patient, user=user, now=now)
                count += 1
    return count


def patient_data(patient: Patient) -> dict:
    """Everything the app holds on `patient` (right of access, GDPR art. 15).

    The registry's own fields first, then one section per step other apps registered
    (escorter.gdpr.access_section): calls, consultations, reminders, accesses to the file…
    """

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
        **gdpr.access_data(person=person_of(patient)),
    }
