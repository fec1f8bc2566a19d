"""Erasing a person removes the SAS's link to them; the right-of-access export lists their SAS bookings."""

from __future__ import annotations

import pytest

from escorter import gdpr
from interop.models import SasAppointment
from patients.services import anonymise_patient
from patients.services.gdpr import person_of
from staffing.models import Consultation
from tests.interop.conftest import appointment, headers, post_appointment, search_url, snp_permanence
from tests.staffing.booking_helpers import future_morning

pytestmark = pytest.mark.django_db


def _book(client, sas) -> Consultation:
    snp_permanence(days=1)
    bundle = client.get(search_url(future_morning(1, 0), future_morning(2, 0)), **headers(sas.token)).json()
    slot = next(e["resource"]["id"] for e in bundle["entry"] if e["resource"]["resourceType"] == "Slot")
    assert post_appointment(client, sas.token, appointment(slot, identifier="sas-42")).status_code == 201
    return Consultation.objects.select_related("patient").get()


def test_access_export_lists_the_sas_bookings(client, sas):
    consultation = _book(client, sas)
    data = gdpr.access_data(person=person_of(consultation.patient))
    [row] = data["rendez_vous_sas"]["donnees"]
    assert row["plateforme"] == "SAS" and row["identifiant"] == "sas-42"


def test_erasing_the_patient_removes_the_sas_identifier_and_keeps_the_consultation(client, sas):
    consultation = _book(client, sas)
    anonymise_patient(patient=consultation.patient)
    assert not SasAppointment.objects.exists()
    assert Consultation.objects.filter(pk=consultation.pk).exists()
