"""GDPR: anonymising patients who left long ago, right-of-access export (JSON/PDF), audited."""

from __future__ import annotations

import datetime as dt
import io
import json
import shutil
import subprocess

import pytest
from django.core.management import call_command
from django.utils import timezone

from escorter.models import AuditLog
from escorter.roles import Role
from patients.models import Call, Patient
from patients.services import anonymise_patients, change_status
from tests.patients.factories import PatientFactory, valid_nir

pytestmark = pytest.mark.django_db


def _closed(months_ago: int, status=Patient.Status.GP_FOUND, **kwargs) -> Patient:
    patient = PatientFactory(
        ald=True, ald_codes=["5"], nir=valid_nir(serial=months_ago + 1), birth_date=dt.date(1950, 3, 2), **kwargs
    )
    change_status(patient=patient, to_status=status, user=None, note="Dr Dupont m'a pris", new_gp_name="Dr Dupont")
    Patient.objects.filter(pk=patient.pk).update(status_changed_at=timezone.now() - dt.timedelta(days=31 * months_ago))
    return patient


def test_patients_closed_long_ago_lose_identity_but_keep_figures():
    old = _closed(25, last_name="Hérault", phone="0612345678", email="e@x.fr", notes="Fragile")
    recent = _closed(3)
    waiting = PatientFactory(referral_date=dt.date(2020, 1, 1))
    assert anonymise_patients() == 1
    old.refresh_from_db()
    assert (old.last_name, old.nir, old.phone, old.email, old.notes, old.new_gp_name) == ("ANONYME", "", "", "", "", "")
    assert old.birth_date == dt.date(1950, 7, 1) and old.anonymised_at is not None
    assert (old.commune_id is not None, old.ald, old.status, old.sex) == (True, True, "gp_found", "F")
    assert not old.status_changes.exclude(note="").exists()
    recent.refresh_from_db()
    waiting.refresh_from_db()
    assert recent.anonymised_at is None and waiting.anonymised_at is None
    assert anonymise_patients() == 0  # idempotent


def test_command_takes_a_configurable_retention():
    _closed(7, status=Patient.Status.MOVED)
    out = io.StringIO()
    call_command("anonymise_patients", "--months", "12", "--dry-run", stdout=out)
    assert "0 patient(s)" in out.getvalue()
    call_command("anonymise_patients", "--months", "6", stdout=out)
    assert Patient.objects.get().anonymised_at is not None
    assert AuditLog.objects.filter(action="anonymise").exists()


def test_coordinator_anonymises_from_the_page(client, login_as):
    _closed(30)
    login_as(Role.COORDINATOR)
    page = client.get("/patients/rgpd/anonymisation/")
    assert page.status_code == 200 and page.context["count"] == 1
    response = client.post("/patients/rgpd/anonymisation/", {"months": 24})
    assert "Cochez la case pour confirmer." in response.content.decode()
    assert Patient.objects.get().anonymised_at is None
    response = client.post("/patients/rgpd/anonymisation/", {"months": 24, "confirm": "on"})
    assert response.status_code == 302 and Patient.objects.get().anonymised_at is not None


@pytest.mark.parametrize("role", [Role.SECRETARY, Role.PRACTITIONER, Role.FUNDER])
def test_only_coordinators_anonymise(client, login_as, role):
    _closed(30)
    login_as(role)
    assert client.post("/patients/rgpd/anonymisation/", {"months": 24, "confirm": "on"}).status_code == 403
    assert Patient.objects.get().anonymised_at is None


def test_anonymised_file_can_no_longer_change():
    patient = _closed(30)
    anonymise_patients()
    from patients.services import InvalidTransition

    with pytest.raises(InvalidTransition, match="anonymisé"):
        change_status(patient=patient, to_status="waiting", user=None)


def _held_everywhere(user) -> Patient:
    """A patient with something in every app: status history, a call, a consultation, reminders."""
    from staffing.models import Reminder
    from tests.staffing.booking_helpers import permanence
    from tests.staffing.factories import ConsultationFactory

    patient = PatientFactory(
        last_name="Hérault", first_names="Élodie", nir=valid_nir(), ald=True, ald_codes=["5"], email="e@x.fr"
    )
    change_status(patient=patient, to_status="in_care", user=user, note="vue au local")
    Call.objects.create(patient=patient, caller_name="Jean Hérault", reason="fièvre", category="fever")
    perm = permanence(days=3)
    consultation = ConsultationFactory(patient=patient, permanence=perm, outcome_note="tension à revoir")
    Reminder.objects.create(consultation=consultation, channel="email", recipient="e@x.fr", status="sent")
    return patient


def test_right_of_access_json_holds_everything_and_is_audited(client, login_as):
    user = login_as(Role.COORDINATOR)
    patient = _held_everywhere(user)
    client.get(f"/patients/{patient.pk}/")  # an access the person is entitled to know about
    response = client.get(f"/patients/{patient.pk}/donnees.json")
    assert response.status_code == 200 and "attachment" in response["Content-Disposition"]
    data = json.loads(response.content)
    assert data["identite"]["nom"] == "Hérault" and data["identite"]["nir"] == patient.nir
    assert data["coordonnees"]["email"] == "e@x.fr" and data["criteres"]["codes_ald"] == ["5"]
    assert data["priorite"]["score"] == patient.priority_score
    assert data["statut"]["historique"][0]["commentaire"] == "vue au local"
    assert [(c["nom_de_l_appelant"], c["motif"]) for c in data["appels"]["donnees"]] == [("Jean Hérault", "fièvre")]
    assert [c["note"] for c in data["consultations"]["donnees"]] == ["tension à revoir"]
    assert [r["destinataire"] for r in data["rappels"]["donnees"]] == ["e@x.fr"]
    assert [e["action"] for e in data["journal_d_acces"]["donnees"]][-1] == "Consultation"
    assert data["journal_d_acces"]["donnees"][-1]["utilisateur"] == user.username
    # every section any app registered is there
    from escorter import gdpr

    assert set(gdpr.access_sections()) <= set(data)
    assert AuditLog.objects.filter(user_id=user.pk, action="export", object_id=str(patient.pk)).exists()


def test_right_of_access_pdf_holds_everything(client, login_as):
    user = login_as(Role.COORDINATOR)
    patient = _held_everywhere(user)
    response = client.get(f"/patients/{patient.pk}/donnees.pdf")
    assert response.status_code == 200 and response.content.startswith(b"%PDF")
    if not shutil.which("pdftotext"):
        pytest.skip("pdftotext (poppler-utils) is not installed")
    text = subprocess.run(["pdftotext", "-", "-"], input=response.content, capture_output=True, check=True).stdout
    text = " ".join(text.decode().split())
    for expected in ("Hérault", "vue au local", "Jean Hérault", "tension à revoir", "e@x.fr", "Rappels envoyés"):
        assert expected in text, expected


def test_right_of_access_pdf_is_a_pdf(client, login_as):
    patient = PatientFactory(last_name="Hérault")
    login_as(Role.COORDINATOR)
    response = client.get(f"/patients/{patient.pk}/donnees.pdf")
    assert response.status_code == 200 and response.content.startswith(b"%PDF")


def test_unknown_export_format_is_a_404(client, login_as):
    patient = PatientFactory()
    login_as(Role.COORDINATOR)
    assert client.get(f"/patients/{patient.pk}/donnees.xml").status_code == 404
