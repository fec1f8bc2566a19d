"""The maintained counts of the registry (triggers) stay equal to a recount, whatever writes the rows."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.db.models import Count, Q
from django.utils import timezone

from patients.models import Patient, RegistryCount
from patients.selectors import registry_count, waiting_list_figures
from tests.patients.factories import PatientFactory

pytestmark = pytest.mark.django_db


def maintained() -> dict:
    return {(c.status, c.tier, c.ald, c.scheduled): c.patients for c in RegistryCount.objects.exclude(patients=0)}


def recounted() -> dict:
    rows = (
        Patient.objects.filter(anonymised_at__isnull=True)
        .annotate(scheduled=Q(next_consultation_at__isnull=False))
        .values_list("status", "priority_tier", "ald", "scheduled")
        .annotate(n=Count("pk"))
    )
    return {(status, tier, ald, scheduled): n for status, tier, ald, scheduled, n in rows}


def test_counts_follow_creations_edits_status_changes_anonymisation_and_deletions():
    fragile = PatientFactory(ald=True, disability=True)
    plain = PatientFactory.create_batch(3)
    assert maintained() == recounted() and sum(maintained().values()) == 4
    Patient.objects.filter(pk=plain[0].pk).update(status=Patient.Status.IN_CARE)
    Patient.objects.filter(pk=plain[1].pk).update(priority_tier="P1", ald=True)
    Patient.objects.filter(pk=plain[2].pk).update(anonymised_at=timezone.now())
    fragile.address = "1 rue des Écoles"  # neither status, tier nor ALD: nothing to apply
    fragile.save()
    assert maintained() == recounted()
    plain[0].delete()
    assert maintained() == recounted() and sum(maintained().values()) == 2


def test_a_bulk_update_and_a_copy_are_counted_in_one_statement_each():
    PatientFactory.create_batch(5)
    Patient.objects.update(status=Patient.Status.GP_FOUND, gp_found_date=dt.date(2026, 1, 5))
    assert maintained() == recounted() == {("gp_found", "P3", False, False): 5}
    with (
        connection.cursor() as cursor,
        cursor.copy(
            "COPY patients_patient (last_name, birth_name, first_names, sex, birth_date, nir, address, phone, phone_2, "
            "email, sms_consent, referral_date, referral_source, ald, ald_codes, disability, pregnancy, lives_alone, "
            "notes, status, status_changed_at, new_gp_name, new_gp_rpps, priority_score, priority_tier, "
            "priority_explanation, created_at, updated_at) FROM STDIN"
        ) as copy,
    ):
        for n in range(3):
            copy.write_row(
                [f"Copie{n}", "", "Anne", "F", dt.date(1950, 1, 1), "", "", "0612345678", "", "", False,
                 dt.date(2026, 1, 1), "cpam", True, "{}", False, False, False, "", "waiting", timezone.now(),
                 "", "", 70, "P1", "{}", timezone.now(), timezone.now()]
            )  # fmt: skip
    assert maintained() == recounted()
    assert maintained()[("waiting", "P1", True, False)] == 3


def test_figures_and_filtered_counts_read_the_maintained_counts(django_assert_num_queries):
    PatientFactory(ald=True, birth_date=dt.date(1940, 1, 1))  # ALD + age: P1
    PatientFactory(ald=True)  # P2
    PatientFactory.create_batch(2)  # P3
    PatientFactory(status=Patient.Status.GP_FOUND, gp_found_date=dt.date(2026, 1, 5))
    with django_assert_num_queries(1):
        figures = waiting_list_figures()
    assert figures == {"total": 4, "p1": 1, "p2": 1, "p3": 2, "ald": 2, "p1_share": 0.25}
    assert registry_count(tiers=["P1", "P2"]) == 2
    assert registry_count(ald=False) == 2
    assert registry_count(statuses=["gp_found"]) == 1


def test_a_proposal_or_a_booking_moves_the_patient_out_of_the_awaiting_call_count():
    from staffing.models import Consultation
    from tests.staffing.booking_helpers import permanence

    booked, proposed, waiting = PatientFactory.create_batch(3)
    perm = permanence(hours=2)
    minutes = perm.professional.default_consultation_minutes
    for n, (who, status) in enumerate([(booked, "booked"), (proposed, "proposed")]):
        start = perm.start + dt.timedelta(minutes=minutes * n)
        Consultation.objects.create(
            patient=who, permanence=perm, professional=perm.professional, start=start,
            end=start + dt.timedelta(minutes=minutes), kind="first_visit", status=status,
            expires_at=timezone.now() + dt.timedelta(days=3) if status == "proposed" else None,
        )  # fmt: skip
    assert maintained() == recounted()
    assert waiting_list_figures()["total"] == Patient.objects.awaiting_call().count() == 1
    assert registry_count(statuses=["waiting"], scheduled=True) == 2
    Consultation.objects.filter(patient=proposed).update(status="cancelled", cancel_reason="Refusée")
    assert maintained() == recounted() and waiting_list_figures()["total"] == 2
