"""Headers on every response, and server errors that reach someone with an id the user can quote."""

from __future__ import annotations

import logging
import re

import pytest
from django.core import mail

from escorter.roles import Role
from tests.patients.factories import PatientFactory

pytestmark = pytest.mark.django_db


def test_every_page_has_a_permissions_policy_and_is_not_stored(client, login_as):
    patient = PatientFactory()
    login_as(Role.COORDINATOR)
    for url in (
        "/patients/",
        f"/patients/{patient.pk}/",
        f"/patients/{patient.pk}/donnees.json",
        "/patients/export.xlsx",
    ):
        response = client.get(url)
        assert response.status_code == 200, url
        assert "camera=()" in response["Permissions-Policy"] and "geolocation=()" in response["Permissions-Policy"]
        assert "no-store" in response["Cache-Control"], url
        assert re.fullmatch(r"[0-9a-f]{12}", response["X-Request-ID"])


def test_the_login_page_is_not_stored_either(client):
    response = client.get("/connexion/")
    assert response.status_code == 200 and "no-store" in response["Cache-Control"]


def _break_the_waiting_list(monkeypatch):
    def broken(*args, **kwargs):
        raise RuntimeError("panne simulée")

    monkeypatch.setattr("patients.views.waiting.waiting_list_figures", broken)


def test_a_server_error_shows_the_id_found_in_the_log(client, login_as, monkeypatch, caplog, settings):
    settings.ADMINS = []
    _break_the_waiting_list(monkeypatch)
    login_as(Role.SECRETARY)
    client.raise_request_exception = False
    with caplog.at_level(logging.ERROR, logger="django.request"):
        response = client.get("/patients/", {"q": "Hérault"})
    assert response.status_code == 500
    request_id = response["X-Request-ID"]
    html = response.content.decode()
    assert request_id in html and "enregistrée dans le journal du serveur" in html
    assert "avertie par e-mail" not in html  # nobody was mailed: the page does not say so
    record = next(r for r in caplog.records if r.name == "django.request")
    assert record.request_id == request_id and record.exc_info
    assert mail.outbox == []


def test_admins_get_an_email_with_the_id_and_no_patient_data(client, login_as, monkeypatch, settings):
    settings.ADMINS = [("exploitation@cpts.fr", "exploitation@cpts.fr")]
    settings.DEBUG = False
    _break_the_waiting_list(monkeypatch)
    login_as(Role.SECRETARY)
    client.raise_request_exception = False
    response = client.get("/patients/", {"q": "Hérault 0612345678"})
    assert response.status_code == 500 and "avertie par e-mail" in response.content.decode()
    [message] = mail.outbox
    assert response["X-Request-ID"] in message.subject and message.to == ["exploitation@cpts.fr"]
    assert "/patients/" in message.body
    assert "Hérault" not in message.body and "0612345678" not in message.body and "panne" not in message.body


def test_log_lines_carry_the_request_id_and_not_the_rows_postgresql_quotes():
    from escorter.middleware import RedactingFormatter, RequestIdFilter, request_id_var

    token = request_id_var.set("abc123abc123")
    try:
        record = logging.LogRecord(
            "x",
            logging.ERROR,
            __file__,
            1,
            "IntegrityError\nDETAIL:  Failing row contains (12, Hérault, 0612345678).",
            None,
            None,
        )
        RequestIdFilter().filter(record)
        line = RedactingFormatter("[%(request_id)s] %(message)s").format(record)
    finally:
        request_id_var.reset(token)
    assert line.startswith("[abc123abc123]") and "Hérault" not in line and "Failing row contains (…)" in line
