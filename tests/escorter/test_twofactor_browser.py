"""In a real browser: a TOTP login, and a first login that enrols the phone app."""

import pytest
from django_otp.plugins.otp_totp.models import TOTPDevice

from escorter.roles import Role
from tests.conftest import login_in_browser
from tests.escorter.twofactor_helpers import current_code, enrol
from tests.factories import PASSWORD, make_user
from tests.patients.factories import PatientFactory


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_secretary_logs_in_with_password_then_the_code_of_her_app(page, settings):
    settings.TWO_FACTOR_REQUIRED = True
    user = make_user(Role.SECRETARY, username="sophie", first_name="Sophie")
    device, _ = enrol(user)
    patient = PatientFactory(last_name="Guérin")
    page.goto(f"{page.base_url}/patients/{patient.pk}/", timeout=60_000)  # a cold server's first page
    page.get_by_label("Identifiant").fill("sophie")
    page.get_by_label("Mot de passe").fill(PASSWORD)
    page.get_by_role("button", name="Se connecter").click()
    page.get_by_role("heading", name="Vérification en deux étapes").wait_for()
    assert "Guérin" not in page.content()
    page.get_by_label("Code à 6 chiffres").fill(current_code(device))
    page.get_by_role("button", name="Vérifier").click()
    page.get_by_role("heading", name="Guérin").first.wait_for()
    assert page.url.endswith(f"/patients/{patient.pk}/")
    assert page.js_errors == []


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_first_login_in_production_enrols_the_app_and_shows_the_recovery_codes(page, settings):
    settings.TWO_FACTOR_REQUIRED = True
    make_user(Role.COORDINATOR, username="claire", first_name="Claire")
    login_in_browser(page, "claire", PASSWORD)
    page.get_by_role("heading", name="Activer la double authentification").wait_for()
    assert page.locator(".qr-code svg").is_visible()
    page.get_by_text("Impossible de scanner ?").click()
    device = TOTPDevice.objects.get(user__username="claire")
    assert page.locator("#manual-key").inner_text().replace(" ", "") == _b32(device)
    page.get_by_label("Code à 6 chiffres").fill(current_code(device))
    page.get_by_role("button", name="Activer").click()
    page.get_by_role("heading", name="Vos codes de secours").wait_for()
    assert page.locator(".recovery-codes li").count() == 10
    page.get_by_role("link", name="J'ai noté mes codes, continuer").click()
    page.get_by_role("heading", name="Bonjour Claire").wait_for()
    assert page.js_errors == []


def _b32(device) -> str:
    from base64 import b32encode

    return b32encode(device.bin_key).decode()
