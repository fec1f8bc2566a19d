"""API clients: a token per client shown once, scopes, revocation, audit and rate limit."""

from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import call_command

from escorter.models import AuditLog
from escorter.roles import Role
from interop.models import ApiClient, Scope, hash_token
from interop.services import create_api_client
from tests.interop.conftest import appointment, headers, post_appointment, search_url, snp_permanence
from tests.interop.profiles import parse
from tests.staffing.booking_helpers import future_morning

pytestmark = pytest.mark.django_db


def _search(client, **extra):
    return client.get(search_url(future_morning(1, 0), future_morning(2, 0)), **extra)


def test_command_prints_the_token_once_on_its_last_line_and_stores_only_its_hash(client):
    out = StringIO()
    call_command("create_api_client", "SAS", stdout=out)
    token = out.getvalue().strip().splitlines()[-1]
    stored = ApiClient.objects.get(name="SAS")
    assert token.startswith("esc_") and len(token) > 40
    assert stored.token_hash == hash_token(token)
    assert token not in str(list(ApiClient.objects.values()))
    assert sorted(stored.scopes) == sorted(Scope.values)
    snp_permanence(days=1)
    assert _search(client, **headers(token)).json()["total"] == 3


def test_command_refuses_a_name_already_taken():
    call_command("create_api_client", "SAS", stdout=StringIO())
    from django.core.management.base import CommandError

    with pytest.raises(CommandError, match="existe déjà"):
        call_command("create_api_client", "SAS", stdout=StringIO())


@pytest.mark.parametrize(
    "authorization", [None, "", "Bearer ", "Bearer esc_not-a-token", "Basic dXNlcjpwYXNz", "Token abc"]
)
def test_no_or_wrong_token_answers_401_operation_outcome(client, sas, authorization):
    extra = {"HTTP_AUTHORIZATION": authorization} if authorization is not None else {}
    response = _search(client, **extra)
    assert response.status_code == 401
    assert response["WWW-Authenticate"].startswith("Bearer")
    outcome = parse(response.json())
    assert outcome.issue[0].code == "login"


def test_revoked_token_answers_401(client, sas):
    ApiClient.objects.filter(pk=sas.pk).update(revoked_at="2026-01-01T00:00:00Z")
    assert _search(client, **headers(sas.token)).status_code == 401


def test_a_token_without_the_scope_gets_403_and_no_data(client):
    snp_permanence(days=1)
    _, token = create_api_client(name="Annuaire", scopes=[])
    response = _search(client, **headers(token))
    assert response.status_code == 403
    assert "slot:read" in parse(response.json()).issue[0].diagnostics
    assert "Slot" not in response.content.decode().replace("slot:read", "")
    _, reader = create_api_client(name="Lecteur", scopes=[Scope.SLOT_READ])
    response = post_appointment(client, reader, appointment("1-20260101T0800Z"))
    assert response.status_code == 403


@pytest.mark.parametrize("role", [Role.FUNDER, Role.COORDINATOR, Role.SECRETARY])
def test_a_logged_in_session_funder_or_staff_gets_nothing_without_a_token(client, login_as, role):
    snp_permanence(days=1)
    login_as(role)
    response = _search(client)
    assert response.status_code == 401
    assert response.json()["resourceType"] == "OperationOutcome"


def test_every_call_is_audited_with_the_client_name(client, sas):
    snp_permanence(days=1)
    _search(client, **headers(sas.token))
    client.get("/fhir/Slot?status=free", **headers(sas.token))
    entries = list(AuditLog.objects.filter(username="API SAS").order_by("id"))
    assert [(e.object_type, e.detail.rsplit(" ", 1)[-1]) for e in entries] == [
        ("fhir.Slot", "200"),
        ("fhir.Slot", "400"),
    ]
    assert entries[0].role == "api" and entries[0].object_id == "3 créneaux"


def test_calls_beyond_the_client_rate_answer_429_with_retry_after(client, sas):
    ApiClient.objects.filter(pk=sas.pk).update(rate_per_minute=3)
    statuses = [client.get("/fhir/Slot?status=free", **headers(sas.token)).status_code for _ in range(5)]
    assert statuses[:3] == [400, 400, 400]
    assert statuses[3:] == [429, 429]
    response = client.get("/fhir/Slot?status=free", **headers(sas.token))
    assert int(response["Retry-After"]) <= 60
    assert parse(response.json()).issue[0].code == "throttled"


def test_fhir_paths_need_no_csrf_token_and_unknown_paths_answer_an_outcome(sas):
    from django.test import Client

    strict = Client(enforce_csrf_checks=True)
    response = post_appointment(strict, sas.token, {"resourceType": "Appointment"})
    assert response.status_code == 400  # reached the view: no CSRF refusal
    response = strict.get("/fhir/Patient", **headers(sas.token))
    assert response.status_code == 404
    assert parse(response.json()).issue[0].code == "not-found"
    response = strict.delete("/fhir/Slot", **headers(sas.token))
    assert response.status_code == 405
    parse(response.json())


def test_admin_lists_clients_and_revokes_tokens(client, sas):
    from tests.factories import UserFactory

    admin = UserFactory(is_staff=True, is_superuser=True)
    client.force_login(admin)
    page = client.get("/admin/interop/apiclient/")
    assert page.status_code == 200 and "SAS" in page.content.decode()
    assert sas.token not in page.content.decode()
    client.post("/admin/interop/apiclient/", {"action": "revoke", "_selected_action": [sas.pk]})
    sas.refresh_from_db()
    assert sas.is_revoked
    client.logout()
    assert _search(client, **headers(sas.token)).status_code == 401
