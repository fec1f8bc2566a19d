"""The waiting list shows each patient's next appointment or pending proposal and filters on them;
the booking confirmation page re-checks its slot when it loads."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from escorter.roles import Role
from staffing.models import Consultation, ConsultationKind
from staffing.services.booking import book_consultation
from tests.staffing.booking_helpers import patient, permanence
from tests.staffing.factories import ConsultationFactory

pytestmark = pytest.mark.django_db
URL = "/patients/"


def _proposal(perm, who):
    return ConsultationFactory(
        patient=who,
        permanence=perm,
        status=Consultation.Status.PROPOSED,
        expires_at=timezone.now() + dt.timedelta(days=3),
    )


@pytest.fixture
def three_patients(login_as):
    user = login_as(Role.SECRETARY)
    booked, proposed, waiting = patient(last_name="Reserve"), patient(last_name="Propose"), patient(last_name="Libre")
    perm = permanence(days=6)
    book_consultation(patient=booked, permanence=perm, start=perm.start, kind=ConsultationKind.FIRST_VISIT, user=user)
    _proposal(permanence(days=8), proposed)
    return booked, proposed, waiting, perm


def test_a_booked_patient_shows_the_date_and_site_of_the_appointment(client, three_patients):
    booked, _, _, perm = three_patients
    html = client.get(URL, {"status": "active"}).content.decode()
    start = timezone.localtime(perm.start)
    assert f"RDV le {start:%d/%m/%Y} à {start:%H:%M}" in html
    assert perm.premises.name in html
    assert "Proposition le" in html


def test_the_no_appointment_filter_keeps_only_patients_without_one(client, three_patients):
    response = client.get(URL, {"status": "active", "appointment": "sans"})
    names = {p.last_name for p in response.context["page"]}
    assert names == {"Libre"}


def test_the_pending_proposal_filter_keeps_only_live_proposals(client, three_patients):
    response = client.get(URL, {"status": "active", "appointment": "proposition"})
    assert {p.last_name for p in response.context["page"]} == {"Propose"}


def test_a_cancelled_appointment_no_longer_counts(client, three_patients, login_as):
    booked, *_ = three_patients
    Consultation.objects.filter(patient=booked).update(
        status=Consultation.Status.CANCELLED, cancel_reason="test", cancelled_at=timezone.now()
    )
    response = client.get(URL, {"status": "active", "appointment": "sans"})
    assert {p.last_name for p in response.context["page"]} == {"Libre", "Reserve"}


def test_a_search_on_the_birth_name_shows_it(client, login_as):
    login_as(Role.SECRETARY)
    patient(last_name="Martin", birth_name="Lefèvre", sex="F", first_names="Anne")
    html = client.get(URL, {"q": "lefevre"}).content.decode()
    assert "MARTIN Anne" in html and "(née LEFÈVRE)" in html


def test_the_confirmation_page_says_at_once_that_the_slot_was_taken(client, login_as):
    user = login_as(Role.SECRETARY)
    perm = permanence(days=5)
    book_consultation(
        patient=patient(), permanence=perm, start=perm.start, kind=ConsultationKind.FIRST_VISIT, user=user
    )
    other = patient()
    response = client.get(
        f"/equipe/rendez-vous/patients/{other.pk}/confirmer/",
        {"permanence": perm.pk, "start": perm.start.isoformat(), "kind": ConsultationKind.FIRST_VISIT},
    )
    html = response.content.decode()
    assert "Ce créneau vient d&#x27;être pris" in html or "Ce créneau vient d'être pris" in html
    assert "disabled" in html


def test_the_confirmation_page_of_a_free_slot_has_no_warning(client, login_as):
    login_as(Role.SECRETARY)
    perm = permanence(days=5)
    response = client.get(
        f"/equipe/rendez-vous/patients/{patient().pk}/confirmer/",
        {"permanence": perm.pk, "start": perm.start.isoformat(), "kind": ConsultationKind.FIRST_VISIT},
    )
    assert response.context["problem"] == ""


def test_the_appointment_column_costs_one_query_whatever_the_number_of_booked_rows(
    client, login_as, django_assert_num_queries, django_assert_max_num_queries
):
    user = login_as(Role.SECRETARY)

    def book(days):
        perm = permanence(days=days)
        book_consultation(
            patient=patient(), permanence=perm, start=perm.start, kind=ConsultationKind.FIRST_VISIT, user=user
        )

    book(3)
    client.get(URL, {"status": "active"})  # warm caches
    with django_assert_max_num_queries(100) as one:
        client.get(URL, {"status": "active"})
    for days in range(4, 9):
        book(days)
    with django_assert_num_queries(len(one.captured_queries)):
        response = client.get(URL, {"status": "active"})
    assert sum(1 for p in response.context["page"] if p.next_appointment) == 6
