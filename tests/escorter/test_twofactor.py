"""Second factor: required in production before any page, TOTP and recovery codes, enrolment."""

from __future__ import annotations

import pytest
from django_otp.plugins.otp_totp.models import TOTPDevice

from escorter.twofactor import OPEN_URL_NAMES
from tests.escorter.test_access import _app_urls
from tests.escorter.test_settings import PRODUCTION_ENV, _manage
from tests.escorter.twofactor_helpers import current_code, enrol
from tests.factories import PASSWORD, make_user
from tests.patients.factories import PatientFactory

ENROL = "/compte/double-authentification/"
VERIFY = "/connexion/verification/"


def _password_login(client, user):
    response = client.post("/connexion/", {"username": user.username, "password": PASSWORD}, REMOTE_ADDR="10.1.2.3")
    assert response.status_code == 302  # the password step itself succeeded
    return response


@pytest.fixture
def required(settings):
    settings.TWO_FACTOR_REQUIRED = True


def test_production_settings_require_the_second_factor_whatever_the_environment_says():
    result = _manage(
        "shell", "-c", "from django.conf import settings; print(settings.TWO_FACTOR_REQUIRED)",
        env={**PRODUCTION_ENV, "TWO_FACTOR_REQUIRED": "False"},
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip().splitlines()[-1] == "True"


@pytest.mark.django_db
def test_a_password_only_login_reaches_no_page_but_enrolment(client, required):
    user = make_user("coordinator")
    patient = PatientFactory()
    _password_login(client, user)
    walked = [param.values[0] for param in _app_urls() if param.id not in OPEN_URL_NAMES]
    urls = walked + [f"/patients/{patient.pk}/", "/admin/", "/compte/securite/"]
    assert len(walked) > 40
    for url in urls:
        response = client.get(url)
        assert response.status_code == 302, url
        assert response["Location"].startswith(f"{ENROL}?next="), (url, response["Location"])
    assert client.get(ENROL).status_code == 200


@pytest.mark.django_db
def test_an_enrolled_account_is_asked_for_its_code_before_the_patient_page(client, required):
    user = make_user("secretary")
    enrol(user)
    patient = PatientFactory()
    _password_login(client, user)
    response = client.get(f"/patients/{patient.pk}/")
    assert response.status_code == 302
    assert response["Location"] == f"{VERIFY}?next=%2Fpatients%2F{patient.pk}%2F"
    assert patient.last_name not in client.get(VERIFY).content.decode()


@pytest.mark.django_db
def test_the_code_from_the_app_opens_the_session(client, required):
    user = make_user("secretary")
    device, _ = enrol(user)
    patient = PatientFactory()
    _password_login(client, user)
    response = client.post(VERIFY, {"code": current_code(device), "next": f"/patients/{patient.pk}/"})
    assert response.status_code == 302 and response["Location"] == f"/patients/{patient.pk}/"
    assert client.get(f"/patients/{patient.pk}/").status_code == 200


@pytest.mark.django_db
def test_a_wrong_code_is_refused_in_french(client, required):
    user = make_user("secretary")
    enrol(user)
    _password_login(client, user)
    response = client.post(VERIFY, {"code": "000000"})
    assert response.status_code == 200
    assert "Code incorrect ou expiré" in response.content.decode()
    assert client.get("/").status_code == 302


@pytest.mark.django_db
def test_a_recovery_code_works_once(client, required):
    user = make_user("secretary")
    _, codes = enrol(user)
    _password_login(client, user)
    assert client.post(VERIFY, {"code": codes[0].upper()}).status_code == 302
    assert client.get("/").status_code == 200
    client.post("/deconnexion/")
    _password_login(client, user)
    assert client.post(VERIFY, {"code": codes[0]}).status_code == 200  # spent
    assert client.get("/").status_code == 302


@pytest.mark.django_db
def test_verification_never_redirects_off_site(client, required):
    user = make_user("secretary")
    device, _ = enrol(user)
    _password_login(client, user)
    response = client.post(VERIFY, {"code": current_code(device), "next": "https://evil.example/"})
    assert response["Location"] == "/"


@pytest.mark.django_db
def test_enrolment_confirms_the_app_and_shows_ten_recovery_codes_once(client, required):
    user = make_user("coordinator")
    _password_login(client, user)
    page = client.get(ENROL).content.decode()
    assert "<svg" in page and "Impossible de scanner" in page
    device = TOTPDevice.objects.get(user=user, confirmed=False)
    response = client.post(ENROL, {"code": current_code(device), "next": "/patients/"})
    assert response.status_code == 200 and "no-store" in response["Cache-Control"]
    codes = response.context["codes"]
    assert len(codes) == 10 and all(code in response.content.decode() for code in codes)
    device.refresh_from_db()
    assert device.confirmed
    assert client.get("/patients/").status_code == 200  # this session is verified
    assert client.get(ENROL)["Location"] == "/compte/securite/"  # codes are never shown again


@pytest.mark.django_db
def test_a_wrong_first_code_leaves_the_app_unconfirmed(client, required):
    user = make_user("coordinator")
    _password_login(client, user)
    client.get(ENROL)
    device = TOTPDevice.objects.get(user=user)
    wrong = f"{(int(current_code(device)) + 1) % 1_000_000:06d}"
    response = client.post(ENROL, {"code": wrong})
    assert "Ce code ne correspond pas" in response.content.decode()
    assert not TOTPDevice.objects.filter(user=user, confirmed=True).exists()
    assert client.get("/").status_code == 302


@pytest.mark.django_db
def test_new_recovery_codes_replace_the_old_ones(client, required):
    user = make_user("secretary")
    device, old = enrol(user)
    _password_login(client, user)
    client.post(VERIFY, {"code": current_code(device)})
    new = client.post("/compte/codes-de-secours/").context["codes"]
    assert set(new).isdisjoint(old)
    client.post("/deconnexion/")
    _password_login(client, user)
    assert client.post(VERIFY, {"code": new[1]}).status_code == 302
    client.post("/deconnexion/")
    _password_login(client, user)
    assert client.post(VERIFY, {"code": old[2]}).status_code == 200


@pytest.mark.django_db
def test_with_debug_on_an_account_without_app_is_not_held(client):
    user = make_user("secretary")
    _password_login(client, user)
    assert client.get("/").status_code == 200


@pytest.mark.django_db
def test_the_fhir_api_is_left_to_its_own_authentication(client, required):
    _password_login(client, make_user("secretary"))
    response = client.get("/fhir/Slot")
    assert response.status_code == 401  # not sent to enrolment: the API answers with its own token check


@pytest.mark.django_db
def test_healthz_static_and_logout_stay_open(client, required):
    _password_login(client, make_user("secretary"))
    assert client.get("/healthz").status_code == 200
    assert client.get("/static/css/escorter.css").status_code in (200, 404)  # never redirected
    assert client.post("/deconnexion/")["Location"] == "/connexion/"
