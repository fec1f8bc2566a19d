"""The needs map: commune outlines shaded by patients waiting to be called per 1,000 inhabitants,
counts of 1 to 4 masked as in the reports, each premises' catchment, and the capacity
planner's gaps (projected wait per commune, communes far from any free time)."""

from __future__ import annotations

import pytest
from django.core.cache import cache
from django.utils import timezone

from escorter.models import TaskRun
from escorter.roles import Role
from sites.models import Commune, Premises
from sites.services import mark_territory
from staffing.services.planner import compare_projections
from staffing.tasks import project_capacity
from tests.patients.factories import PatientFactory
from tests.staffing.booking_helpers import permanence
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


def _gap(page, insee: str):
    return next(g for g in page.gaps.communes if g.commune.insee_code == insee)


def test_communes_with_waiting_patients_far_from_any_free_time_are_outlined(client, login_as, territory):
    bouin, challans, noirmoutier = territory
    login_as(Role.COORDINATOR)
    page = client.get(URL).context["map"]  # no permanence anywhere: no free time at all
    assert {g.commune.insee_code for g in page.gaps.far} == {"85029", "85047"}
    assert _gap(page, "85029").free_km is None

    cache.clear()
    permanence(days=3, hours=3, premises=Premises.objects.get(name="Salle de Noirmoutier"))
    page = client.get(URL).context["map"]
    assert _gap(page, "85029").free_premises.name == "Salle de Noirmoutier"
    assert _gap(page, "85029").free_km > 15 and _gap(page, "85029").far  # Bouin, across the bay
    assert ("Salle de Bouin", 0) in [(p.name, n) for p, n in page.gaps.premises_free]


def test_the_last_projection_shades_each_commune_by_its_projected_wait(client, login_as, territory):
    bouin, *_ = territory
    permanence(days=3, hours=3, premises=Premises.objects.get(name="Salle de Bouin"))
    compare = compare_projections(weeks=4)
    TaskRun.objects.create(
        task_name=project_capacity.name, status=TaskRun.Status.SUCCESS, result=compare, finished_at=timezone.now()
    )
    login_as(Role.COORDINATOR)
    response = client.get(URL)
    page = response.context["map"]
    assert _gap(page, "85029").wait_css in {"wait-1", "wait-2", "wait-3", "wait-4"}
    assert _gap(page, "85047").wait_css == "masked"  # 3 patients: not published
    assert not _gap(page, "85029").far
    assert "Dernière projection" in response.content.decode()
