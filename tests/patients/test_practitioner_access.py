"""Least privilege for practitioners: the files of the patients they see, and nothing else."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from escorter.models import AuditLog
from escorter.roles import Role
from staffing.access import holds_consultation
from staffing.models import Consultation
from tests.patients.factories import PatientFactory
from tests.staffing.booking_helpers import permanence
from tests.staffing.factories import ConsultationFactory

pytestmark = pytest.mark.django_db


def _consultation(patient, *, doctor_user, days: int, status=Consultation.Status.BOOKED) -> Consultation:
    perm = permanence(days=days) if days > 0 else None
    if perm is None:  # a past consultation: its permanence lies in the past too
        perm = permanence(
            start=timezone.now().replace(hour=9, minute=0, second=0, microsecond=0) + dt.timedelta(days=days)
        )
    perm.professional.user = doctor_user
    perm.professional.save()
    return ConsultationFactory(patient=patient, permanence=perm, status=status)


def test_practitioner_opens_the_file_of_a_patient_booked_with_them(client, login_as):
    doctor = login_as(Role.PRACTITIONER)
    patient = PatientFactory(last_name="Hérault")
    _consultation(patient, doctor_user=doctor, days=3)
    response = client.get(f"/patients/{patient.pk}/")
    assert response.status_code == 200 and "HÉRAULT" in response.content.decode()
    assert AuditLog.objects.filter(user_id=doctor.pk, action="view", object_id=str(patient.pk)).exists()
    assert client.get(f"/equipe/rendez-vous/patients/{patient.pk}/consultations/").status_code == 200


def test_practitioner_opens_the_file_of_a_patient_they_saw(client, login_as):
    doctor = login_as(Role.PRACTITIONER)
    patient = PatientFactory()
    _consultation(patient, doctor_user=doctor, days=-40, status=Consultation.Status.DONE)
    assert client.get(f"/patients/{patient.pk}/").status_code == 200


def test_practitioner_gets_403_on_any_other_file(client, login_as):
    doctor = login_as(Role.PRACTITIONER)
    stranger = PatientFactory(last_name="Hérault")
    colleague_patient = PatientFactory()
    _consultation(colleague_patient, doctor_user=None, days=3)  # another professional's patient
    for patient in (stranger, colleague_patient):
        response = client.get(f"/patients/{patient.pk}/")
        assert response.status_code == 403 and "HÉRAULT" not in response.content.decode()
        assert client.get(f"/equipe/rendez-vous/patients/{patient.pk}/consultations/").status_code == 403
    assert not AuditLog.objects.filter(user_id=doctor.pk, object_type="patients.Patient").exists()


def test_a_cancelled_or_far_away_consultation_opens_nothing():
    from tests.factories import make_user

    doctor = make_user(Role.PRACTITIONER)
    patient = PatientFactory()
    far = _consultation(patient, doctor_user=doctor, days=45)
    assert not holds_consultation(user=doctor, patient_id=patient.pk)
    assert holds_consultation(user=doctor, patient_id=patient.pk, now=far.start - dt.timedelta(days=20))
    Consultation.objects.filter(pk=far.pk).update(
        status=Consultation.Status.CANCELLED, cancel_reason="Annulée par le patient", cancelled_at=timezone.now()
    )
    assert not holds_consultation(user=doctor, patient_id=patient.pk, now=far.start - dt.timedelta(days=20))


def test_practitioner_does_not_see_the_waiting_list_nor_its_export(client, login_as):
    PatientFactory(last_name="Hérault", phone="0612345678")
    login_as(Role.PRACTITIONER)
    for url in ("/patients/", "/patients/export.xlsx"):
        response = client.get(url)
        assert response.status_code == 403 and "HÉRAULT" not in response.content.decode()
    home = client.get("/").content.decode()
    assert "Liste d&#x27;attente" not in home and "Liste d'attente" not in home


def test_practitioner_cannot_edit_or_export_even_their_patients_file(client, login_as):
    doctor = login_as(Role.PRACTITIONER)
    patient = PatientFactory()
    _consultation(patient, doctor_user=doctor, days=3)
    for url in (f"/patients/{patient.pk}/modifier/", f"/patients/{patient.pk}/donnees.json"):
        assert client.get(url).status_code == 403
