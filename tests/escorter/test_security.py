"""Password policy, login throttling, health endpoint, security headers."""

import pytest
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError

from tests.factories import PASSWORD, make_user


@pytest.mark.parametrize("password", ["motdepasse", "MOTDEPASSE12", "abcdefgh12"])
def test_password_needs_three_character_classes(password):
    with pytest.raises(ValidationError, match="au moins 3 types"):
        validate_password(password)


@pytest.mark.parametrize("password", ["Vendee-85230", "Noirmoutier85", "plage.85!x"])
def test_cnil_compliant_passwords_are_accepted(password):
    validate_password(password)


def test_short_password_is_refused_in_french():
    with pytest.raises(ValidationError, match="trop court"):
        validate_password("Ab1!")


@pytest.mark.django_db
def test_login_with_the_form_works(client):
    make_user("secretary", username="sophie")
    response = client.post("/connexion/", {"username": "sophie", "password": PASSWORD}, REMOTE_ADDR="10.0.0.8")
    assert response.status_code == 302
    assert client.get("/").status_code == 200


@pytest.mark.django_db
def test_repeated_failures_lock_the_account(client):
    make_user("secretary", username="sophie")
    for _ in range(5):
        response = client.post("/connexion/", {"username": "sophie", "password": "faux"}, REMOTE_ADDR="10.0.0.9")
    assert "Compte temporairement bloqué" in response.content.decode()
    # even the right password is refused during the cool-off
    response = client.post("/connexion/", {"username": "sophie", "password": PASSWORD}, REMOTE_ADDR="10.0.0.9")
    assert "Compte temporairement bloqué" in response.content.decode()
    assert client.get("/").status_code == 302


@pytest.mark.django_db
def test_wrong_password_message_is_french(client):
    make_user("secretary", username="sophie")
    response = client.post("/connexion/", {"username": "sophie", "password": "faux"}, REMOTE_ADDR="10.0.0.10")
    assert "Identifiant ou mot de passe incorrect" in response.content.decode()


@pytest.mark.django_db
def test_healthz_checks_database_and_broker(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json()["database"] == "ok"


@pytest.mark.django_db
def test_pages_send_csp_and_frame_headers(client):
    response = client.get("/connexion/")
    assert "script-src 'self'" in response["Content-Security-Policy"]
    assert response["X-Frame-Options"] == "DENY"
