"""In a real browser: the coordinator halves what the SAS sees; the secretary sees the SAS booking on the call line."""

from __future__ import annotations

import pytest
from django.test import Client

from escorter.roles import Role
from tests.conftest import login_in_browser
from tests.factories import PASSWORD, make_user
from tests.interop.conftest import appointment, headers, post_appointment, search_url, snp_permanence
from tests.staffing.booking_helpers import future_morning


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_coordinator_halves_the_publication_and_the_secretary_sees_the_sas_booking(page, sas):
    perm = snp_permanence(days=1, hours=2)  # six times
    make_user(Role.COORDINATOR, username="claire")
    login_in_browser(page, "claire", PASSWORD)
    page.goto(f"{page.base_url}/sas/publication/")
    row = page.locator("tbody tr", has_text=perm.premises.name)
    assert row.locator("td").nth(2).inner_text() == "6"
    page.get_by_label("Part des créneaux SNP publiée au SAS, pour chaque permanence").select_option("50")
    page.get_by_role("button", name="Enregistrer").click()
    page.get_by_text("Part des créneaux publiée au SAS enregistrée.").wait_for()
    assert page.locator("tbody tr", has_text=perm.premises.name).locator("td").nth(2).inner_text() == "3"

    api = Client()
    bundle = api.get(search_url(future_morning(1, 0), future_morning(2, 0)), **headers(sas.token)).json()
    assert bundle["total"] == 3
    slot = next(e["resource"]["id"] for e in bundle["entry"] if e["resource"]["resourceType"] == "Slot")
    assert post_appointment(api, sas.token, appointment(slot, family="Guilbaud", given="Jeanne")).status_code == 201

    page.context.clear_cookies()
    make_user(Role.SECRETARY, username="sophie")
    login_in_browser(page, "sophie", PASSWORD)
    page.goto(f"{page.base_url}/patients/appels/")
    booking = page.locator("#sas-bookings-title + .card-body li")
    booking.wait_for()
    assert "GUILBAUD Jeanne" in booking.inner_text() and "SAS" in booking.inner_text()
    assert page.js_errors == []
