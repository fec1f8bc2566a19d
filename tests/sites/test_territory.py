"""The CPTS territory is data the coordinator chooses: whole EPCIs or single communes, département
by département, on a page with the map; forms and reports follow it."""

from __future__ import annotations

import pytest

from escorter.roles import Role
from sites.models import Commune
from sites.selectors import commune_choices
from sites.services import mark_territory

pytestmark = pytest.mark.django_db

CLERMONT_METROPOLE = "246300701"
VENDEE_DEMO = ["200071629", "248500191", "248500258"]


def _territory() -> set[str]:
    return set(Commune.objects.filter(in_territory=True).values_list("insee_code", flat=True))


@pytest.mark.parametrize(("role", "status"), [(Role.SECRETARY, 403), (Role.PRACTITIONER, 403), (Role.FUNDER, 403)])
def test_only_the_coordinator_chooses_the_territory(client, login_as, role, status):
    login_as(role)
    assert client.get("/territoire/").status_code == status
    assert client.post("/territoire/", {"departement": "63", "epcis": [CLERMONT_METROPOLE]}).status_code == status
    assert not _territory()


def test_the_page_opens_on_the_territory_s_department_with_its_map(client, login_as):
    mark_territory(VENDEE_DEMO)
    login_as(Role.COORDINATOR)
    html = client.get("/territoire/").content.decode()
    assert "20 communes" in html and "Vendée (85)" in html
    assert html.count('class="commune chosen"') == 20 and 'data-insee="85018"' in html
    assert 'value="200071629" id="epci-200071629" checked' in html


def test_coordinator_sets_up_a_territory_in_another_department_and_keeps_the_first(client, login_as):
    mark_territory(VENDEE_DEMO)
    login_as(Role.COORDINATOR)
    response = client.post(
        "/territoire/",
        {"departement": "63", "epcis": [CLERMONT_METROPOLE], "communes": ["63470"]},  # + Volvic, outside it
    )
    assert response.status_code == 302 and response["Location"] == "/territoire/?departement=63"
    territory = _territory()
    metropole = set(Commune.objects.filter(epci_code=CLERMONT_METROPOLE).values_list("insee_code", flat=True))
    assert len(metropole) == 21 and metropole | {"63470"} <= territory
    assert len(territory) == 20 + 22  # Vendée's part untouched


def test_unticking_a_department_removes_only_its_part(client, login_as):
    mark_territory(VENDEE_DEMO + [CLERMONT_METROPOLE])
    login_as(Role.COORDINATOR)
    client.post("/territoire/", {"departement": "85", "communes": ["85018", "85029"]})
    assert {c for c in _territory() if c.startswith("85")} == {"85018", "85029"}
    assert len([c for c in _territory() if c.startswith("63")]) == 21


def test_forged_codes_and_unknown_departments_get_a_french_message_not_a_500(client, login_as):
    login_as(Role.COORDINATOR)
    response = client.post("/territoire/", {"departement": "63", "communes": ["85018"]})  # not in 63
    assert response.status_code == 200 and "Commune inconnue dans ce département" in response.content.decode()
    response = client.get("/territoire/?departement=<script>", follow=True)
    assert response.status_code == 200 and "Département inconnu" in response.content.decode()
    assert not _territory()


def test_forms_offer_the_communes_of_the_territory_s_departments_territory_first():
    assert not commune_choices().exists()  # nothing before the coordinator has chosen
    mark_territory([CLERMONT_METROPOLE])
    choices = list(commune_choices())
    assert {c.department_code for c in choices} == {"63"} and len(choices) > 400
    assert all(c.in_territory for c in choices[:21]) and not choices[21].in_territory
    beauvoir = Commune.objects.get(insee_code="85018")
    assert beauvoir in commune_choices(keep=beauvoir.pk)
