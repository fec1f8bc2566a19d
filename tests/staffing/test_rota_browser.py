"""A coordinator previews a rule in the browser, then saves it and finds its permanences on the premises' week:
the room list follows the chosen premises, and saving creates what the preview announced."""

from __future__ import annotations

import pytest
from django.utils import timezone

from escorter.roles import Role
from staffing.models import Permanence
from staffing.selectors.calendars import iso_week
from tests.conftest import login_in_browser
from tests.factories import PASSWORD, make_user
from tests.staffing.factories import ProfessionalFactory, RoomFactory


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_coordinator_previews_then_saves_a_rule(page):
    make_user(Role.COORDINATOR, username="claire")
    room = RoomFactory(name="Cabinet 1", premises__name="Cabinet de Beauvoir", wheelchair_accessible=False)
    RoomFactory(name="Cabinet 1", premises__name="Salle de Bouin")
    ProfessionalFactory(first_name="Paul", last_name="Martin")
    login_in_browser(page, "claire", PASSWORD)
    page.goto(page.base_url + "/equipe/roulement/nouvelle-regle/")
    page.locator("#id_professional").select_option(label="Dr Paul Martin")
    assert page.locator("#id_room option").all_inner_texts() == ["— choisissez d'abord le local —"]
    page.locator("#id_premises").select_option(label="Cabinet de Beauvoir")
    page.locator("#id_room option", has_text="Cabinet 1").wait_for(state="attached")
    assert page.locator("#id_room option").all_inner_texts() == ["— aucune salle précise —", "Cabinet 1"]
    page.locator("#id_room").select_option(label="Cabinet 1")
    page.locator("#id_weekday").select_option(label="jeudi")
    page.locator("#id_start_time").fill("08:30")
    page.locator("#id_end_time").fill("12:30")
    page.get_by_role("button", name="Prévisualiser").click()
    page.get_by_text("Aperçu des 12 prochaines semaines").wait_for()
    announced = page.get_by_text("permanence créée").count()
    assert announced >= 10
    page.get_by_role("button", name="Enregistrer et générer").click()
    page.get_by_text("Règle enregistrée.").wait_for()
    assert Permanence.objects.count() == announced
    first = Permanence.objects.order_by("start").first()
    week = iso_week(timezone.localtime(first.start).date())
    page.goto(page.base_url + f"/equipe/calendrier/locaux/{room.premises_id}/?semaine={week}")
    thursday = page.locator(".week-day").nth(3)
    assert "Dr Paul Martin" in thursday.inner_text() and "08:30–12:30" in thursday.inner_text()
    assert page.js_errors == []
