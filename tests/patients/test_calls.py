"""The unscheduled-care line's call screen: saved at once, nothing typed lost, role checks, vital emergency."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import IntegrityError
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from escorter.models import AuditLog
from escorter.roles import Role
from patients.models import Call, CallCategory, CallerKind, CallOutcome, Patient
from tests.factories import CommuneFactory, make_user
from tests.patients.factories import PatientFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def call(db):
    return Call.objects.create(handled_by=make_user(Role.SECRETARY))


def _post_data(**overrides):
    data = {
        "caller_kind": CallerKind.UNKNOWN,
        "caller_name": "",
        "caller_phone": "",
        "commune": "",
        "category": "",
        "reason": "",
        "outcome": "",
        "duration_seconds": "",
        "follow_up_note": "",
    }
    data.update(overrides)
    return data


# --- personas --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("role", "status"),
    [(Role.COORDINATOR, 200), (Role.SECRETARY, 200), (Role.PRACTITIONER, 403), (Role.FUNDER, 403)],
)
def test_call_log_is_for_secretaries_and_coordinators_only(client, login_as, role, status):
    login_as(role)
    assert client.get(reverse("patients:call_list")).status_code == status


@pytest.mark.parametrize(
    ("role", "status"),
    [(Role.COORDINATOR, 200), (Role.SECRETARY, 200), (Role.PRACTITIONER, 403), (Role.FUNDER, 403)],
)
def test_call_screen_is_for_secretaries_and_coordinators_only(client, login_as, call, role, status):
    login_as(role)
    assert client.get(reverse("patients:call_detail", args=[call.pk])).status_code == status


@pytest.mark.parametrize("role", [Role.PRACTITIONER, Role.FUNDER])
def test_practitioners_and_funders_cannot_open_a_call_or_search_patients(client, login_as, call, role):
    login_as(role)
    assert client.post(reverse("patients:call_start")).status_code == 403
    assert client.get(reverse("patients:call_patient_search", args=[call.pk]), {"q": "dup"}).status_code == 403
    assert client.post(reverse("patients:call_autosave", args=[call.pk]), _post_data()).status_code == 403
    assert Call.objects.count() == 1


def test_anonymous_visitor_is_sent_to_login_from_the_call_screen(client, call):
    response = client.get(reverse("patients:call_detail", args=[call.pk]))
    assert response.status_code == 302
    assert response["Location"].startswith("/connexion/")


def test_unknown_call_is_a_404_not_a_500(client, login_as):
    login_as(Role.SECRETARY)
    assert client.get(reverse("patients:call_detail", args=[999999])).status_code == 404


# --- opening and saving ------------------------------------------------------------------


def test_opening_a_call_saves_it_at_once_so_a_hang_up_loses_nothing(client, login_as):
    secretary = login_as(Role.SECRETARY)
    before = timezone.now()
    response = client.post(reverse("patients:call_start"))
    call = Call.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("patients:call_detail", args=[call.pk])
    assert call.handled_by == secretary
    assert call.received_at >= before
    assert call.is_open and call.closed_at is None


def test_opening_a_call_needs_the_csrf_token():
    csrf_client = Client(enforce_csrf_checks=True)
    csrf_client.force_login(make_user(Role.SECRETARY))
    assert csrf_client.post(reverse("patients:call_start")).status_code == 403
    assert not Call.objects.exists()


def test_autosave_keeps_every_valid_field_even_when_one_is_wrong(client, login_as, call):
    login_as(Role.SECRETARY)
    commune = CommuneFactory()
    response = client.post(
        reverse("patients:call_autosave", args=[call.pk]),
        _post_data(
            caller_phone="06 12",  # too short
            commune=commune.pk,
            category=CallCategory.FEVER,
            reason="Fièvre à 39 depuis hier",
        ),
        HTTP_HX_REQUEST="true",
    )
    assert response.status_code == 200
    body = response.content.decode()
    assert "sauf" in body and "Téléphone de l&#x27;appelant" in body
    call.refresh_from_db()
    assert call.reason == "Fièvre à 39 depuis hier"
    assert call.category == CallCategory.FEVER
    assert call.commune == commune
    assert call.caller_phone == ""
    assert response["HX-Trigger"] == "call-changed"  # the slots panel recomputes distances


def test_autosave_normalises_the_phone_number(client, login_as, call):
    login_as(Role.SECRETARY)
    client.post(reverse("patients:call_autosave", args=[call.pk]), _post_data(caller_phone="+33 6 12 34 56 78"))
    call.refresh_from_db()
    assert call.caller_phone == "0612345678"


def test_an_autosave_sent_before_a_booking_closed_the_call_does_not_erase_its_outcome(client, login_as, call):
    login_as(Role.SECRETARY)
    stale = Call.objects.get(pk=call.pk)  # what the screen knew
    Call.objects.filter(pk=call.pk).update(outcome=CallOutcome.SAME_DAY, closed_at=timezone.now())
    from patients.services.calls import save_call

    saved = save_call(call=stale, user=None, values={"outcome": "", "reason": "Otite"})
    assert saved.outcome == CallOutcome.SAME_DAY and saved.reason == "Otite"
    call.refresh_from_db()
    assert call.outcome == CallOutcome.SAME_DAY and call.closed_at is not None


def test_closing_without_an_outcome_shows_the_form_again_with_what_was_typed(client, login_as, call):
    login_as(Role.SECRETARY)
    response = client.post(
        reverse("patients:call_detail", args=[call.pk]),
        _post_data(reason="Douleur au genou après une chute", caller_name="Mme Roux", caller_phone="abc"),
    )
    assert response.status_code == 422
    body = response.content.decode()
    assert "Douleur au genou après une chute" in body
    assert 'value="abc"' in body  # even the wrong value comes back to be corrected
    assert "Choisissez l&#x27;orientation" in body
    call.refresh_from_db()
    assert call.reason == "Douleur au genou après une chute"  # the valid fields are saved anyway
    assert call.caller_name == "Mme Roux"
    assert call.is_open


def test_closing_with_an_outcome_records_when_and_how_long(client, login_as, call):
    login_as(Role.SECRETARY)
    response = client.post(
        reverse("patients:call_detail", args=[call.pk]),
        _post_data(outcome=CallOutcome.ADVICE_GIVEN, duration_seconds="185", category=CallCategory.SKIN),
    )
    assert response.status_code == 302
    call.refresh_from_db()
    assert call.outcome == CallOutcome.ADVICE_GIVEN
    assert call.closed_at is not None
    assert call.duration_seconds == 185


def test_closing_without_a_timer_counts_the_duration_from_the_ring(client, login_as):
    login_as(Role.SECRETARY)
    call = Call.objects.create(received_at=timezone.now() - dt.timedelta(minutes=4))
    client.post(reverse("patients:call_detail", args=[call.pk]), _post_data(outcome=CallOutcome.NO_ACTION))
    call.refresh_from_db()
    assert 235 <= call.duration_seconds <= 250


def test_an_open_call_shows_the_vital_banner_hidden_and_a_vital_one_shows_it(client, login_as, call):
    login_as(Role.SECRETARY)
    url = reverse("patients:call_detail", args=[call.pk])
    body = client.get(url).content.decode()
    assert 'id="vital-banner"' in body
    assert 'aria-live="assertive" hidden>' in body
    client.post(reverse("patients:call_autosave", args=[call.pk]), _post_data(outcome=CallOutcome.VITAL_EMERGENCY))
    call.refresh_from_db()
    assert call.outcome == CallOutcome.VITAL_EMERGENCY and call.closed_at is not None
    body = client.get(url).content.decode()
    assert 'aria-live="assertive">' in body  # not hidden
    assert "Appelez le 15 (SAMU)" in body


def test_reading_a_call_is_audited(client, login_as, call):
    login_as(Role.SECRETARY)
    client.get(reverse("patients:call_detail", args=[call.pk]))
    assert AuditLog.objects.filter(action="view", object_type="patients.Call", object_id=str(call.pk)).exists()


def test_autosaves_do_not_flood_the_audit_log(client, login_as, call):
    login_as(Role.SECRETARY)
    before = AuditLog.objects.count()
    for text in ("Fi", "Fièvre", "Fièvre à 39"):
        client.post(reverse("patients:call_autosave", args=[call.pk]), _post_data(reason=text))
    assert AuditLog.objects.count() == before


# --- the patient -------------------------------------------------------------------------


def test_search_as_you_type_finds_the_patient_by_name_without_accents(client, login_as, call):
    login_as(Role.SECRETARY)
    PatientFactory(last_name="Hérault", first_names="Gisèle")
    PatientFactory(last_name="Martin", first_names="Paul")
    response = client.get(reverse("patients:call_patient_search", args=[call.pk]), {"q": "herau"})
    body = response.content.decode()
    assert "HÉRAULT Gisèle" in body
    assert "MARTIN" not in body
    assert AuditLog.objects.filter(action="search", object_id=str(call.pk)).exists()


def test_search_with_one_letter_shows_nothing(client, login_as, call):
    login_as(Role.SECRETARY)
    PatientFactory(last_name="Hérault")
    body = client.get(reverse("patients:call_patient_search", args=[call.pk]), {"q": "h"}).content.decode()
    assert "HÉRAULT" not in body


def test_choosing_the_patient_fills_commune_and_phone_and_is_audited(client, login_as, call):
    login_as(Role.SECRETARY)
    commune = CommuneFactory()
    patient = PatientFactory(commune=commune, phone="0251000000")
    response = client.post(reverse("patients:call_patient_attach", args=[call.pk]), {"patient": patient.pk})
    assert response.status_code == 200
    assert response["HX-Trigger-After-Settle"] == "call-changed"
    call.refresh_from_db()
    assert call.patient == patient
    assert call.commune == commune
    assert call.caller_phone == "0251000000"
    assert call.caller_kind == CallerKind.PATIENT
    assert AuditLog.objects.filter(action="view", object_type="patients.Patient", object_id=str(patient.pk)).exists()


def test_a_forged_patient_id_is_a_404(client, login_as, call):
    login_as(Role.SECRETARY)
    assert client.post(reverse("patients:call_patient_attach", args=[call.pk]), {"patient": "x"}).status_code == 404
    call.refresh_from_db()
    assert call.patient is None


def test_quick_creation_puts_an_unknown_caller_on_the_waiting_list_and_links_the_call(client, login_as, call):
    login_as(Role.SECRETARY)
    call.commune = CommuneFactory()
    call.save()
    response = client.post(
        reverse("patients:call_patient_create", args=[call.pk]),
        {"last_name": "Billaud", "first_names": "Jeanne", "birth_date": "03/04/1941", "phone": "06 11 22 33 44"},
    )
    assert response.status_code == 200
    patient = Patient.objects.get(last_name="Billaud")
    assert patient.status == Patient.Status.WAITING
    assert patient.birth_date == dt.date(1941, 4, 3)
    assert patient.commune == call.commune
    assert patient.phone == "0611223344"
    call.refresh_from_db()
    assert call.patient == patient


def test_quick_creation_with_a_bad_birth_date_keeps_what_was_typed(client, login_as, call):
    login_as(Role.SECRETARY)
    response = client.post(
        reverse("patients:call_patient_create", args=[call.pk]),
        {"last_name": "Billaud", "first_names": "Jeanne", "birth_date": "31/02/1941"},
    )
    body = response.content.decode()
    assert response.status_code == 200
    assert "Date de naissance illisible" in body
    assert 'value="Billaud"' in body and 'value="Jeanne"' in body
    assert not Patient.objects.filter(last_name="Billaud").exists()


# --- the log ------------------------------------------------------------------------------


def _calls(n: int, commune) -> None:
    patient = PatientFactory(commune=commune)
    user = make_user(Role.SECRETARY)
    Call.objects.bulk_create(
        Call(
            handled_by=user,
            patient=patient,
            commune=commune,
            outcome=CallOutcome.ADVICE_GIVEN,
            closed_at=timezone.now(),
            category=CallCategory.PAIN,
        )
        for _ in range(n)
    )


def test_call_log_query_count_does_not_grow_with_rows(client, login_as, django_assert_num_queries):
    login_as(Role.SECRETARY)
    commune = CommuneFactory()
    _calls(1, commune)
    client.get(reverse("patients:call_list"))  # warm caches (role, session)
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as one:
        assert client.get(reverse("patients:call_list")).status_code == 200
    _calls(49, commune)
    with django_assert_num_queries(len(one)):
        response = client.get(reverse("patients:call_list"))
    assert response.content.decode().count("Conseil donné") >= 50


def test_call_log_filters_open_calls(client, login_as, call):
    login_as(Role.SECRETARY)
    _calls(2, CommuneFactory())
    response = client.get(reverse("patients:call_list"), {"orientation": "open"})
    assert list(response.context["calls"]) == [call]


# --- invariants in the database ----------------------------------------------------------


def test_the_database_refuses_an_outcome_without_closing_time(call):
    with pytest.raises(IntegrityError):
        Call.objects.filter(pk=call.pk).update(outcome=CallOutcome.SAME_DAY)


def test_the_database_refuses_an_unknown_outcome(call):
    with pytest.raises(IntegrityError):
        Call.objects.filter(pk=call.pk).update(outcome="teleport", closed_at=timezone.now())
