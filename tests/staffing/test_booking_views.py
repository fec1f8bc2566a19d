"""Booking, scheduler and day pages: personas, CSRF, forged input, query counts, audit."""

from __future__ import annotations

import datetime as dt
import html

import pytest
import time_machine
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from escorter.models import AuditLog
from escorter.roles import Role
from patients.models import Patient
from staffing.models import Consultation, ConsultationKind
from tests.factories import make_user
from tests.staffing.booking_helpers import patient, permanence
from tests.staffing.factories import ConsultationFactory, ProfessionalFactory

pytestmark = pytest.mark.django_db
FIRST = ConsultationKind.FIRST_VISIT


def _consultation(perm, who=None, *, status=Consultation.Status.BOOKED, start=None, **extra):
    start = start or perm.start
    return ConsultationFactory(
        patient=who or patient(),
        permanence=perm,
        start=start,
        end=start + dt.timedelta(minutes=perm.professional.default_consultation_minutes),
        status=status,
        **extra,
    )


def _proposal(perm, who=None, start=None):
    return _consultation(
        perm,
        who,
        status=Consultation.Status.PROPOSED,
        start=start,
        expires_at=timezone.now() + dt.timedelta(days=3),
        explanation="P1, ALD, 4 km",
    )


@pytest.fixture
def mid_morning():
    """Tuesday 10:40 in Paris: a permanence that started 40 minutes ago is today's (near
    midnight it would be yesterday's, and the day pages would rightly not show it)."""
    with time_machine.travel(dt.datetime(2026, 12, 1, 10, 40, tzinfo=timezone.get_default_timezone()), tick=True):
        yield


def _started_permanence(**kwargs):
    start = timezone.now().replace(second=0, microsecond=0) - dt.timedelta(minutes=40)
    return permanence(start=start, **kwargs)


POSTS = [
    "consultation_cancel",
    "consultation_no_show",
    "consultation_arrived",
    "consultation_send_sms",
    "consultation_outcome",
    "proposal_confirm",
    "proposal_reject",
]


@pytest.mark.parametrize("name", POSTS + ["scheduler_run", "book_confirm"])
def test_funders_get_403_on_every_action(client, login_as, name):
    perm = permanence()
    booked = _consultation(perm)
    login_as(Role.FUNDER)
    if name == "scheduler_run":
        url = reverse("staffing:scheduler_run")
    elif name == "book_confirm":
        url = reverse("staffing:book_confirm", args=[booked.patient_id])
    else:
        url = reverse(f"staffing:{name}", args=[booked.pk])
    assert client.post(url, {"reason": "Annulée par le patient"}).status_code == 403
    booked.refresh_from_db()
    assert booked.status == Consultation.Status.BOOKED


def test_booking_takes_three_requests_from_the_patient_page_with_csrf(login_as):
    perm = permanence()
    who = patient(ald=True)
    user = make_user(Role.SECRETARY)
    browser = Client(enforce_csrf_checks=True)
    browser.force_login(user)
    book_url = reverse("staffing:book_for_patient", args=[who.pk])
    # click 1: "Prendre rendez-vous"
    page = browser.get(book_url).content.decode()
    confirm_path = reverse("staffing:book_confirm", args=[who.pk])
    assert confirm_path in page and perm.premises.name in page
    # click 2: the first free time
    start = perm.start
    response = browser.get(confirm_path, {"permanence": perm.pk, "start": start.isoformat(), "kind": FIRST})
    assert response.status_code == 200
    token = (
        response.cookies["csrftoken"].value if "csrftoken" in response.cookies else browser.cookies["csrftoken"].value
    )
    # click 3: "Confirmer le rendez-vous"
    response = browser.post(
        confirm_path,
        {"permanence": perm.pk, "start": start.isoformat(), "kind": FIRST, "csrfmiddlewaretoken": token},
    )
    consultation = Consultation.objects.get(patient=who)
    assert response.status_code == 302
    assert response["Location"] == reverse("staffing:consultation_detail", args=[consultation.pk])
    assert consultation.status == Consultation.Status.BOOKED and consultation.created_by == user


def test_posting_without_csrf_token_is_refused():
    perm = permanence()
    who = patient()
    browser = Client(enforce_csrf_checks=True)
    browser.force_login(make_user(Role.SECRETARY))
    response = browser.post(
        reverse("staffing:book_confirm", args=[who.pk]),
        {"permanence": perm.pk, "start": perm.start.isoformat(), "kind": FIRST},
    )
    assert response.status_code == 403
    assert not Consultation.objects.exists()


def test_booking_a_time_just_taken_shows_a_french_message_not_an_error(client, login_as):
    perm = permanence()
    _consultation(perm)
    who = patient()
    login_as(Role.SECRETARY)
    response = client.post(
        reverse("staffing:book_confirm", args=[who.pk]),
        {"permanence": perm.pk, "start": perm.start.isoformat(), "kind": FIRST},
        follow=True,
    )
    assert response.status_code == 200
    assert "vient d'être pris" in html.unescape(response.content.decode())
    assert not Consultation.objects.filter(patient=who).exists()


def test_a_forged_permanence_id_gives_404(client, login_as):
    who = patient()
    login_as(Role.SECRETARY)
    url = reverse("staffing:book_confirm", args=[who.pk])
    assert client.get(url, {"permanence": 999999, "start": timezone.now().isoformat()}).status_code == 404
    assert client.get(url, {"permanence": "abc"}).status_code == 404


def test_a_malformed_time_goes_back_to_the_list_with_a_message(client, login_as):
    perm = permanence()
    who = patient()
    login_as(Role.SECRETARY)
    response = client.get(
        reverse("staffing:book_confirm", args=[who.pk]), {"permanence": perm.pk, "start": "hier"}, follow=True
    )
    assert "Horaire invalide" in response.content.decode()


def test_a_time_outside_the_permanence_is_refused_in_french(client, login_as):
    perm = permanence()
    who = patient()
    login_as(Role.SECRETARY)
    response = client.post(
        reverse("staffing:book_confirm", args=[who.pk]),
        {"permanence": perm.pk, "start": (perm.end + dt.timedelta(hours=1)).isoformat(), "kind": FIRST},
        follow=True,
    )
    assert "en dehors de la permanence" in response.content.decode()


def test_moving_from_the_booking_page(client, login_as):
    perm = permanence()
    booked = _consultation(perm)
    login_as(Role.SECRETARY)
    page = client.get(reverse("staffing:book_for_patient", args=[booked.patient_id]), {"move": booked.pk})
    assert "Déplacer le rendez-vous" in page.content.decode()
    new_start = perm.start + dt.timedelta(hours=1)
    client.post(
        reverse("staffing:book_confirm", args=[booked.patient_id]),
        {"permanence": perm.pk, "start": new_start.isoformat(), "move": booked.pk},
    )
    booked.refresh_from_db()
    assert booked.status == Consultation.Status.CANCELLED
    assert Consultation.objects.get(rescheduled_from=booked).start == new_start


def test_moving_another_patients_consultation_is_refused(client, login_as):
    booked = _consultation(permanence())
    login_as(Role.SECRETARY)
    other = patient()
    response = client.get(reverse("staffing:book_for_patient", args=[other.pk]), {"move": booked.pk})
    assert response.status_code == 404


def test_cancel_in_one_click_with_the_default_reason(client, login_as):
    booked = _consultation(permanence())
    login_as(Role.SECRETARY)
    client.post(reverse("staffing:consultation_cancel", args=[booked.pk]), {"reason": "Annulée par le patient"})
    booked.refresh_from_db()
    assert booked.status == Consultation.Status.CANCELLED and booked.cancel_reason == "Annulée par le patient"


def test_cancel_with_an_unknown_reason_changes_nothing(client, login_as):
    booked = _consultation(permanence())
    login_as(Role.SECRETARY)
    client.post(reverse("staffing:consultation_cancel", args=[booked.pk]), {"reason": "<script>"})
    booked.refresh_from_db()
    assert booked.status == Consultation.Status.BOOKED


def test_secretary_confirms_a_proposal_from_the_scheduler_page(client, login_as):
    proposal = _proposal(permanence())
    login_as(Role.SECRETARY)
    page = client.get(reverse("staffing:scheduler")).content.decode()
    assert "P1, ALD, 4 km" in page
    client.post(reverse("staffing:proposal_confirm", args=[proposal.pk]), {"next": reverse("staffing:scheduler")})
    proposal.refresh_from_db()
    assert proposal.status == Consultation.Status.BOOKED


def test_only_coordinators_run_the_scheduler(client, login_as, django_capture_on_commit_callbacks):
    login_as(Role.SECRETARY)
    assert client.post(reverse("staffing:scheduler_run")).status_code == 403
    permanence()
    patient()
    login_as(Role.COORDINATOR)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("staffing:scheduler_run"))
    assert response.status_code == 302 and "?run=" in response["Location"]
    assert Consultation.objects.filter(status=Consultation.Status.PROPOSED).count() == 1
    page = client.get(response["Location"]).content.decode()
    assert "100 %" in page and "1 proposition" in page


@pytest.mark.usefixtures("mid_morning")
def test_secretary_marks_arrivals_and_no_shows(client, login_as):
    perm = _started_permanence()
    arriving = _consultation(perm, start=perm.start + dt.timedelta(minutes=20))
    missing = _consultation(perm)
    login_as(Role.SECRETARY)
    client.post(reverse("staffing:consultation_arrived", args=[arriving.pk]))
    client.post(reverse("staffing:consultation_no_show", args=[missing.pk]))
    arriving.refresh_from_db(), missing.refresh_from_db()
    assert arriving.arrived_at is not None and missing.status == Consultation.Status.NO_SHOW
    page = client.get(reverse("staffing:secretary_day")).content.decode()
    assert "1 arrivé" in page and "1 absent" in page


@pytest.mark.usefixtures("mid_morning")
def test_practitioner_records_new_gp_found_in_one_form(client):
    doctor = make_user(Role.PRACTITIONER)
    perm = _started_permanence(professional=ProfessionalFactory(user=doctor))
    booked = _consultation(perm)
    client.force_login(doctor)
    page = client.get(reverse("staffing:practitioner_day")).content.decode()
    assert booked.patient.full_name in page and f"c{booked.pk}-gp_found" in page
    client.post(
        reverse("staffing:consultation_outcome", args=[booked.pk]),
        {
            f"c{booked.pk}-seen": "1",
            f"c{booked.pk}-orientation": "gp_team",
            f"c{booked.pk}-gp_found": "on",
            f"c{booked.pk}-new_gp_name": "Dr Lemoine",
        },
    )
    booked.refresh_from_db()
    booked.patient.refresh_from_db()
    assert booked.status == Consultation.Status.DONE and booked.gp_found
    assert booked.patient.status == Patient.Status.GP_FOUND and booked.patient.new_gp_name == "Dr Lemoine"


@pytest.mark.usefixtures("mid_morning")
def test_new_gp_found_without_a_name_is_refused_with_a_message(client):
    doctor = make_user(Role.PRACTITIONER)
    booked = _consultation(_started_permanence(professional=ProfessionalFactory(user=doctor)))
    client.force_login(doctor)
    response = client.post(
        reverse("staffing:consultation_outcome", args=[booked.pk]),
        {f"c{booked.pk}-seen": "1", f"c{booked.pk}-gp_found": "on"},
        follow=True,
    )
    assert "nom du nouveau médecin traitant" in html.unescape(response.content.decode())
    booked.refresh_from_db()
    assert booked.status == Consultation.Status.BOOKED


@pytest.mark.usefixtures("mid_morning")
def test_a_practitioner_cannot_record_the_outcome_of_a_colleagues_consultation(client, login_as):
    booked = _consultation(_started_permanence())
    login_as(Role.PRACTITIONER)
    response = client.post(reverse("staffing:consultation_outcome", args=[booked.pk]), {f"c{booked.pk}-seen": "1"})
    assert response.status_code == 403


def test_reading_the_booking_page_is_audited(client, login_as):
    who = patient()
    login_as(Role.SECRETARY)
    client.get(reverse("staffing:book_for_patient", args=[who.pk]))
    assert AuditLog.objects.filter(object_type="patients.Patient", object_id=str(who.pk), action="view").exists()


# --- query counts: 1 row or 50 rows, same number of queries --------------------------------


@pytest.mark.parametrize("page", ["scheduler", "secretary_day", "patient_consultations", "practitioner_day"])
def test_list_pages_make_the_same_number_of_queries_for_1_and_50_rows(client, page):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    doctor = make_user(Role.PRACTITIONER)
    professional = ProfessionalFactory(user=doctor, default_consultation_minutes=10)
    counts = []
    for days, rows in ((3, 1), (4, 50)):
        perm = permanence(days=days, hours=9, professional=professional)
        who = patient()
        for i in range(rows):
            start = perm.start + dt.timedelta(minutes=10 * i)
            values = {"start": start}
            if page == "scheduler":
                _proposal(perm, patient(), **values)
            else:
                _consultation(perm, who if page == "patient_consultations" else patient(), **values)
        day = timezone.localdate(perm.start)
        url = {
            "scheduler": reverse("staffing:scheduler"),
            "secretary_day": reverse("staffing:secretary_day") + f"?date={day}",
            "practitioner_day": reverse("staffing:practitioner_day") + f"?date={day}",
            "patient_consultations": reverse("staffing:patient_consultations", args=[who.pk]),
        }[page]
        client.force_login(doctor if page == "practitioner_day" else make_user(Role.SECRETARY))
        with CaptureQueriesContext(connection) as queries:
            response = client.get(url)
        assert response.status_code == 200
        assert response.content.decode().count("<tr") > rows
        counts.append(len(queries))
    assert counts[0] == counts[1], counts
