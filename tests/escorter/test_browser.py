"""A coordinator logs in, sees the home page and logs out, in a real browser."""

import pytest

from escorter.roles import Role
from tests.conftest import login_in_browser
from tests.factories import PASSWORD, make_user


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_coordinator_logs_in_and_out(page):
    make_user(Role.COORDINATOR, username="claire", first_name="Claire")
    login_in_browser(page, "claire", PASSWORD)
    page.get_by_role("heading", name="Bonjour Claire").wait_for()
    assert "Coordination" in page.content()
    page.get_by_role("button", name="Se déconnecter").click()
    page.get_by_role("heading", name="Connexion").wait_for()
    assert page.url.endswith("/connexion/")
    assert page.js_errors == []
