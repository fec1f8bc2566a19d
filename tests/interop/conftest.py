"""SAS connector test helpers: an API client with its token, SNP permanences, FHIR requests."""

from __future__ import annotations

import datetime as dt
import json
import os

import pytest

from interop.services import create_api_client
from staffing.models import ConsultationKind
from tests.staffing.booking_helpers import future_morning, permanence

SNP = ConsultationKind.SNP


@pytest.fixture(autouse=True)
def _redis_cache(settings):
    """Rate limits count in Redis, as in production (the machine's Redis when CELERY_BROKER_URL is set)."""
    url = os.environ.get("CELERY_BROKER_URL", "")
    if url.startswith("redis://"):
        settings.CACHES = {
            "default": {
                "BACKEND": "django.core.cache.backends.redis.RedisCache",
                "LOCATION": url,
                "KEY_PREFIX": f"test-interop-{os.getpid()}",
            }
        }
    from django.core.cache import cache

    cache.clear()
    yield


@pytest.fixture(autouse=True)
def _every_answer_parses(monkeypatch):
    """Every /fhir/ answer of every test here (errors included) must parse with fhir.resources' R4B models."""
    from interop import api
    from tests.interop.profiles import parse

    original = api.fhir_response
    failures = []

    def checked(resource, *args, **kwargs):
        try:
            parse(resource)
        except Exception as exc:  # collected, reported at teardown (also from other threads)
            failures.append(f"{resource.get('resourceType')}: {exc}")
        return original(resource, *args, **kwargs)

    monkeypatch.setattr(api, "fhir_response", checked)
    yield
    assert failures == []


@pytest.fixture
def sas(db):
    """The SAS platform's client and its bearer token."""
    client, token = create_api_client(name="SAS")
    client.token = token
    return client


def snp_permanence(*, days: int = 1, hour: int = 9, hours: int = 1, **kwargs):
    """A GP's SNP permanence `days` from today (three 20-minute times per hour)."""
    return permanence(start=future_morning(days, hour), hours=hours, kinds=[SNP], **kwargs)


def headers(token: str) -> dict:
    return {"HTTP_AUTHORIZATION": f"Bearer {token}", "HTTP_ACCEPT": "application/fhir+json"}


def search_url(start: dt.datetime, end: dt.datetime, *, includes: bool = True, extra: str = "") -> str:
    from urllib.parse import quote

    url = f"/fhir/Slot?start=ge{quote(start.isoformat())}&start=le{quote(end.isoformat())}&status=free"
    if includes:
        url += (
            "&_include=Slot:schedule&_include:iterate=Schedule:actor&_include=Slot:service-type-reference"
            "&_include:iterate=HealthcareService:organization"
        )
    return url + extra


def appointment(
    slot_id: str,
    *,
    identifier: str = "b6e39355-8a61-4556-b340-36f7b95fec6a",
    family="Durand",
    given="Marie",
    birth_date="1950-03-02",
    nir: str = "",
    phone="+33 6 12 34 56 78",
) -> dict:
    """An Appointment as the SAS sends it (guide's example, plus the contained Patient)."""
    patient = {
        "resourceType": "Patient",
        "id": "patient",
        "name": [{"use": "official", "family": family, "given": [given]}],
        "birthDate": birth_date,
        "gender": "female",
        "telecom": [{"system": "phone", "value": phone}],
    }
    if nir:
        patient["identifier"] = [{"system": "urn:oid:1.2.250.1.213.1.4.8", "value": nir}]
    return {
        "resourceType": "Appointment",
        "meta": {"profile": ["http://sas.fr/fhir/StructureDefinition/FrAppointmentSAS"]},
        "contained": [patient],
        "extension": [
            {
                "url": "http://interopsante.org/fhir/StructureDefinition/FrAppointmentOperator",
                "valueReference": {
                    "identifier": {
                        "type": {
                            "coding": [
                                {"system": "http://interopsante.org/fhir/CodeSystem/fr-v2-0203", "code": "IDNPS"}
                            ]
                        },
                        "system": "urn:oid:1.2.250.1.71.4.2.1",
                        "value": "3456780581/11242343",
                    }
                },
            }
        ],
        "identifier": [{"system": "urn:oid:1.1.111.1.11.1.1.1", "value": identifier}],
        "status": "booked",
        "slot": [{"reference": f"Slot/{slot_id}"}],
        "created": "2026-01-01T10:00:00+01:00",
        "participant": [
            {"actor": {"reference": "#patient"}, "status": "accepted"},
        ],
    }


def post_appointment(client, token: str, body) -> object:
    data = body if isinstance(body, str | bytes) else json.dumps(body)
    return client.post("/fhir/Appointment", data=data, content_type="application/fhir+json", **headers(token))


def cancel(client, token: str, body: dict) -> object:
    body = {**body, "status": "cancelled"}
    identifier = body["identifier"][0]
    return client.put(
        f"/fhir/Appointment?identifier={identifier['system']}|{identifier['value']}",
        data=json.dumps(body),
        content_type="application/fhir+json",
        **headers(token),
    )
