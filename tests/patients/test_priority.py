"""The priority rule: points per criterion, tiers, explanation, versions, nightly recompute."""

from __future__ import annotations

import datetime as dt

import pytest

from escorter.roles import Role
from patients import services
from patients.models import Patient, PriorityRule
from tests.factories import make_user
from tests.patients.factories import PatientFactory

pytestmark = pytest.mark.django_db
TODAY = dt.date(2026, 11, 23)


def _patient(**kwargs) -> Patient:
    values = {"birth_date": dt.date(1980, 1, 1), "referral_date": TODAY, "status": Patient.Status.WAITING}
    values.update(kwargs)
    return Patient(last_name="X", first_names="Y", **values)


def _score(**kwargs):
    return services.active_rule().evaluate(_patient(**kwargs), TODAY)


def test_default_rule_is_version_one_and_active():
    rule = services.active_rule()
    assert (rule.version, rule.ald, rule.age_80, rule.age_70, rule.tier_p1_min, rule.tier_p2_min) == (
        1,
        40,
        30,
        20,
        50,
        25,
    )
    assert (rule.per_week_waiting, rule.waiting_cap, rule.cap_weeks) == (1, 26, 26)


def test_no_criterion_scores_zero_in_tier_p3():
    score, tier, explanation = _score()
    assert (score, tier, explanation["criteria"]) == (0, "P3", [])


def test_ald_and_80_years_old_reach_p1_with_each_point_explained():
    score, tier, explanation = _score(ald=True, birth_date=dt.date(1940, 1, 1))
    assert (score, tier) == (70, "P1")
    assert [(c["code"], c["points"]) for c in explanation["criteria"]] == [("ald", 40), ("age_80", 30)]
    assert explanation["rule"] == 1 and explanation["total"] == 70


def test_seventy_year_olds_get_twenty_and_eighty_year_olds_thirty_not_both():
    assert _score(birth_date=dt.date(1955, 11, 23))[0] == 20  # 71
    assert _score(birth_date=dt.date(1946, 11, 23))[0] == 30  # exactly 80 today


def test_child_under_six_gets_25_and_p2():
    assert _score(birth_date=dt.date(2022, 1, 1))[:2] == (25, "P2")
    assert _score(birth_date=dt.date(2020, 11, 23))[0] == 0  # six today


def test_hospital_discharge_counts_for_thirty_days_only():
    assert _score(hospital_discharge_date=TODAY - dt.timedelta(days=29))[0] == 20
    assert _score(hospital_discharge_date=TODAY - dt.timedelta(days=30))[0] == 0


def test_one_point_per_full_week_waiting():
    assert _score(referral_date=TODAY - dt.timedelta(days=20))[0] == 2
    assert _score(referral_date=TODAY - dt.timedelta(days=6))[0] == 0


def test_waiting_weeks_stop_when_the_patient_leaves_the_registry():
    from django.utils import timezone

    left = timezone.make_aware(dt.datetime(2026, 10, 26, 12))
    score = _score(referral_date=dt.date(2026, 10, 5), status=Patient.Status.GP_FOUND, status_changed_at=left)[0]
    assert score == 3


def test_disability_pregnancy_and_living_alone_add_up():
    score, tier, _ = _score(disability=True, pregnancy=True, lives_alone=True)
    assert (score, tier) == (60, "P1")


def test_new_rule_version_rescored_patients_and_says_which_rule(django_capture_on_commit_callbacks):
    patient = PatientFactory(ald=True)
    assert (patient.priority_score, patient.priority_tier) == (40, "P2")
    coordinator = make_user(Role.COORDINATOR)
    with django_capture_on_commit_callbacks(execute=True):
        rule = services.create_priority_rule(user=coordinator, comment="ALD renforcée", ald=60)
    patient.refresh_from_db()
    assert rule.version == 2 and rule.is_active
    assert PriorityRule.objects.filter(is_active=True).count() == 1
    assert (patient.priority_score, patient.priority_tier, patient.priority_rule_id) == (60, "P1", rule.pk)
    assert patient.priority_explanation["rule"] == 2


def test_recompute_is_idempotent_and_counts_only_changes():
    PatientFactory(ald=True)
    stale = PatientFactory()
    Patient.objects.filter(pk=stale.pk).update(priority_score=99, priority_tier="P1")
    assert services.recompute_priorities() == 1
    assert services.recompute_priorities() == 0
    stale.refresh_from_db()
    assert (stale.priority_score, stale.priority_tier) == (0, "P3")


def test_recompute_adds_weeks_as_time_passes():
    patient = PatientFactory(referral_date=dt.date(2026, 11, 1))
    services.recompute_priorities(today=dt.date(2026, 11, 22))
    patient.refresh_from_db()
    assert patient.priority_score == 3


def test_coordinator_publishes_weights_in_the_ui(client, login_as):
    login_as(Role.COORDINATOR)
    data = {name: getattr(services.active_rule(), name) for name in PriorityRule.WEIGHT_FIELDS}
    data.update(lives_alone=15, comment="Isolement renforcé")
    response = client.post("/patients/priorite/", data)
    assert response.status_code == 302
    assert services.active_rule().lives_alone == 15 and services.active_rule().version == 2


def test_p1_threshold_must_stay_above_p2(client, login_as):
    login_as(Role.COORDINATOR)
    data = {name: getattr(services.active_rule(), name) for name in PriorityRule.WEIGHT_FIELDS}
    data.update(tier_p1_min=20, tier_p2_min=25, comment="erreur")
    response = client.post("/patients/priorite/", data)
    assert response.status_code == 200
    assert "Le seuil P1 doit être supérieur au seuil P2." in response.content.decode()
    assert PriorityRule.objects.count() == 1


# --- fragility decides the tier, waiting is capped ageing inside it ------------------


def test_waiting_points_stop_at_the_ceiling_and_the_label_says_so():
    score, tier, explanation = _score(referral_date=TODAY - dt.timedelta(days=3 * 365))
    assert (score, tier) == (26, "P3")
    assert explanation["criteria"][-1]["label"] == "156 semaines d'attente (plafond de 26 points atteint)"
    assert (explanation["fragility"], explanation["ageing"], explanation["ageing_cap"]) == (0, 26, 26)


def test_waiting_never_changes_the_tier():
    # 20 fragility points + 26 of waiting = 46, above the P2 threshold, still P3
    score, tier, _ = _score(pregnancy=True, referral_date=TODAY - dt.timedelta(days=400))
    assert (score, tier) == (46, "P3")
    # 40 fragility points + 26 of waiting = 66, above the P1 threshold, still P2
    assert _score(ald=True, referral_date=dt.date(2020, 1, 1))[:2] == (66, "P2")


def test_a_version_without_ceiling_keeps_adding_weeks_but_not_tiers():
    rule = PriorityRule(version=9, waiting_cap=None)
    score, tier, explanation = rule.evaluate(_patient(referral_date=TODAY - dt.timedelta(weeks=77)), TODAY)
    assert (score, tier, explanation["ageing_cap"]) == (77, "P3", None)


def test_queue_priority_puts_any_p1_above_any_p2_whatever_the_scores():
    from patients.models.priority import queue_priority

    assert queue_priority("P1", 50) > queue_priority("P2", 49 + 26) > queue_priority("P3", 24 + 26)
    assert queue_priority("P2", 40) > queue_priority("P2", 39)


def test_85_year_old_with_ald_referred_today_is_p1_ahead_of_a_40_year_old_waiting_three_years(client, login_as):
    old_wait = PatientFactory(last_name="Attente", birth_date=dt.date(1986, 1, 1), referral_date=dt.date(2023, 11, 1))
    fragile = PatientFactory(last_name="Fragile", ald=True, birth_date=dt.date(1941, 6, 1))
    assert (fragile.priority_tier, old_wait.priority_tier) == ("P1", "P3")
    assert list(Patient.objects.awaiting_call().in_queue_order()) == [fragile, old_wait]
    login_as(Role.SECRETARY)
    page = client.get("/patients/").content.decode()
    assert page.index("FRAGILE") < page.index("ATTENTE")


def test_the_score_page_says_the_tier_comes_from_fragility_alone(client, login_as):
    patient = PatientFactory(ald=True, lives_alone=True, referral_date=dt.date(2020, 1, 1))
    login_as(Role.SECRETARY)
    page = client.get(f"/patients/{patient.pk}/").content.decode()
    assert "fixé par les 50 points de fragilité seuls" in page
    assert "plafonnée à 26 points" in page
    assert "plafond de 26 points atteint" in page


def test_coordinator_sets_the_ceiling_and_the_page_explains_the_rule(client, login_as):
    login_as(Role.COORDINATOR)
    page = client.get("/patients/priorite/").content.decode()
    assert "elle ne fait jamais changer de niveau" in page and "atteints après 26 semaines" in page
    data = {name: getattr(services.active_rule(), name) for name in PriorityRule.WEIGHT_FIELDS}
    data.update(waiting_cap=12, per_week_waiting=2, comment="Attente plus courte")
    assert client.post("/patients/priorite/", data).status_code == 302
    rule = services.active_rule()
    assert (rule.version, rule.waiting_cap, rule.cap_weeks) == (2, 12, 6)


def test_the_ceiling_is_required(client, login_as):
    login_as(Role.COORDINATOR)
    data = {name: getattr(services.active_rule(), name) for name in PriorityRule.WEIGHT_FIELDS}
    data.update(waiting_cap="", comment="sans plafond")
    response = client.post("/patients/priorite/", data)
    assert response.status_code == 200 and PriorityRule.objects.count() == 1
