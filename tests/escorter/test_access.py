"""The login page, each role's home and menu, logout; which persona reaches which URL: tests/test_personas.py."""

from __future__ import annotations

import re

import pytest
from django.urls import URLPattern, URLResolver, get_resolver

from escorter.roles import Role

# URL names reachable without logging in, and why.
PUBLIC = {
    "login",  # the login page itself
    "healthz",  # probed by compose / load balancer; reveals nothing but ok/error
    # "mot de passe oublié": the same answer whether or not an address is known
    "password_reset",
    "password_reset_done",
    "password_reset_confirm",  # the one-time token in the URL is the credential
    "password_reset_complete",
}
# the admin has its own login page and staff check; the FHIR API (interop) answers machines
# with bearer tokens and 401 OperationOutcomes (tests/interop/test_clients.py)
PUBLIC_PREFIXES = ("admin/", "fhir/")
TOKEN_FEEDS = re.compile(r"ical|feed")  # calendar feeds: the token is the credential


def _walk(patterns, prefix=""):
    for entry in patterns:
        if isinstance(entry, URLResolver):
            yield from _walk(entry.url_patterns, prefix + str(entry.pattern))
        elif isinstance(entry, URLPattern):
            yield prefix + str(entry.pattern), entry


def _concrete(route: str) -> str:
    route = re.sub(r"<int:[^>]+>", "1", route)
    route = re.sub(r"<uuid:[^>]+>", "00000000-0000-0000-0000-000000000000", route)
    route = re.sub(r"<(?:str|slug):[^>]+>", "x", route)
    route = re.sub(r"<path:[^>]+>", "x", route)
    route = re.sub(r"<[^>]+>", "x", route)
    return "/" + route.lstrip("^").rstrip("$").replace("\\Z", "")


def _app_urls():
    for route, pattern in _walk(get_resolver().url_patterns):
        if route.startswith(PUBLIC_PREFIXES) or pattern.name in PUBLIC or TOKEN_FEEDS.search(pattern.name or ""):
            continue
        if "(?P<" in route or route.startswith("^"):
            continue  # regex routes of third-party apps
        yield pytest.param(_concrete(route), id=pattern.name or route)


@pytest.mark.django_db
def test_login_page_is_public_and_in_french(client):
    response = client.get("/connexion/")
    assert response.status_code == 200
    assert "Se connecter" in response.content.decode()
    assert 'lang="fr"' in response.content.decode()


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("role", "expected"),
    [
        (Role.COORDINATOR, "Coordination"),
        (Role.SECRETARY, "Secrétariat"),
        (Role.PRACTITIONER, "Mon espace praticien"),
    ],
)
def test_home_page_fits_the_role(client, login_as, role, expected):
    login_as(role)
    response = client.get("/")
    assert response.status_code == 200
    assert expected in response.content.decode()


@pytest.mark.django_db
def test_funder_lands_on_their_portal(client, login_as):
    from tests.factories import FunderFactory

    login_as(Role.FUNDER, funder=FunderFactory(name="CPAM de la Vendée"))
    response = client.get("/", follow=True)
    assert response.redirect_chain[-1][0] == "/rapports/portail/"
    assert "CPAM de la Vendée" in response.content.decode()


@pytest.mark.django_db
@pytest.mark.parametrize("role", [Role.COORDINATOR, Role.SECRETARY, Role.PRACTITIONER])
def test_only_funders_reach_the_funder_portal(client, login_as, role):
    login_as(role)
    response = client.get("/rapports/portail/")
    assert response.status_code == 403
    assert "Accès refusé" in response.content.decode()


@pytest.mark.django_db
def test_user_without_role_gets_403_on_home(client, login_as):
    login_as(None)
    assert client.get("/").status_code == 403


@pytest.mark.django_db
def test_logout_is_a_post_and_returns_to_login(client, login_as):
    login_as(Role.SECRETARY)
    response = client.post("/deconnexion/")
    assert response.status_code == 302
    assert response["Location"] == "/connexion/"
    assert client.get("/").status_code == 302


@pytest.mark.django_db
def test_coordinator_menu_is_grouped_and_funder_menu_is_the_portal_only(client, login_as):
    login_as(Role.COORDINATOR)
    groups = client.get("/").context["nav_groups"]
    assert [g["label"] for g in groups] == ["Patients", "Agenda", "Organisation", "Pilotage"]
    assert all(item["group"] == g["key"] for g in groups for item in g["items"])
    client.logout()
    from tests.factories import FunderFactory

    login_as(Role.FUNDER, funder=FunderFactory())
    items = client.get("/rapports/portail/").context["nav_items"]
    assert [item["url"] for item in items] == ["/rapports/portail/"]
