"""The capacity planner: the real scheduler replayed week by week, what-ifs that write nothing."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from escorter.models import TaskRun
from escorter.roles import Role
from escorter.taskruns import enqueue
from patients.models import Patient, PriorityRule
from patients.services import active_rule
from sites.models import Premises
from staffing import tasks
from staffing.models import Consultation, Permanence, RotaRule
from staffing.services.planner import Scenario, compare_projections, project_waits
from staffing.services.scheduler.run import schedule_consultations
from tests.conftest import wait_until
from tests.factories import CommuneFactory, make_user
from tests.staffing.booking_helpers import at, patient, permanence

pytestmark = pytest.mark.django_db


@pytest.fixture
def territory():
    """One GP hour (three 20-minute slots) a week for four weeks, and 20 patients of all tiers."""
    commune = CommuneFactory()
    place = at(commune)
    first = permanence(days=2, hours=1, **place)
    for week in range(1, 4):
        permanence(days=2 + 7 * week, hours=1, professional=first.professional, **place)
    patients = []
    for i in range(20):
        criteria = [{"ald": True, "birth_date": dt.date(1938, 1, 1)}, {"ald": True}, {"lives_alone": True}][i % 3]
        patients.append(
            patient(commune=commune, referral_date=timezone.localdate() - dt.timedelta(days=3 * i), **criteria)
        )
    return patients


def test_the_next_month_projected_is_what_the_scheduler_then_proposes(territory, settings):
    settings.SCHEDULER_RESERVE_SHARE = 0
    now = timezone.now()
    projection = project_waits(weeks=4, now=now, no_show_rate=0.0)
    report = schedule_consultations(now=now, horizon_days=28)
    proposed = Consultation.objects.filter(status=Consultation.Status.PROPOSED)
    assert report.proposed == len(projection.served) == 12
    assert set(proposed.values_list("patient_id", flat=True)) == set(projection.served)
    by_tier = {t: sum(1 for c in proposed if c.patient.priority_tier == t) for t in ("P1", "P2", "P3")}
    assert {t: projection.tiers[t]["served"] for t in by_tier} == by_tier == {"P1": 7, "P2": 5, "P3": 0}


def test_every_p1_is_seen_before_p2_and_p3_wait_beyond_a_short_horizon(territory, settings):
    settings.SCHEDULER_RESERVE_SHARE = 0
    tiers = project_waits(weeks=4, no_show_rate=0.0).tiers
    assert tiers["P1"]["not_served"] == 0 and tiers["P1"]["median_from_today"] < tiers["P2"]["median_from_today"]
    assert tiers["P3"]["served"] == 0 and tiers["P3"]["median_from_today"] == -1  # beyond the horizon


def test_no_shows_are_called_again_so_fewer_patients_are_seen(settings):
    settings.SCHEDULER_RESERVE_SHARE = 0
    place = at(CommuneFactory())
    permanence(days=2, hours=2, **place)
    for _ in range(6):
        patient(ald=True)
    seen_all = project_waits(weeks=1, no_show_rate=0.0).tiers["P2"]["served"]
    seen_some = project_waits(weeks=1, no_show_rate=0.5).tiers["P2"]["served"]
    assert seen_all == 6 and seen_some < 6


def _snapshot() -> tuple:
    return (
        Consultation.objects.count(),
        Permanence.objects.count(),
        RotaRule.objects.count(),
        PriorityRule.objects.count(),
        sorted(Patient.objects.values_list("pk", "priority_score", "priority_tier", "next_consultation_at")),
        sorted(Premises.objects.values_list("pk", "status")),
    )


@pytest.mark.parametrize(
    "scenario", [Scenario.GP_HALF_DAY, Scenario.IPA_DAY, Scenario.OPEN_PREMISES, Scenario.PRACTITIONER_LEAVES]
)
def test_what_ifs_and_draft_rules_change_nothing_in_the_data(territory, scenario):
    premises = Premises.objects.first()
    if scenario == Scenario.OPEN_PREMISES:
        Premises.objects.filter(pk=premises.pk).update(status=Premises.Status.PREPARING)
    before = _snapshot()
    professional = Permanence.objects.first().professional_id
    result = compare_projections(
        weeks=4, scenario=scenario, params={"premises": premises.pk, "professional": professional}
    )
    compare_projections(weeks=4, weights={"ald": 10, "waiting_cap": 5})
    assert _snapshot() == before
    assert result["variant"]["scenario"] == scenario


def test_one_more_gp_half_day_sees_more_patients_and_a_leaving_gp_fewer(territory):
    premises = Premises.objects.first()
    more = compare_projections(weeks=4, scenario=Scenario.GP_HALF_DAY, params={"premises": premises.pk})
    served = sum(t["served"] for t in more["baseline"]["tiers"].values())
    assert sum(t["served"] for t in more["variant"]["tiers"].values()) > served
    leaving = Permanence.objects.first().professional_id
    fewer = compare_projections(weeks=4, scenario=Scenario.PRACTITIONER_LEAVES, params={"professional": leaving})
    assert sum(t["served"] for t in fewer["variant"]["tiers"].values()) == 0


def test_a_draft_rule_moves_patients_between_tiers_in_the_projection_only(territory):
    result = compare_projections(weeks=4, weights={"ald": 10})
    assert result["baseline"]["tiers"]["P1"]["waiting"] == 7
    assert result["variant"]["tiers"]["P1"]["waiting"] == 0
    assert result["variant"]["scenario_label"] == "Avec les poids proposés"
    assert active_rule().ald == 40


def test_the_stored_result_names_no_patient(territory):
    result = compare_projections(weeks=4)
    text = repr(result)
    assert "served" in result["baseline"]["tiers"]["P1"]
    assert "'served': {" not in text
    for who in territory:
        assert who.last_name not in text


def test_coordinator_runs_a_what_if_and_reads_the_result(
    client, login_as, territory, django_capture_on_commit_callbacks
):
    login_as(Role.COORDINATOR)
    premises = Premises.objects.first()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            "/equipe/projection/", {"scenario": Scenario.GP_HALF_DAY, "premises": premises.pk, "weeks": 4}
        )
    assert response.status_code == 302
    run = TaskRun.objects.get(task_name=tasks.project_capacity.name)
    assert run.status == TaskRun.Status.SUCCESS  # eager outside worker tests
    page = client.get(response.url).content.decode()
    assert f"Une demi-journée de médecin généraliste en plus par semaine ({premises.name})" in page
    assert "Aucune donnée n'a été modifiée" in page


def test_a_what_if_without_its_premises_gets_a_french_message(client, login_as):
    login_as(Role.COORDINATOR)
    response = client.post("/equipe/projection/", {"scenario": Scenario.IPA_DAY, "weeks": 26})
    assert response.status_code == 200
    assert "Choisissez le local concerné." in response.content.decode()
    assert not TaskRun.objects.exists()


def test_the_rule_page_projects_draft_weights_without_publishing_them(
    client, login_as, territory, django_capture_on_commit_callbacks
):
    login_as(Role.COORDINATOR)
    assert "Projeter les délais avec ces poids" in client.get("/patients/priorite/").content.decode()
    data = {name: getattr(active_rule(), name) for name in PriorityRule.WEIGHT_FIELDS}
    data.update(ald=10)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post("/equipe/projection/regle/", data)
    assert response.status_code == 200
    run = TaskRun.objects.get(task_name=tasks.project_capacity.name)
    assert f'hx-get="/equipe/projection/{run.pk}/"' in response.content.decode()
    result = client.get(f"/equipe/projection/{run.pk}/").content.decode()
    assert "Avec les poids proposés" in result and "Médiane" in result
    assert PriorityRule.objects.count() == 1 and active_rule().ald == 40
    bad = client.post("/equipe/projection/regle/", {**data, "tier_p1_min": 10})
    assert "Le seuil P1 doit être supérieur au seuil P2." in bad.content.decode()


@pytest.mark.worker
@pytest.mark.django_db(transaction=True)
def test_the_projection_runs_on_a_real_worker_with_its_progress_recorded(celery_worker):
    place = at(CommuneFactory())
    permanence(days=2, hours=1, **place)
    patient(ald=True, birth_date=dt.date(1940, 1, 1))
    run = enqueue(tasks.project_capacity, user=make_user(Role.COORDINATOR), weeks=4)
    run = wait_until(
        lambda: TaskRun.objects.filter(pk=run.pk, status__in=["success", "failure"]).first(),
        message="the worker to project the waits",
    )
    assert run.status == TaskRun.Status.SUCCESS, run.message
    assert run.progress == 100 and run.result["baseline"]["tiers"]["P1"]["served"] == 1
    assert run.message.startswith("Situation actuelle : P1 vu en")


def test_the_projection_tells_each_commune_its_patients_wait(territory, settings):
    settings.SCHEDULER_RESERVE_SHARE = 0
    projection = project_waits(weeks=4, no_show_rate=0.0)
    commune = territory[0].commune_id
    figures = projection.as_dict()["communes"]
    assert list(figures) == [str(commune)]
    assert (figures[str(commune)]["waiting"], figures[str(commune)]["not_served"]) == (20, 8)
    assert 0 < figures[str(commune)]["median_from_today"] <= 28  # 12 of 20 seen within the four weeks
