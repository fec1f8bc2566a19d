"""The SAS books and cancels: through book_consultation, with FHIR answers the SAS understands."""

from __future__ import annotations

import datetime as dt
import json

import pytest

from escorter.models import AuditLog
from interop.models import SasAppointment
from interop.services import create_api_client
from patients.models import Patient
from staffing.models import Consultation, ConsultationKind
from staffing.services import book_consultation
from tests.interop.conftest import appointment, cancel, headers, post_appointment, search_url, snp_permanence
from tests.interop.profiles import parse, slot_errors
from tests.patients.factories import valid_nir
from tests.staffing.booking_helpers import future_morning, patient

pytestmark = pytest.mark.django_db


def _search(client, token, days=(1, 3)):
    response = client.get(search_url(future_morning(days[0], 0), future_morning(days[1], 0)), **headers(token))
    assert response.status_code == 200
    bundle = response.json()
    parse(bundle)
    return bundle


def _slot_ids(bundle) -> list[str]:
    return [e["resource"]["id"] for e in bundle["entry"] if e["resource"]["resourceType"] == "Slot"]


def test_end_to_end_as_the_sas_search_book_gone_cancel_back(client, sas):
    snp_permanence(days=1)
    snp_permanence(days=2, hour=14)
    bundle = _search(client, sas.token)  # two days, with the actors included
    slots = _slot_ids(bundle)
    assert bundle["total"] == 6 and len(slots) == 6
    chosen = slots[4]
    assert all(slot_errors(e["resource"]) == [] for e in bundle["entry"] if e["resource"]["resourceType"] == "Slot")

    body = appointment(chosen)
    response = post_appointment(client, sas.token, body)
    assert response.status_code == 201, response.content
    created = parse(response.json())
    assert created.status == "booked"
    assert response["Location"].endswith(f"/fhir/Appointment/{created.id}")
    assert created.slot[0].reference == f"Slot/{chosen}"

    after = _search(client, sas.token)
    assert after["total"] == 5 and chosen not in _slot_ids(after)

    response = cancel(client, sas.token, body)
    assert response.status_code == 200, response.content
    assert parse(response.json()).status == "cancelled"
    consultation = Consultation.objects.get()
    assert consultation.status == Consultation.Status.CANCELLED
    assert consultation.cancel_reason == "Annulée par le SAS"

    back = _search(client, sas.token)
    assert back["total"] == 6 and chosen in _slot_ids(back)

    read = client.get(response["Location"], **headers(sas.token))
    assert read.status_code == 200 and parse(read.json()).status == "cancelled"


def test_the_booking_is_a_consultation_marked_sas_for_a_patient_registered_with_origin_sas(client, sas):
    perm = snp_permanence(days=1)
    slot = _slot_ids(_search(client, sas.token))[0]
    response = post_appointment(client, sas.token, appointment(slot, family="Lefèvre", given="Anne-Sophie"))
    assert response.status_code == 201
    consultation = Consultation.objects.select_related("patient").get()
    assert consultation.is_from_sas and consultation.kind == ConsultationKind.SNP
    assert consultation.permanence == perm and consultation.start == perm.start
    new = consultation.patient
    assert new.referral_source == Patient.ReferralSource.SAS
    assert (new.last_name, new.first_names, new.birth_date) == ("Lefèvre", "Anne-Sophie", dt.date(1950, 3, 2))
    assert new.phone == "0612345678" and new.commune is None
    stored = SasAppointment.objects.get()
    assert stored.operator_value == "3456780581/11242343"
    assert AuditLog.objects.filter(username="API SAS", action="create", object_type="fhir.Appointment").exists()


def test_a_known_patient_is_matched_by_nir_or_by_name_and_birth_date(client, sas):
    snp_permanence(days=1)
    by_nir = patient(nir=valid_nir(), last_name="Autre-Nom")
    by_name = patient(last_name="Le Goff", first_names="Yann Pierre", birth_date=dt.date(1981, 7, 14))
    slots = _slot_ids(_search(client, sas.token))
    post_appointment(client, sas.token, appointment(slots[0], identifier="a", family="Durand", nir=valid_nir()))
    post_appointment(
        client,
        sas.token,
        appointment(slots[1], identifier="b", family="LE GOFF", given="Yann", birth_date="1981-07-14"),
    )
    booked = dict(Consultation.objects.values_list("sas_appointment__identifier_value", "patient"))
    assert booked == {"a": by_nir.pk, "b": by_name.pk}
    assert Patient.objects.count() == 2


def test_a_slot_taken_meanwhile_answers_409_in_french(client, sas):
    perm = snp_permanence(days=1)
    slot = _slot_ids(_search(client, sas.token))[0]
    book_consultation(patient=patient(), permanence=perm, start=perm.start, kind=ConsultationKind.SNP, user=None)
    response = post_appointment(client, sas.token, appointment(slot))
    assert response.status_code == 409
    outcome = parse(response.json())
    assert outcome.issue[0].code == "conflict"
    assert "n'est plus disponible" in outcome.issue[0].diagnostics
    assert SasAppointment.objects.count() == 0


def test_the_same_identifier_sent_twice_returns_the_first_booking(client, sas):
    snp_permanence(days=1)
    slots = _slot_ids(_search(client, sas.token))
    first = post_appointment(client, sas.token, appointment(slots[0]))
    again = post_appointment(client, sas.token, appointment(slots[0]))
    other = post_appointment(client, sas.token, appointment(slots[1]))
    assert (first.status_code, again.status_code, other.status_code) == (201, 200, 409)
    assert first["Location"] == again["Location"]
    assert Consultation.objects.count() == 1


@pytest.mark.parametrize(
    ("body", "status", "fragment"),
    [
        ("{not json", 400, "JSON"),
        ("[]", 400, "objet JSON"),
        ({"resourceType": "Patient"}, 400, "Appointment"),
        ({"resourceType": "Appointment", "status": "booked"}, 400, "mal formée"),
        ("start-bad", 400, "mal formée"),
        ("no-identifier", 422, "identifiant"),
        ("no-patient", 422, "Patient"),
        ("no-birth-date", 422, "Identité"),
        ("bad-nir", 422, "Identité"),
        ("bad-slot", 422, "Créneau inconnu"),
        ("cancelled", 422, "booked"),
    ],
)
def test_malformed_appointments_answer_400_or_422_with_an_outcome(client, sas, body, status, fragment):
    snp_permanence(days=1)
    good = appointment(_slot_ids(_search(client, sas.token))[0])
    if body == "start-bad":
        body = {**good, "start": "2026-13-45T99:00:00"}
    elif body == "no-identifier":
        body = {k: v for k, v in good.items() if k != "identifier"}
    elif body == "no-patient":
        body = {**good, "contained": []}
    elif body == "no-birth-date":
        body = json.loads(json.dumps(good))
        del body["contained"][0]["birthDate"]
    elif body == "bad-nir":
        body = appointment(good["slot"][0]["reference"][5:], nir="295109912611100")
    elif body == "bad-slot":
        body = {**good, "slot": [{"reference": "Slot/nothing-here"}]}
    elif body == "cancelled":
        body = {**good, "status": "cancelled"}
    response = post_appointment(client, sas.token, body)
    assert response.status_code == status, response.content
    outcome = parse(response.json())
    assert fragment in " ".join(issue.diagnostics for issue in outcome.issue)
    assert Consultation.objects.count() == 0


def test_cancelling_an_unknown_identifier_answers_404_and_another_client_s_booking_is_invisible(client, sas):
    snp_permanence(days=1)
    slot = _slot_ids(_search(client, sas.token))[0]
    body = appointment(slot)
    response = post_appointment(client, sas.token, body)
    _, other = create_api_client(name="Autre plateforme")
    assert cancel(client, other, body).status_code == 404
    assert client.get(response["Location"], **headers(other)).status_code == 404
    assert Consultation.objects.get().status == Consultation.Status.BOOKED
    assert cancel(client, sas.token, body).status_code == 200
    assert cancel(client, sas.token, body).status_code == 200  # twice: nothing more happens


def test_a_patient_whose_file_is_closed_gets_a_422_telling_the_regulator_to_call_the_cpts(client, sas, settings):
    settings.ESCORTER_TEAM_PHONE = "+33251000000"
    snp_permanence(days=1)
    patient(last_name="Durand", first_names="Marie", birth_date=dt.date(1950, 3, 2), status=Patient.Status.MOVED)
    slot = _slot_ids(_search(client, sas.token))[0]
    response = post_appointment(client, sas.token, appointment(slot))
    assert response.status_code == 422
    assert "dossier est clos" in response.json()["issue"][0]["diagnostics"]
    assert "02 51 00 00 00" in response.json()["issue"][0]["diagnostics"]
    assert Consultation.objects.count() == 0
