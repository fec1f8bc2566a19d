"""The patient page (audited, per role), create/edit forms with French validation, status lifecycle."""

from __future__ import annotations

import datetime as dt

import pytest
from django.test import Client
from django.utils import timezone

from escorter.models import AuditLog
from escorter.roles import Role
from patients import services
from patients.access import patient_for_user
from patients.models import Patient, PatientStatusChange
from tests.concurrency import at_once
from tests.factories import CommuneFactory, make_user
from tests.patients.factories import PatientFactory, valid_nir

pytestmark = pytest.mark.django_db


def _form_data(commune_obj, **overrides):
    data = {
        "last_name": "Hérault",
        "birth_name": "",
        "first_names": "Élodie",
        "sex": "F",
        "birth_date": "1950-03-02",
        "nir": "",
        "address": "3 rue du Port",
        "commune": commune_obj.pk,
        "phone": "06 12 34 56 78",
        "phone_2": "",
        "email": "",
        "referral_date": timezone.localdate().isoformat(),
        "referral_source": "pharmacy",
        "ald_codes_text": "",
        "hospital_discharge_date": "",
        "notes": "",
    }
    data.update(overrides)
    return {k: v for k, v in data.items() if v is not None}


# --- reading ---------------------------------------------------------------------------------


@pytest.mark.parametrize("role", [Role.COORDINATOR, Role.SECRETARY])
def test_staff_reads_the_patient_page_and_each_read_is_audited(client, login_as, role):
    patient = PatientFactory(last_name="Hérault", ald=True)
    user = login_as(role)
    response = client.get(f"/patients/{patient.pk}/")
    assert response.status_code == 200
    html = response.content.decode()
    assert "HÉRAULT" in html and "Pourquoi ce score ?" in html and "ALD (affection de longue durée)" in html
    entry = AuditLog.objects.get(object_type="patients.Patient", object_id=str(patient.pk))
    assert (entry.user_id, entry.action, entry.role) == (user.pk, "view", role.value)


def test_funder_gets_403_on_patient_page_and_nothing_is_shown(client, login_as):
    patient = PatientFactory(last_name="Hérault")
    login_as(Role.FUNDER)
    response = client.get(f"/patients/{patient.pk}/")
    assert response.status_code == 403 and "HÉRAULT" not in response.content.decode()
    assert not AuditLog.objects.filter(object_type="patients.Patient").exists()


def test_missing_patient_is_a_404(client, login_as):
    login_as(Role.SECRETARY)
    assert client.get("/patients/999999/").status_code == 404


def test_patient_for_user_checks_the_role_and_audits_without_request():
    patient = PatientFactory()
    from django.core.exceptions import PermissionDenied
    from django.http import Http404

    with pytest.raises(PermissionDenied):
        patient_for_user(make_user(Role.FUNDER), patient.pk)
    with pytest.raises(Http404):
        patient_for_user(make_user(Role.SECRETARY), "abc")
    assert patient_for_user(make_user(Role.SECRETARY), patient.pk) == patient
    assert AuditLog.objects.filter(action="view", object_id=str(patient.pk)).count() == 1


def test_nir_is_masked_on_the_page(client, login_as):
    nir = valid_nir("F", dt.date(1950, 3, 2))
    patient = PatientFactory(nir=nir)
    login_as(Role.COORDINATOR)
    html = client.get(f"/patients/{patient.pk}/").content.decode()
    assert nir not in html and nir[-2:] in html and "•• ••• •••" in html


def test_no_consultation_slot_or_booking_button_without_the_staffing_urls(client, login_as, settings):
    from django.urls import NoReverseMatch, reverse

    patient = PatientFactory()
    login_as(Role.SECRETARY)
    html = client.get(f"/patients/{patient.pk}/").content.decode()
    try:
        reverse("staffing:patient_consultations", args=[patient.pk])
        assert 'hx-trigger="load"' in html
    except NoReverseMatch:
        assert "Chargement des consultations" not in html
    try:
        reverse("staffing:book_for_patient", args=[patient.pk])
        assert "Prendre rendez-vous" in html
    except NoReverseMatch:
        assert "Prendre rendez-vous" not in html


# --- create / edit ---------------------------------------------------------------------------


def test_secretary_registers_a_patient_with_csrf_enforced(login_as):
    commune = CommuneFactory()
    user = make_user(Role.SECRETARY)
    client = Client(enforce_csrf_checks=True)
    client.force_login(user)
    assert client.post("/patients/nouveau/", _form_data(commune)).status_code == 403  # no token
    page = client.get("/patients/nouveau/")
    token = page.cookies["csrftoken"].value
    response = client.post(
        "/patients/nouveau/", _form_data(commune, ald_codes_text="5, hors liste"), HTTP_X_CSRFTOKEN=token
    )
    patient = Patient.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/patients/{patient.pk}/"
    assert (patient.phone, patient.ald, patient.ald_codes) == ("0612345678", True, ["5", "HL"])
    assert patient.priority_score == 40 + 20 and patient.created_by == user
    assert patient.status_changes.get().to_status == "waiting"
    assert AuditLog.objects.filter(action="create", object_id=str(patient.pk)).exists()


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"nir": "2 50 03 85 018 001 00"}, "Clé du NIR incorrecte"),
        ({"nir": "12345"}, "Le NIR doit compter 15 caractères"),
        ({"nir": valid_nir("M", dt.date(1950, 3, 2))}, "Le NIR ne correspond pas au sexe indiqué"),
        ({"birth_date": "2999-01-01"}, "La date de naissance ne peut pas être dans le futur."),
        ({"commune": "999999"}, "Commune inconnue : choisissez une commune de la liste."),
        ({"commune": ""}, "Indiquez la commune de résidence."),
        ({"phone": "12"}, "Numéro de téléphone invalide"),
        ({"ald_codes_text": "45"}, "Code ALD inconnu"),
        ({"sex": "M", "pregnancy": "on"}, "Une grossesse ne peut pas être indiquée pour un homme."),
        ({"last_name": ""}, "Le nom est obligatoire."),
    ],
)
def test_bad_input_gets_a_french_message_and_writes_nothing(client, login_as, overrides, message):
    commune = CommuneFactory()
    login_as(Role.COORDINATOR)
    response = client.post("/patients/nouveau/", _form_data(commune, **overrides))
    assert response.status_code == 200
    assert message in response.content.decode()
    assert Patient.objects.count() == 0


def test_corsican_nir_is_accepted_in_the_form(client, login_as):
    commune = CommuneFactory()
    login_as(Role.COORDINATOR)
    nir = valid_nir("F", dt.date(1950, 3, 2), place="2A004")
    response = client.post("/patients/nouveau/", _form_data(commune, nir=nir))
    assert response.status_code == 302 and Patient.objects.get().nir == nir


def test_duplicate_nir_is_refused_in_french(client, login_as):
    commune = CommuneFactory()
    nir = valid_nir("F", dt.date(1950, 3, 2))
    PatientFactory(nir=nir)
    login_as(Role.COORDINATOR)
    response = client.post("/patients/nouveau/", _form_data(commune, nir=nir))
    assert "Ce NIR est déjà enregistré pour un autre patient." in response.content.decode()
    assert Patient.objects.count() == 1


def test_editing_recomputes_the_score(client, login_as):
    patient = PatientFactory(birth_date=dt.date(1950, 3, 2))
    login_as(Role.SECRETARY)
    data = _form_data(patient.commune, last_name=patient.last_name, first_names=patient.first_names, disability="on")
    response = client.post(f"/patients/{patient.pk}/modifier/", data)
    assert response.status_code == 302
    patient.refresh_from_db()
    assert patient.disability and patient.priority_score == 50 and patient.priority_tier == "P1"


# --- status lifecycle ---------------------------------------------------------------------------


def test_new_gp_found_is_recorded_with_history(client, login_as):
    patient = PatientFactory()
    user = login_as(Role.SECRETARY)
    response = client.post(
        f"/patients/{patient.pk}/statut/",
        {"to_status": "gp_found", "new_gp_name": "Dr Anne Lefebvre", "gp_found_date": "2026-01-15", "note": "Appel"},
    )
    assert response.status_code == 302
    patient.refresh_from_db()
    assert (patient.status, patient.new_gp_name, patient.gp_found_date) == (
        "gp_found",
        "Dr Anne Lefebvre",
        dt.date(2026, 1, 15),
    )
    change = PatientStatusChange.objects.get(patient=patient)
    assert (change.from_status, change.to_status, change.by, change.note) == ("waiting", "gp_found", user, "Appel")


def test_gp_found_needs_the_gp_name(client, login_as):
    patient = PatientFactory()
    login_as(Role.COORDINATOR)
    response = client.post(f"/patients/{patient.pk}/statut/", {"to_status": "gp_found"})
    assert response.status_code == 400
    assert "Indiquez le nom du nouveau médecin traitant." in response.content.decode()
    patient.refresh_from_db()
    assert patient.status == "waiting"


def test_change_status_service_validates_rpps_and_transitions():
    patient = PatientFactory()
    user = make_user(Role.PRACTITIONER)
    with pytest.raises(services.InvalidTransition, match="RPPS"):
        services.change_status(patient=patient, to_status="gp_found", user=user, new_gp_name="Dr X", new_gp_rpps="123")
    services.change_status(patient=patient, to_status="deceased", user=user)
    with pytest.raises(services.InvalidTransition, match="Passage impossible"):
        services.change_status(patient=patient, to_status="waiting", user=user)
    assert list(patient.status_changes.values_list("to_status", flat=True)) == ["deceased"]


def test_change_status_accepts_a_valid_rpps_and_defaults_the_date_to_today():
    from tests.staffing.factories import valid_rpps

    patient = PatientFactory()
    services.change_status(
        patient=patient, to_status="gp_found", user=None, new_gp_name="Dr Y", new_gp_rpps=valid_rpps(42)
    )
    patient.refresh_from_db()
    assert patient.new_gp_rpps == valid_rpps(42) and patient.gp_found_date == timezone.localdate()


@pytest.mark.django_db(transaction=True)
def test_two_people_recording_gp_found_at_once_make_one_transition():
    patient = PatientFactory()
    user = make_user(Role.SECRETARY)

    def record():
        services.change_status(
            patient=Patient.objects.get(pk=patient.pk), to_status="gp_found", user=user, new_gp_name="Dr Z"
        )
        return "ok"

    outcomes = at_once(record, expected=(services.InvalidTransition,))
    assert sorted(o if o == "ok" else "refused" for o in outcomes) == ["ok", "refused"]
    assert PatientStatusChange.objects.filter(patient=patient, to_status="gp_found").count() == 1


@pytest.mark.parametrize(("role", "shown"), [(Role.SECRETARY, True), (Role.COORDINATOR, True)])
def test_booking_button_only_for_those_who_may_book(client, login_as, role, shown):
    patient = PatientFactory()
    login_as(role)
    html = client.get(f"/patients/{patient.pk}/").content.decode()
    assert ("Prendre rendez-vous" in html) is shown
