"""Funders get 403 on every page of the registry; anonymous visitors go to the login page."""

from __future__ import annotations

import pytest
from django.urls import reverse

from escorter.models import AuditLog
from escorter.roles import Role
from tests.patients.factories import PatientFactory

pytestmark = pytest.mark.django_db

REGISTRY_URLS = [
    ("patients:waiting_list", {}),
    ("patients:waiting_list_export", {}),
    ("patients:patient_create", {}),
    ("patients:patient_detail", {"pk": 0}),
    ("patients:patient_edit", {"pk": 0}),
    ("patients:patient_status", {"pk": 0}),
    ("patients:patient_data_export", {"pk": 0, "fmt": "json"}),
    ("patients:import_upload", {}),
    ("patients:import_detail", {"pk": 1}),
    ("patients:import_status", {"pk": 1}),
    ("patients:import_confirm", {"pk": 1}),
    ("patients:import_errors", {"pk": 1}),
    ("patients:priority_rule", {}),
    ("patients:anonymise", {}),
]


def _url(name, kwargs, patient):
    kwargs = {k: (patient.pk if k == "pk" and v == 0 else v) for k, v in kwargs.items()}
    return reverse(name, kwargs=kwargs)


@pytest.mark.parametrize(("name", "kwargs"), REGISTRY_URLS, ids=[n for n, _ in REGISTRY_URLS])
def test_funder_gets_403_everywhere_in_the_registry(client, login_as, name, kwargs):
    patient = PatientFactory(last_name="Hérault")
    login_as(Role.FUNDER)
    url = _url(name, kwargs, patient)
    for response in (client.get(url), client.post(url, {})):
        assert response.status_code == 403, (url, response.status_code)
        assert "HÉRAULT" not in response.content.decode()
    assert not AuditLog.objects.filter(object_type="patients.Patient").exists()


@pytest.mark.parametrize(("name", "kwargs"), REGISTRY_URLS, ids=[n for n, _ in REGISTRY_URLS])
def test_anonymous_visitor_goes_to_login(client, name, kwargs):
    patient = PatientFactory()
    response = client.get(_url(name, kwargs, patient))
    assert response.status_code == 302 and response["Location"].startswith("/connexion/")


def test_menu_shows_the_registry_to_the_care_team_and_import_to_coordinators(client, login_as):
    login_as(Role.SECRETARY)
    html = client.get("/").content.decode()
    assert "Liste d&#x27;attente" in html or "Liste d'attente" in html
    assert "Importer une liste" not in html
    login_as(Role.COORDINATOR)
    assert "Importer une liste" in client.get("/").content.decode()
