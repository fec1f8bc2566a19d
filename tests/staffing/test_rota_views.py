"""Rota editor pages: who may see and change what, preview before saving, conflicts and cancellations in French."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from escorter.roles import Role
from staffing.models import Absence, Permanence, Professional, RotaRule
from tests.factories import make_user
from tests.staffing.factories import (
    PARIS,
    PermanenceFactory,
    ProfessionalFactory,
    RoomFactory,
    RotaRuleFactory,
    valid_rpps,
)

pytestmark = pytest.mark.django_db

C, S, P = Role.COORDINATOR, Role.SECRETARY, Role.PRACTITIONER


def test_practitioner_sees_their_own_permanence_but_not_a_colleagues(client, login_as):
    user = login_as(P)
    own = PermanenceFactory(professional=ProfessionalFactory(user=user))
    other = PermanenceFactory()
    assert client.get(f"/equipe/permanences/{own.pk}/").status_code == 200
    assert client.get(f"/equipe/permanences/{other.pk}/").status_code == 403
    assert client.get("/equipe/permanences/999999/").status_code == 404


def _rule_data(room, professional, **extra):
    data = {
        "professional": professional.pk,
        "premises": room.premises_id,
        "room": room.pk,
        "weekday": 1,
        "start_time": "08:30",
        "end_time": "12:30",
        "recurrence": "weekly",
        "interval_weeks": 1,
        "valid_from": timezone.localdate().isoformat(),
        "kinds": ["first_visit", "snp"],
    }
    data.update(extra)
    return data


def test_preview_shows_the_permanences_to_come_and_writes_nothing(client, login_as):
    login_as(C)
    room, professional = RoomFactory(), ProfessionalFactory()
    response = client.post("/equipe/roulement/nouvelle-regle/", {**_rule_data(room, professional), "action": "preview"})
    html = response.content.decode()
    assert response.status_code == 200
    assert "permanence créée" in html and "Aperçu des 12 prochaines semaines" in html
    assert not RotaRule.objects.exists() and not Permanence.objects.exists()


def test_preview_names_the_conflicting_permanence(client, login_as):
    login_as(C)
    room, professional = RoomFactory(), ProfessionalFactory(last_name="Gaborit", first_name="Camille")
    other = PermanenceFactory(professional=professional)  # next Tuesday 08:30-12:30
    response = client.post("/equipe/roulement/nouvelle-regle/", {**_rule_data(room, professional), "action": "preview"})
    html = response.content.decode()
    start = timezone.localtime(other.start)
    assert "Conflit : le professionnel tient déjà une permanence" in html
    assert f"Dr Camille Gaborit à {other.premises.name}" in html and f"le {start:%d/%m/%Y}" in html


def test_saving_a_rule_generates_its_permanences(client, login_as):
    login_as(C)
    room, professional = RoomFactory(), ProfessionalFactory()
    response = client.post("/equipe/roulement/nouvelle-regle/", {**_rule_data(room, professional), "action": "save"})
    assert response.status_code == 302
    rule = RotaRule.objects.get()
    assert rule.permanences.count() >= 10  # 12 weeks of Tuesdays minus holidays
    assert rule.kinds == ["first_visit", "snp"]


def test_rule_with_end_before_start_is_refused_in_french(client, login_as):
    login_as(C)
    room, professional = RoomFactory(), ProfessionalFactory()
    data = {**_rule_data(room, professional, start_time="14:00", end_time="12:00"), "action": "save"}
    response = client.post("/equipe/roulement/nouvelle-regle/", data)
    assert response.status_code == 200
    assert "L&#x27;heure de fin doit suivre l&#x27;heure de début." in response.content.decode()
    assert not RotaRule.objects.exists()


def test_manual_permanence_overlapping_another_gets_a_french_message_naming_it(client, login_as):
    login_as(C)
    existing = PermanenceFactory()
    start = timezone.localtime(existing.start)
    response = client.post(
        "/equipe/permanences/nouvelle/",
        {
            "professional": ProfessionalFactory().pk,
            "premises": existing.premises_id,
            "room": existing.room_id,
            "date": start.date().isoformat(),
            "start_time": "10:00",
            "end_time": "11:00",
            "kinds": ["snp"],
        },
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert "Cette salle est déjà occupée sur ce créneau" in html
    assert f"{existing.professional.full_name} à {existing.premises.name}" in html
    assert Permanence.objects.count() == 1


def test_coordinator_cancels_a_permanence_with_a_reason_and_csrf():
    client = Client(enforce_csrf_checks=True)
    client.force_login(make_user(C))
    permanence = PermanenceFactory()
    token = client.get(f"/equipe/permanences/{permanence.pk}/annuler/").cookies["csrftoken"].value
    response = client.post(
        f"/equipe/permanences/{permanence.pk}/annuler/",
        {"csrfmiddlewaretoken": token, "reason": "Médecin malade", "action": "confirm"},
    )
    assert response.status_code == 302
    permanence.refresh_from_db()
    assert permanence.status == Permanence.Status.CANCELLED and permanence.cancel_reason == "Médecin malade"
    assert permanence.cancelled_at is not None


def test_cancelling_without_reason_is_refused(client, login_as):
    login_as(S)
    permanence = PermanenceFactory()
    response = client.post(f"/equipe/permanences/{permanence.pk}/annuler/", {"reason": "  "})
    assert response.status_code == 200
    permanence.refresh_from_db()
    assert permanence.status == Permanence.Status.PLANNED


def test_cancelling_a_booked_permanence_shows_each_patient_and_their_fate_before_confirming(client, login_as):
    from staffing.services import book_consultation
    from tests.staffing.booking_helpers import patient
    from tests.staffing.booking_helpers import permanence as make_permanence

    login_as(C)
    lost = make_permanence(days=5)
    who = patient(last_name="Guilbaud")
    book_consultation(patient=who, permanence=lost, start=lost.start, kind="first_visit", user=None)
    page = client.get(f"/equipe/permanences/{lost.pk}/annuler/").content.decode()
    assert "GUILBAUD" in page and "À rappeler par le secrétariat" in page
    lost.refresh_from_db()
    assert lost.status == Permanence.Status.PLANNED  # seeing is not doing
    response = client.post(
        f"/equipe/permanences/{lost.pk}/annuler/", {"reason": "Grève", "action": "confirm"}, follow=True
    )
    html = response.content.decode()
    assert "ajouté(s) en tête de la liste « À rappeler »" in html
    assert "Patients déplacés" in html and "GUILBAUD" in html


def test_cancelling_twice_says_it_is_already_cancelled(client, login_as):
    login_as(C)
    permanence = PermanenceFactory(status=Permanence.Status.CANCELLED, cancel_reason="Grève")
    response = client.post(f"/equipe/permanences/{permanence.pk}/annuler/", {"reason": "Encore", "action": "confirm"})
    assert "Cette permanence est déjà annulée." in response.content.decode()


def test_professional_form_refuses_a_wrong_rpps_key(client, login_as):
    login_as(C)
    rpps = valid_rpps(3)
    response = client.post(
        "/equipe/professionnels/nouveau/",
        {
            "first_name": "Anne",
            "last_name": "Rousseau",
            "profession": "gp",
            "rpps": rpps[:-1] + str((int(rpps[-1]) + 1) % 10),
            "default_consultation_minutes": 20,
            "active": "on",
        },
    )
    assert "a une clé invalide" in response.content.decode()
    assert not Professional.objects.exists()


def test_an_ipa_gets_thirty_minutes_by_default(client, login_as):
    login_as(C)
    client.post(
        "/equipe/professionnels/nouveau/",
        {"first_name": "Nathalie", "last_name": "Boucard", "profession": "ipa", "rpps": valid_rpps(9), "active": "on"},
    )
    assert Professional.objects.get().default_consultation_minutes == 30


def test_absence_cancels_the_generated_permanences_of_those_days(client, login_as):
    login_as(C)
    # The rule starts tomorrow: a permanence earlier today may already be over, whatever the hour.
    tomorrow = timezone.localdate() + dt.timedelta(days=1)
    rule = RotaRuleFactory(weekday=tomorrow.weekday(), valid_from=tomorrow)
    from staffing.services import rota

    rota.generate_permanences(weeks=4)
    first = rule.permanences.filter(start__gt=timezone.now()).order_by("start").first()  # not today's, if past
    day = first.occurrence_date
    data = {"professional": rule.professional_id, "kind": "sick", "start_date": day, "end_date": day}
    preview = client.post("/equipe/absences/nouvelle/", {**data, "action": "preview"})
    assert "Aucun patient concerné." in preview.content.decode() and not Absence.objects.exists()
    response = client.post("/equipe/absences/nouvelle/", {**data, "action": "confirm"})
    assert response.status_code == 302
    assert Absence.objects.count() == 1
    first.refresh_from_db()
    assert first.status == Permanence.Status.CANCELLED and first.cancel_reason == "Absence du praticien (arrêt maladie)"


def test_generate_now_enqueues_the_task_and_shows_its_progress(client, login_as, django_capture_on_commit_callbacks):
    login_as(C)
    RotaRuleFactory(weekday=2, valid_from=timezone.localdate())
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post("/equipe/roulement/generer/")
    assert response.status_code == 302 and "?run=" in response["Location"]
    page = client.get(response["Location"]).content.decode()
    assert "permanence(s) créée(s)" in page
    assert Permanence.objects.exists()


def test_rota_page_costs_the_same_queries_for_1_or_50_rules(client, login_as, django_assert_num_queries):
    login_as(C)
    RotaRuleFactory()
    client.get("/equipe/roulement/")
    with CaptureQueriesContext(connection) as one:
        client.get("/equipe/roulement/")
    for hour in range(49):
        RotaRuleFactory(start_time=dt.time(hour % 12, 0), end_time=dt.time(hour % 12 + 1, 0))
    with django_assert_num_queries(len(one.captured_queries)):
        response = client.get("/equipe/roulement/")
    assert response.status_code == 200
    assert len(response.context["rules"]) == 50


def test_permanence_factory_is_in_paris_time():
    permanence = PermanenceFactory()
    assert permanence.start.tzinfo is not None
    assert timezone.localtime(permanence.start, PARIS).hour == 8


def test_the_room_list_offers_only_the_rooms_of_the_chosen_premises(client, login_as):
    login_as(C)
    room = RoomFactory(name="Cabinet 1", wheelchair_accessible=False)
    RoomFactory(name="Cabinet 1")  # same name, other premises
    html = client.get("/equipe/roulement/salles/", {"premises": room.premises_id}).content.decode()
    assert html.count("Cabinet 1") == 1 and f'value="{room.pk}"' in html


def test_a_rule_for_a_room_of_other_premises_is_refused(client, login_as):
    login_as(C)
    room, other = RoomFactory(), RoomFactory()
    data = {**_rule_data(room, ProfessionalFactory()), "room": other.pk, "action": "save"}
    response = client.post("/equipe/roulement/nouvelle-regle/", data)
    assert response.status_code == 200 and not RotaRule.objects.exists()


def test_saving_creates_exactly_the_permanences_the_preview_announced(client, login_as):
    login_as(C)
    room, professional = RoomFactory(), ProfessionalFactory()
    data = _rule_data(room, professional)
    preview = client.post("/equipe/roulement/nouvelle-regle/", {**data, "action": "preview"})
    announced = preview.context["preview_ok"]
    client.post("/equipe/roulement/nouvelle-regle/", {**data, "action": "save"})
    assert announced > 8 and Permanence.objects.count() == announced
