"""The needs map: commune outlines shaded by patients waiting to be called per 1,000 inhabitants,
counts of 1 to 4 masked as in the reports, and each premises' catchment."""

from __future__ import annotations

import pytest
from django.core.cache import cache

from escorter.roles import Role
from sites.models import Commune
from sites.services import mark_territory
from tests.patients.factories import PatientFactory
from tests.staffing.factories import PremisesFactory

pytestmark = pytest.mark.django_db
URL = "/rapports/carte/"
VENDEE_DEMO = ["200071629", "248500191", "248500258"]  # the demo's three EPCIs (20 communes)


@pytest.fixture
def territory():
    cache.clear()
    mark_territory(VENDEE_DEMO)
    bouin = Commune.objects.get(insee_code="85029")
    challans = Commune.objects.get(insee_code="85047")
    noirmoutier = Commune.objects.get(insee_code="85163")
    PatientFactory.create_batch(12, commune=bouin)
    PatientFactory.create_batch(3, commune=challans)
    PremisesFactory(commune=bouin, name="Salle de Bouin")
    PremisesFactory(commune=noirmoutier, name="Salle de Noirmoutier")
    return bouin, challans, noirmoutier


def test_communes_are_drawn_as_shaded_outlines(client, login_as, territory):
    login_as(Role.COORDINATOR)
    page = client.get(URL).context["map"]
    assert len(page.communes) == 20 and all(c.path.startswith("M") for c in page.communes)
    bouin = next(c for c in page.communes if c.commune.insee_code == "85029")
    assert bouin.waiting == 12 and bouin.rate == pytest.approx(12000 / bouin.commune.population)
    assert bouin.shade.startswith("shade-") and bouin.shade != "shade-0"


def test_small_counts_are_masked_as_in_the_reports(client, login_as, territory):
    login_as(Role.COORDINATOR)
    response = client.get(URL)
    challans = next(c for c in response.context["map"].communes if c.commune.insee_code == "85047")
    assert (challans.waiting, challans.display, challans.rate, challans.shade) == (None, "< 5", None, "masked")
    assert "Challans : &lt; 5 patients à appeler" in response.content.decode()


def test_each_commune_belongs_to_the_catchment_of_its_nearest_premises(client, login_as, territory):
    login_as(Role.COORDINATOR)
    page = client.get(URL).context["map"]
    nearest = {c.commune.insee_code: c.nearest.name for c in page.communes}
    assert nearest["85029"] == "Salle de Bouin" and nearest["85163"] == "Salle de Noirmoutier"
    assert nearest["85011"] == "Salle de Noirmoutier"  # Barbâtre, on the island
    names = {p.name: communes for p, _, communes in page.catchments}
    assert sum(len(c) for c in names.values()) == 20


def test_patients_with_an_appointment_are_not_counted_as_waiting_to_be_called(client, login_as, territory):
    bouin, *_ = territory
    from patients.models import Patient

    Patient.objects.filter(commune=bouin).update(status=Patient.Status.IN_CARE)
    login_as(Role.COORDINATOR)
    page = client.get(URL).context["map"]
    assert next(c for c in page.communes if c.commune.insee_code == "85029").shade == "shade-0"
