"""Disruption pages: who may use them, preview before acting, and the "à rappeler" queue."""

from __future__ import annotations

import pytest
from django.test import Client

from escorter.roles import Role
from staffing.models import CallBack, Consultation
from staffing.services.rota import cancel_permanence
from tests.factories import make_user
from tests.staffing.booking_helpers import patient, permanence

pytestmark = pytest.mark.django_db

C, S = Role.COORDINATOR, Role.SECRETARY


def _queued(n: int) -> list[CallBack]:
    for _ in range(n):
        perm = permanence(days=2)
        from staffing.services import book_consultation

        book_consultation(patient=patient(), permanence=perm, start=perm.start, kind="first_visit", user=None)
        cancel_permanence(permanence=perm, reason="Grève", user=None)
    return list(CallBack.objects.all())


def test_the_queue_costs_the_same_queries_for_1_or_20_lines(client, login_as, django_assert_max_num_queries):
    login_as(S)
    _queued(1)
    with django_assert_max_num_queries(12) as one:
        client.get("/equipe/a-rappeler/")
    _queued(19)
    with django_assert_max_num_queries(len(one.captured_queries)):
        response = client.get("/equipe/a-rappeler/")
    assert response.content.decode().count("data-call-back=") == 20


def test_a_secretary_closes_a_line_with_what_was_agreed_and_csrf():
    line = _queued(1)[0]
    client = Client(enforce_csrf_checks=True)
    client.force_login(make_user(S))
    token = client.get("/equipe/a-rappeler/").cookies["csrftoken"].value
    response = client.post(
        f"/equipe/a-rappeler/{line.pk}/traite/", {"csrfmiddlewaretoken": token, "outcome_note": "Rappelée, RDV pris"}
    )
    assert response.status_code == 302
    line.refresh_from_db()
    assert line.status == CallBack.Status.DONE and line.outcome_note == "Rappelée, RDV pris" and line.handled_at


def test_closing_a_line_needs_a_note(client, login_as):
    line = _queued(1)[0]
    login_as(S)
    client.post(f"/equipe/a-rappeler/{line.pk}/traite/", {"outcome_note": " "})
    line.refresh_from_db()
    assert line.is_open


def test_unchecking_active_on_the_form_leads_to_the_preview_instead_of_stopping_silently(client, login_as):
    perm = permanence(days=3)
    login_as(C)
    pro = perm.professional
    response = client.post(
        f"/equipe/professionnels/{pro.pk}/modifier/",
        {
            "first_name": pro.first_name,
            "last_name": pro.last_name,
            "profession": pro.profession,
            "rpps": pro.rpps,
            "default_consultation_minutes": 20,
        },
    )
    assert response.status_code == 302 and response.url.endswith(f"/professionnels/{pro.pk}/arreter/")
    pro.refresh_from_db()
    assert pro.active
    client.post(f"/equipe/professionnels/{pro.pk}/arreter/", {"action": "confirm"})
    pro.refresh_from_db()
    perm.refresh_from_db()
    assert not pro.active and not perm.is_active


def test_shortening_from_the_page_moves_the_late_patient(client, login_as):
    perm = permanence(days=4, hours=2)
    from staffing.services import book_consultation

    late = book_consultation(
        patient=patient(), permanence=perm, start=perm.end - (perm.end - perm.start) / 6, kind="first_visit", user=None
    )
    login_as(C)
    data = {"start_time": "09:00", "end_time": "10:00", "reason": "Réunion à la mairie"}
    page = client.post(f"/equipe/permanences/{perm.pk}/raccourcir/", {**data, "action": "preview"}).content.decode()
    assert late.patient.last_name.upper() in page
    client.post(f"/equipe/permanences/{perm.pk}/raccourcir/", {**data, "action": "confirm"})
    late.refresh_from_db()
    assert late.status == Consultation.Status.CANCELLED
