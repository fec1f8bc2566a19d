"""Failed logins are throttled per username + address, and per address over all usernames."""

import pytest
from axes.models import AccessAttempt

from tests.factories import PASSWORD, make_user

LOCKED = "Compte temporairement bloqué"


def _fail(client, username, address):
    return client.post("/connexion/", {"username": username, "password": "faux"}, REMOTE_ADDR=address)


@pytest.mark.django_db
def test_thirty_usernames_from_one_address_are_throttled(client, settings):
    settings.AXES_ADDRESS_FAILURE_LIMIT = 20
    make_user("secretary", username="sophie")
    outcomes = [LOCKED in _fail(client, f"inconnu{n}", "203.0.113.50").content.decode() for n in range(30)]
    assert outcomes.index(True) == 19  # the 20th failure locks the address
    assert all(outcomes[19:])
    # a real account with its right password is refused from that address too...
    response = client.post("/connexion/", {"username": "sophie", "password": PASSWORD}, REMOTE_ADDR="203.0.113.50")
    assert LOCKED in response.content.decode()
    # ...but not from another one
    response = client.post("/connexion/", {"username": "sophie", "password": PASSWORD}, REMOTE_ADDR="203.0.113.51")
    assert response.status_code == 302


@pytest.mark.django_db
def test_a_shared_office_address_survives_a_few_typos_by_several_people(client):
    for name in ("anne", "bruno", "chloe"):
        make_user("secretary", username=name)
    for name in ("anne", "bruno", "chloe"):
        for _ in range(2):
            assert LOCKED not in _fail(client, name, "198.51.100.7").content.decode()
    response = client.post("/connexion/", {"username": "anne", "password": PASSWORD}, REMOTE_ADDR="198.51.100.7")
    assert response.status_code == 302


@pytest.mark.django_db
def test_a_successful_login_does_not_reset_the_address_count(client, settings):
    settings.AXES_ADDRESS_FAILURE_LIMIT = 6
    make_user("secretary", username="sophie")
    for n in range(4):
        _fail(client, f"inconnu{n}", "203.0.113.60")
    response = client.post("/connexion/", {"username": "sophie", "password": PASSWORD}, REMOTE_ADDR="203.0.113.60")
    assert response.status_code == 302
    client.logout()
    assert AccessAttempt.objects.filter(ip_address="203.0.113.60").count() == 4
    _fail(client, "inconnu8", "203.0.113.60")
    assert LOCKED in _fail(client, "inconnu9", "203.0.113.60").content.decode()
