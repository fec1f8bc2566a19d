"""Booking an SNP consultation from a call: free times near the caller, one click, same guarantees as booking."""

from __future__ import annotations

import datetime as dt
import threading

import pytest
from django.db import connection
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from escorter.roles import Role
from patients.models import Call, CallOutcome
from staffing.models import ConsultationKind
from tests.factories import CommuneFactory, make_user
from tests.patients.factories import PatientFactory
from tests.staffing.factories import PermanenceFactory, PremisesFactory, RoomFactory

SNP = ConsultationKind.SNP


def _soon(minutes: int = 60) -> dt.datetime:
    now = timezone.localtime()
    return now.replace(second=0, microsecond=0) + dt.timedelta(minutes=minutes - now.minute % 20)


def _snp_permanence(*, commune=None, start=None, hours=2, kinds=(SNP,), name=None):
    premises = PremisesFactory(commune=commune or CommuneFactory(), **({"name": name} if name else {}))
    start = start or _soon()
    return PermanenceFactory(
        room=RoomFactory(premises=premises), start=start, end=start + dt.timedelta(hours=hours), kinds=list(kinds)
    )


def _call_with_patient(commune=None):
    commune = commune or CommuneFactory(latitude=46.91, longitude=-2.04)
    patient = PatientFactory(commune=commune)
    return Call.objects.create(patient=patient, commune=commune)


def _book(client, call, permanence, start=None, **extra):
    return client.post(
        reverse("staffing:call_book", args=[call.pk]),
        {"permanence": permanence.pk, "start": (start or permanence.start).isoformat()},
        **extra,
    )


# --- personas ----------------------------------------------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("role", "status"),
    [(Role.COORDINATOR, 200), (Role.SECRETARY, 200), (Role.PRACTITIONER, 403), (Role.FUNDER, 403)],
)
def test_free_snp_times_are_for_secretaries_and_coordinators(client, login_as, role, status):
    login_as(role)
    call = _call_with_patient()
    assert client.get(reverse("staffing:call_snp_slots", args=[call.pk])).status_code == status


@pytest.mark.django_db
@pytest.mark.parametrize("role", [Role.PRACTITIONER, Role.FUNDER])
def test_practitioners_and_funders_cannot_book_from_a_call(client, login_as, role):
    login_as(role)
    call, permanence = _call_with_patient(), _snp_permanence()
    assert _book(client, call, permanence).status_code == 403
    assert not call.consultations.exists()


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("role", "status"),
    [(Role.COORDINATOR, 200), (Role.SECRETARY, 403), (Role.PRACTITIONER, 403), (Role.FUNDER, 403)],
)
def test_line_dashboard_is_for_coordinators_only(client, login_as, role, status):
    login_as(role)
    assert client.get(reverse("staffing:call_dashboard")).status_code == status


@pytest.mark.django_db
def test_anonymous_visitor_cannot_see_free_times_or_the_dashboard(client):
    call = _call_with_patient()
    for url in (reverse("staffing:call_snp_slots", args=[call.pk]), reverse("staffing:call_dashboard")):
        response = client.get(url)
        assert response.status_code == 302 and response["Location"].startswith("/connexion/")


# --- free times ----------------------------------------------------------------------------


@pytest.mark.django_db
def test_free_times_list_snp_permanences_nearest_first_with_distance(client, login_as):
    login_as(Role.SECRETARY)
    here = CommuneFactory(name="Bouin", latitude=46.97, longitude=-2.0)
    near = CommuneFactory(name="Beauvoir-sur-Mer", latitude=46.91, longitude=-2.04)
    far = CommuneFactory(name="Saint-Jean-de-Monts", latitude=46.79, longitude=-2.06)
    _snp_permanence(commune=far, name="Local du Sud")
    _snp_permanence(commune=near, name="Local du Nord")
    _snp_permanence(commune=near, kinds=(ConsultationKind.FOLLOW_UP,), name="Local sans SNP")
    call = _call_with_patient(commune=here)
    body = client.get(reverse("staffing:call_snp_slots", args=[call.pk])).content.decode()
    assert "Local du Nord" in body and "Local du Sud" in body
    assert "Local sans SNP" not in body
    assert body.index("Local du Nord") < body.index("Local du Sud")
    assert " km</span>" in body


@pytest.mark.django_db
def test_free_times_ignore_the_day_after_tomorrow(client, login_as):
    login_as(Role.SECRETARY)
    later = timezone.localtime().replace(hour=14, minute=0, second=0, microsecond=0) + dt.timedelta(days=3)
    _snp_permanence(start=later, name="Local de jeudi prochain")
    call = _call_with_patient()
    body = client.get(reverse("staffing:call_snp_slots", args=[call.pk])).content.decode()
    assert "Local de jeudi prochain" not in body
    assert "Aucun créneau" in body


@pytest.mark.django_db
def test_without_a_patient_the_times_are_shown_but_cannot_be_booked(client, login_as):
    login_as(Role.SECRETARY)
    _snp_permanence()
    call = Call.objects.create()
    body = client.get(reverse("staffing:call_snp_slots", args=[call.pk])).content.decode()
    assert "Associez le patient" in body
    assert "disabled" in body


# --- booking ----------------------------------------------------------------------------


@pytest.mark.django_db
def test_one_click_books_the_time_links_the_call_and_closes_it(client, login_as):
    login_as(Role.SECRETARY)
    call, permanence = _call_with_patient(), _snp_permanence()
    response = _book(client, call, permanence, HTTP_HX_REQUEST="true")
    assert response.status_code == 200
    assert "Consultation réservée" in response.content.decode()
    consultation = call.consultations.get()
    assert consultation.patient == call.patient
    assert consultation.kind == SNP
    assert consultation.start == permanence.start
    call.refresh_from_db()
    same_day = timezone.localdate(permanence.start) == timezone.localdate(call.received_at)
    assert call.outcome == (CallOutcome.SAME_DAY if same_day else CallOutcome.WITHIN_48H)
    assert call.closed_at is not None
    # the confirmation tells the page the outcome to tick (static/js/calls.js)
    assert f'data-call-outcome="{call.outcome}"' in response.content.decode()


@pytest.mark.django_db
def test_booking_without_javascript_redirects_back_to_the_call(client, login_as):
    login_as(Role.SECRETARY)
    call, permanence = _call_with_patient(), _snp_permanence()
    response = _book(client, call, permanence)
    assert response.status_code == 302
    assert response["Location"] == reverse("patients:call_detail", args=[call.pk])
    assert call.consultations.count() == 1


@pytest.mark.django_db
def test_booking_needs_the_csrf_token():
    csrf_client = Client(enforce_csrf_checks=True)
    csrf_client.force_login(make_user(Role.SECRETARY))
    call, permanence = _call_with_patient(), _snp_permanence()
    assert _book(csrf_client, call, permanence).status_code == 403
    assert not call.consultations.exists()


@pytest.mark.django_db
def test_a_second_click_does_not_book_a_second_consultation_for_the_same_call(client, login_as):
    login_as(Role.SECRETARY)
    call, permanence = _call_with_patient(), _snp_permanence()
    _book(client, call, permanence, HTTP_HX_REQUEST="true")
    response = _book(client, call, permanence, permanence.start + dt.timedelta(minutes=20), HTTP_HX_REQUEST="true")
    assert "déjà réservée pour cet appel" in response.content.decode()
    assert call.consultations.count() == 1


@pytest.mark.django_db
def test_booking_without_a_patient_says_so_in_french(client, login_as):
    login_as(Role.SECRETARY)
    call, permanence = Call.objects.create(), _snp_permanence()
    response = _book(client, call, permanence, HTTP_HX_REQUEST="true")
    assert "Associez d&#x27;abord le patient" in response.content.decode()
    call.refresh_from_db()
    assert call.is_open


@pytest.mark.django_db
def test_a_forged_permanence_or_time_gets_a_message_not_a_500(client, login_as):
    login_as(Role.SECRETARY)
    call, permanence = _call_with_patient(), _snp_permanence()
    url = reverse("staffing:call_book", args=[call.pk])
    bad = [
        {"permanence": "999999", "start": permanence.start.isoformat()},
        {"permanence": "abc", "start": permanence.start.isoformat()},
        {"permanence": permanence.pk, "start": "demain"},
        {"permanence": _snp_permanence(kinds=(ConsultationKind.FOLLOW_UP,)).pk, "start": permanence.start.isoformat()},
    ]
    for data in bad:
        response = client.post(url, data, HTTP_HX_REQUEST="true")
        assert response.status_code == 200, data
        assert 'class="alert alert-danger' in response.content.decode(), data
    assert not call.consultations.exists()


@pytest.mark.django_db
def test_a_time_taken_meanwhile_gives_a_clear_message(client, login_as):
    from staffing.services import book_consultation

    secretary = login_as(Role.SECRETARY)
    call, permanence = _call_with_patient(), _snp_permanence()
    book_consultation(patient=PatientFactory(), permanence=permanence, start=permanence.start, kind=SNP, user=secretary)
    response = _book(client, call, permanence, HTTP_HX_REQUEST="true")
    assert 'class="alert alert-danger' in response.content.decode()
    assert not call.consultations.exists()
    call.refresh_from_db()
    assert call.is_open


@pytest.mark.django_db(transaction=True)
def test_two_secretaries_booking_the_same_time_from_two_calls_get_one_consultation():
    from django.db import connections

    from staffing.models import Consultation

    secretary = make_user(Role.SECRETARY)
    permanence = _snp_permanence()
    calls = [_call_with_patient() for _ in range(8)]
    barrier = threading.Barrier(len(calls))
    statuses: list[str] = []

    def attempt(call):
        client = Client()
        client.force_login(secretary)
        barrier.wait()
        try:
            body = _book(client, call, permanence, HTTP_HX_REQUEST="true").content.decode()
            statuses.append("booked" if "Consultation réservée" in body else "refused")
        finally:
            connections.close_all()

    threads = [threading.Thread(target=attempt, args=(call,)) for call in calls]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(statuses) == ["booked"] + ["refused"] * (len(calls) - 1)
    assert Consultation.objects.filter(permanence=permanence, start=permanence.start).count() == 1
    assert Call.objects.exclude(outcome="").count() == 1
    connection.close()


# --- dashboard -------------------------------------------------------------------------------


@pytest.mark.django_db
def test_dashboard_figures_match_the_calls(client, login_as):
    from staffing.services import book_consultation

    coordinator = login_as(Role.COORDINATOR)
    now = timezone.now()
    commune = CommuneFactory(name="Bouin")
    permanence = _snp_permanence()
    booked = _call_with_patient(commune=commune)
    consultation = book_consultation(
        patient=booked.patient, permanence=permanence, start=permanence.start, kind=SNP, user=coordinator
    )
    consultation.call = booked
    consultation.save(update_fields=["call"])
    Call.objects.filter(pk=booked.pk).update(outcome=CallOutcome.SAME_DAY, closed_at=now)
    Call.objects.create(commune=commune, outcome=CallOutcome.VITAL_EMERGENCY, closed_at=now)
    Call.objects.create(outcome=CallOutcome.ADVICE_GIVEN, closed_at=now)
    Call.objects.create(caller_phone="0612345678")  # hung up (caller ID kept; an empty call is not counted)
    response = client.get(reverse("staffing:call_dashboard"))
    assert response.status_code == 200
    ctx = response.context
    assert ctx["figures"]["total"] == 4
    assert ctx["booking"]["booked_calls"] == 1
    assert ctx["booking"]["booked_share_pct"] == 25
    assert ctx["vital_pct"] == 25
    assert ctx["open_calls"] == 1
    expected_hours = (permanence.start - booked.received_at).total_seconds() / 3600
    assert ctx["booking"]["median_delay_hours"] == pytest.approx(expected_hours, abs=0.01)
    assert ctx["figures"]["busiest_communes"][0]["commune__name"] == "Bouin"
    body = response.content.decode()
    assert 'id="call-dashboard-data"' in body and "chart.umd.min.js" in body
    assert "<script>" not in body.replace('<script id="call-dashboard-data" type="application/json">', "")


@pytest.mark.django_db
def test_dashboard_query_count_does_not_grow_with_calls(client, login_as, django_assert_num_queries):
    login_as(Role.COORDINATOR)
    now = timezone.now()
    commune = CommuneFactory()
    Call.objects.create(commune=commune, outcome=CallOutcome.ADVICE_GIVEN, closed_at=now)
    client.get(reverse("staffing:call_dashboard"))
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as one:
        client.get(reverse("staffing:call_dashboard"))
    Call.objects.bulk_create(
        Call(commune=CommuneFactory(), outcome=CallOutcome.ADVICE_GIVEN, closed_at=now) for _ in range(49)
    )
    with django_assert_num_queries(len(one)):
        response = client.get(reverse("staffing:call_dashboard"))
    assert response.status_code == 200
    assert response.context["figures"]["total"] == 50
