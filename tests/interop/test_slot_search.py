"""The SAS searches the free SNP times: the same free time the secretaries see, in the guide's shape."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from interop.models import PermanencePublication, PublicationPolicy
from staffing.models import Consultation, ConsultationKind, Profession
from staffing.selectors.calls import snp_free_times
from staffing.services import book_consultation
from tests.interop.conftest import headers, search_url, snp_permanence
from tests.interop.profiles import bundle_errors, parse
from tests.staffing.booking_helpers import future_morning, patient, permanence

pytestmark = pytest.mark.django_db


def _search(client, token, start, end, **kwargs):
    response = client.get(search_url(start, end, **kwargs), **headers(token))
    assert response["Content-Type"].startswith("application/fhir+json")
    return response, response.json()


def _slots(bundle):
    return [e["resource"] for e in bundle["entry"] if e["resource"]["resourceType"] == "Slot"]


def test_search_returns_the_free_snp_times_with_their_actors_in_the_guide_s_profiles(client, sas):
    perm = snp_permanence(days=1)
    response, bundle = _search(client, sas.token, future_morning(1, 0), future_morning(2, 0))

    assert response.status_code == 200
    parse(bundle)
    assert bundle_errors(bundle) == []
    assert bundle["total"] == 3
    slots = _slots(bundle)
    assert [s["start"] for s in slots] == [(perm.start + dt.timedelta(minutes=m)).isoformat() for m in (0, 20, 40)]
    kinds = sorted({e["resource"]["resourceType"] for e in bundle["entry"]})
    assert kinds == ["HealthcareService", "Organization", "Practitioner", "PractitionerRole", "Schedule", "Slot"]
    practitioner = next(e["resource"] for e in bundle["entry"] if e["resource"]["resourceType"] == "Practitioner")
    assert practitioner["identifier"][0] == {
        "type": {"coding": [{"system": "http://interopsante.org/fhir/CodeSystem/fr-v2-0203", "code": "IDNPS"}]},
        "system": "urn:oid:1.2.250.1.71.4.2.1",
        "value": f"8{perm.professional.rpps}",
    }
    modes = {e["resource"]["resourceType"]: e["search"]["mode"] for e in bundle["entry"]}
    assert modes["Slot"] == "match" and modes["Schedule"] == "include"


def test_slots_carry_no_patient_data(client, sas):
    perm = snp_permanence(days=1)
    who = patient(last_name="Confidentiel")
    book_consultation(patient=who, permanence=perm, start=perm.start, kind=ConsultationKind.SNP, user=None)
    response, bundle = _search(client, sas.token, future_morning(1, 0), future_morning(2, 0))
    body = response.content.decode()
    assert bundle["total"] == 2
    assert "Confidentiel" not in body and who.phone not in body and "Patient" not in body


def test_search_and_call_line_agree_on_the_free_times(client, sas):
    """The same computation: a time the secretaries book disappears from the SAS, and the rest match."""
    perm = snp_permanence(days=1)
    book_consultation(
        patient=patient(),
        permanence=perm,
        start=perm.start + dt.timedelta(minutes=20),
        kind=ConsultationKind.SNP,
        user=None,
    )
    _, bundle = _search(client, sas.token, future_morning(1, 0), future_morning(2, 0), includes=False)
    call_line = [t for day in snp_free_times(origin=None, days=3) for b in day.blocks for t in b.times]
    assert [s["start"] for s in _slots(bundle)] == [timezone.localtime(t).isoformat() for t in call_line]
    assert len(call_line) == 2


def test_only_snp_times_of_gps_inside_the_period_are_published(client, sas):
    snp_permanence(days=1)
    snp_permanence(days=5)  # outside the period
    permanence(start=future_morning(1, 14), hours=1)  # no SNP kind
    permanence(start=future_morning(1, 16), hours=1, kinds=[ConsultationKind.SNP], profession=Profession.IPA)
    _, bundle = _search(client, sas.token, future_morning(1, 0), future_morning(2, 0))
    assert bundle["total"] == 3


def test_without_includes_the_bundle_holds_only_slots(client, sas):
    snp_permanence(days=1)
    _, bundle = _search(client, sas.token, future_morning(1, 0), future_morning(2, 0), includes=False)
    assert {e["resource"]["resourceType"] for e in bundle["entry"]} == {"Slot"}
    parse(bundle)


def test_no_free_time_gives_an_empty_searchset_with_total_zero(client, sas):
    response, bundle = _search(client, sas.token, future_morning(1, 0), future_morning(2, 0))
    assert response.status_code == 200
    assert bundle["total"] == 0 and bundle["entry"] == []
    parse(bundle)


def test_search_filters_by_practitioner_rpps(client, sas):
    wanted = snp_permanence(days=1)
    snp_permanence(days=1, hour=11)
    extra = f"&schedule.actor:Practitioner.identifier=urn:oid:1.2.250.1.71.4.2.1|8{wanted.professional.rpps}"
    _, bundle = _search(client, sas.token, future_morning(1, 0), future_morning(2, 0), extra=extra)
    assert bundle["total"] == 3
    assert {s["schedule"]["reference"] for s in _slots(bundle)} == {
        f"Schedule/{wanted.professional_id}-{wanted.premises_id}"
    }


def test_unencoded_offsets_as_in_the_guide_s_example_are_understood(client, sas):
    snp_permanence(days=1)
    day = future_morning(1, 0)
    url = f"/fhir/Slot?start=ge{day:%Y-%m-%d}T00:00:00.000+01:00&start=le{day:%Y-%m-%d}T23:00:00.000+01:00&status=free"
    response = client.get(url, **headers(sas.token))
    assert response.status_code == 200
    assert response.json()["total"] == 3


def test_coordinator_share_publishes_every_second_time_and_a_permanence_can_be_withheld(client, sas):
    perm = snp_permanence(days=1, hours=2)  # six times
    withheld = snp_permanence(days=1, hour=14)
    PublicationPolicy.objects.create(pk=1, share_percent=50)
    PermanencePublication.objects.create(permanence=withheld, share_percent=0)
    _, bundle = _search(client, sas.token, future_morning(1, 0), future_morning(2, 0), includes=False)
    starts = [s["start"] for s in _slots(bundle)]
    assert starts == [(perm.start + dt.timedelta(minutes=m)).isoformat() for m in (20, 60, 100)]


@pytest.mark.parametrize(
    ("query", "fragment"),
    [
        ("status=free", "start=ge"),
        ("start=ge2026-13-01&start=le2026-12-02&status=free", "Date invalide"),
        ("start=ge2026-06-10&start=le2026-06-01&status=free", "précède"),
        ("start=ge2026-01-01&start=le2026-06-01&status=free", "trop longue"),
        ("start=ge2026-06-01&start=le2026-06-02", "status=free"),
        ("start=eq2026-06-01&start=le2026-06-02&status=free", "start invalide"),
        ("start=ge2026-06-01&start=le2026-06-02&status=free&schedule.actor:Practitioner.identifier=x|1", "Système"),
    ],
)
def test_malformed_searches_answer_400_with_a_french_operation_outcome(client, sas, query, fragment):
    response = client.get(f"/fhir/Slot?{query}", **headers(sas.token))
    assert response.status_code == 400
    outcome = response.json()
    parse(outcome)
    assert outcome["resourceType"] == "OperationOutcome"
    assert fragment in outcome["issue"][0]["diagnostics"]


def test_metadata_is_a_capability_statement_for_the_cpts_agenda(client):
    response = client.get("/fhir/metadata")
    assert response.status_code == 200
    statement = parse(response.json())
    assert statement.fhirVersion == "4.0.1"
    slot = next(r for r in statement.rest[0].resource if r.type == "Slot")
    assert {"Slot:schedule", "Schedule:actor", "Slot:service-type-reference"} <= set(slot.searchInclude)


def test_a_search_hidden_no_consultation_is_stored(client, sas):
    snp_permanence(days=1)
    _search(client, sas.token, future_morning(1, 0), future_morning(2, 0))
    assert Consultation.objects.count() == 0


def test_search_costs_the_same_number_of_queries_for_one_or_many_permanences(client, sas):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    snp_permanence(days=1)
    with CaptureQueriesContext(connection) as one:
        _search(client, sas.token, future_morning(1, 0), future_morning(3, 0))
    for hour in (11, 14, 16):
        snp_permanence(days=1, hour=hour)
        snp_permanence(days=2, hour=hour)
    with CaptureQueriesContext(connection) as seven:
        _, bundle = _search(client, sas.token, future_morning(1, 0), future_morning(3, 0))
    assert bundle["total"] == 21
    assert len(seven) == len(one)
