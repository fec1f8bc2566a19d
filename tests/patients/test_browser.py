"""A secretary finds a patient by typing part of the name without accents, in a real browser."""

import datetime as dt

import pytest

from escorter.roles import Role
from tests.conftest import login_in_browser
from tests.factories import PASSWORD, make_user
from tests.patients.factories import PatientFactory


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_secretary_finds_a_patient_and_reads_the_score_explanation(page):
    make_user(Role.SECRETARY, username="sophie")
    PatientFactory(last_name="Hérault", first_names="Élodie", ald=True, birth_date=dt.date(1940, 3, 2))
    PatientFactory(last_name="Martin", first_names="Paul")
    login_in_browser(page, "sophie", PASSWORD)
    page.get_by_role("link", name="Liste d'attente").first.click()
    page.get_by_role("heading", name="Liste d'attente").wait_for()
    page.get_by_label("Rechercher").fill("herault")
    page.locator("#waiting-results", has_text="1 patient").wait_for()  # htmx swapped the results
    assert "MARTIN" not in page.locator("#waiting-results").inner_text()
    assert "q=herault" in page.url  # the search is in the address bar (hx-push-url)
    page.get_by_role("link", name="HÉRAULT Élodie").click()
    page.get_by_text("Pourquoi ce score ?").wait_for()
    assert "ALD (affection de longue durée)" in page.content() and "+40" in page.content()
    assert page.js_errors == []
