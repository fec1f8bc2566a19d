"""A secretary books a consultation from the patient page in three clicks, in a real browser."""

from __future__ import annotations

import pytest

from escorter.roles import Role
from staffing.models import Consultation
from tests.conftest import login_in_browser
from tests.factories import PASSWORD, CommuneFactory, make_user
from tests.staffing.booking_helpers import at, patient, permanence


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_secretary_books_from_the_patient_page_in_three_clicks(page):
    home = CommuneFactory(name="Bouin", latitude=46.97, longitude=-2.0)
    near = permanence(days=6, **at(CommuneFactory(name="Beauvoir-sur-Mer", latitude=46.91, longitude=-2.04)))
    permanence(days=2, **at(CommuneFactory(name="Noirmoutier", latitude=47.0, longitude=-2.25)))
    who = patient(commune=home, ald=True, last_name="Guilbaud", first_names="Jeanne")
    make_user(Role.SECRETARY, username="sophie")
    login_in_browser(page, "sophie", PASSWORD)
    page.goto(f"{page.base_url}/patients/{who.pk}/")
    page.get_by_text("Aucune consultation pour l'instant.").wait_for()  # the htmx fragment loaded

    clicks = 0
    page.get_by_role("link", name="Prendre rendez-vous").click()
    clicks += 1
    first_site = page.locator(".booking-site").first
    assert near.premises.name in first_site.inner_text()  # nearest first, though not the soonest
    first_site.locator("a.btn").first.click()
    clicks += 1
    page.get_by_role("button", name="Confirmer le rendez-vous").click()
    clicks += 1

    page.get_by_text("Rendez-vous réservé.").wait_for()
    assert clicks <= 3
    consultation = Consultation.objects.get(patient=who)
    assert consultation.status == Consultation.Status.BOOKED
    assert consultation.permanence == near and consultation.start == near.start
    assert near.premises.address in page.locator("#confirmation-text").inner_text()
    page.get_by_role("link", name="Retour au dossier").click()
    page.get_by_text("Réservé", exact=True).wait_for()
    assert page.js_errors == []
