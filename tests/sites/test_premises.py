"""Premises pages: list with the territory map, detail with its week, coordinator edits."""

from __future__ import annotations

import datetime as dt

import pytest
from django.test import Client

from escorter.roles import Role
from sites.models import Closure, Premises
from tests.factories import CommuneFactory, make_user
from tests.staffing.factories import ClosureFactory, PremisesFactory, RoomFactory

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("role", "status"),
    [(Role.COORDINATOR, 200), (Role.SECRETARY, 200), (Role.PRACTITIONER, 200), (Role.FUNDER, 403)],
)
def test_premises_list_and_detail_by_role(client, login_as, role, status):
    premises = PremisesFactory()
    login_as(role)
    assert client.get("/territoire/locaux/").status_code == status
    assert client.get(f"/territoire/locaux/{premises.pk}/").status_code == status


def test_anonymous_visitor_is_sent_to_login(client):
    response = client.get("/territoire/locaux/")
    assert response.status_code == 302 and response["Location"].startswith("/connexion/")


def test_map_places_each_premises_on_its_commune_as_svg(client, login_as):
    CommuneFactory(insee_code="85018", name="Beauvoir-sur-Mer", latitude=46.91, longitude=-2.06)
    CommuneFactory(insee_code="85095", name="Froidfond", latitude=46.88, longitude=-1.76)
    PremisesFactory(name="Cabinet de Froidfond", commune__insee_code="85095")
    login_as(Role.SECRETARY)
    html = client.get("/territoire/locaux/").content.decode()
    assert "<svg" in html and "Froidfond" in html and "Beauvoir-sur-Mer" in html
    assert "Cabinet de Froidfond – Ouvert" in html
    assert 'cx="' in html and "," not in html.split('cx="')[1].split('"')[0]  # no French decimal comma in SVG


def test_premises_list_costs_the_same_queries_for_1_or_50_premises(client, login_as, django_assert_num_queries):
    login_as(Role.COORDINATOR)
    PremisesFactory()
    client.get("/territoire/locaux/")
    with django_assert_num_queries(6) as one:  # with the second-factor device lookup
        client.get("/territoire/locaux/")
    for _ in range(49):
        RoomFactory(premises=PremisesFactory())
    with django_assert_num_queries(len(one.captured_queries)):
        response = client.get("/territoire/locaux/")
    assert response.status_code == 200
    assert len(response.context["premises_list"]) == 50


def test_premises_detail_loads_its_week_from_the_staffing_calendar(client, login_as):
    premises = PremisesFactory(key_notes="Clés en mairie")
    login_as(Role.SECRETARY)
    html = client.get(f"/territoire/locaux/{premises.pk}/").content.decode()
    assert f'hx-get="/equipe/calendrier/locaux/{premises.pk}/"' in html
    assert "Clés en mairie" in html
    assert "Modifier" not in html  # secretaries read, coordinators edit


def test_coordinator_creates_premises_with_csrf(login_as):
    client = Client(enforce_csrf_checks=True)
    commune = CommuneFactory()
    client.force_login(make_user(Role.COORDINATOR))
    page = client.get("/territoire/locaux/nouveau/")
    token = page.cookies["csrftoken"].value
    response = client.post(
        "/territoire/locaux/nouveau/",
        {
            "csrfmiddlewaretoken": token,
            "name": "Maison des associations",
            "address": "Rue de la Grande Côte",
            "commune": commune.pk,
            "status": "preparing",
            "available_from": "2026-12-01",
        },
    )
    premises = Premises.objects.get(name="Maison des associations")
    assert response.status_code == 302 and response["Location"] == f"/territoire/locaux/{premises.pk}/"
    assert premises.available_from == dt.date(2026, 12, 1)


def test_post_without_csrf_token_is_refused(login_as):
    client = Client(enforce_csrf_checks=True)
    client.force_login(make_user(Role.COORDINATOR))
    response = client.post("/territoire/locaux/nouveau/", {"name": "X"})
    assert response.status_code == 403


def test_closure_with_end_before_start_gets_a_french_error(client, login_as):
    premises = PremisesFactory()
    login_as(Role.COORDINATOR)
    response = client.post(
        f"/equipe/locaux/{premises.pk}/fermetures/nouvelle/",
        {"start_date": "2026-12-10", "end_date": "2026-12-01", "reason": "Élections", "action": "confirm"},
    )
    assert response.status_code == 200
    assert "La date de fin doit suivre la date de début." in response.content.decode()
    assert not Closure.objects.exists()


def test_coordinator_adds_a_room_and_a_closure(client, login_as):
    premises = PremisesFactory()
    login_as(Role.COORDINATOR)
    client.post(f"/territoire/locaux/{premises.pk}/salles/nouvelle/", {"name": "Cabinet 3", "active": "on"})
    assert premises.rooms.get().name == "Cabinet 3"
    client.post(
        f"/equipe/locaux/{premises.pk}/fermetures/nouvelle/",
        {"start_date": "2026-12-10", "end_date": "2026-12-10", "reason": "Repas des aînés", "action": "confirm"},
    )
    closure = premises.closures.get()
    assert closure.reason == "Repas des aînés"
    client.post(f"/territoire/fermetures/{closure.pk}/supprimer/")
    assert not premises.closures.exists()


def test_premises_availability_window():
    premises = PremisesFactory.build(available_from=dt.date(2026, 12, 1), status=Premises.Status.PREPARING)
    assert not premises.is_available_on(dt.date(2026, 11, 30))
    assert premises.is_available_on(dt.date(2026, 12, 1))
    premises.status = Premises.Status.CLOSED
    assert not premises.is_available_on(dt.date(2026, 12, 1))


def test_closure_of_one_room_leaves_the_others_open():
    closure = ClosureFactory.build(room_id=7, start_date=dt.date(2026, 12, 1), end_date=dt.date(2026, 12, 2))
    assert closure.covers(dt.date(2026, 12, 2), 7)
    assert not closure.covers(dt.date(2026, 12, 2), 8)
    assert not closure.covers(dt.date(2026, 12, 3), 7)
