"""Capacity planner: each tier's projected wait until the first consultation, by re-running the
real scheduler week after week on the projected free time. Reads only; writes nothing.

Week after week from now: the patients still waiting (the scheduler's own candidates, scored
by the rule in force or by a draft rule), the free time of that week (generated permanences
minus what is already booked, then the rota rules' occurrences beyond the generated weeks,
the scheduler's reserve for phone bookings kept free), the real `build_problem` and `solve`.
Patients served come to their appointment with the measured show rate (a seeded draw: the
same data gives the same projection); the others stay in the queue for the next weeks. No
new referrals are assumed: the projection is that of today's list, as the page says.

What-if scenarios change the free time only, in memory: one more GP half-day a week at some
premises, one more IPA day a week, premises being prepared opened now, a practitioner leaving.
"""

from __future__ import annotations

import datetime as dt
import random
import time
from dataclasses import dataclass, field

import numpy as np
from django.db.models import Count, Q
from django.utils import timezone

from patients.models import PriorityRule, Tier
from patients.services.priority import active_rule
from staffing.models import (
    KIND_PROFESSIONS,
    Consultation,
    ConsultationStatus,
)
from staffing.selectors.booking import grid_starts
from staffing.services.planner_supply import Scenario, projected_slots, scenario_label
from staffing.services.scheduler.problem import Need, build_problem
from staffing.services.scheduler.run import candidate_patients, patient_need, proposable
from staffing.solver import Weights, solve

NO_SHOW_WINDOW_DAYS = 90
TIERS = [str(t) for t in Tier.values]


@dataclass
class Projection:
    weeks: int
    start: str
    no_show_rate: float
    scenario: str
    scenario_label: str
    rule_version: int | None
    tiers: dict = field(default_factory=dict)
    weekly: list = field(default_factory=list)
    free_slots: int = 0
    follow_ups_served: int = 0
    seconds: float = 0.0
    served: dict = field(default_factory=dict)  # patient id -> projected date (ISO); not shown to anyone
    # commune id (str) -> first-visit patients waiting there, median days from today (-1: beyond), not seen
    communes: dict = field(default_factory=dict)

    def as_dict(self, *, with_patients: bool = False) -> dict:
        data = {k: v for k, v in self.__dict__.items() if k != "served"}
        if with_patients:
            data["served"] = self.served
        return data


def measured_no_show_rate(*, now: dt.datetime, days: int = NO_SHOW_WINDOW_DAYS) -> float:
    """No-shows / (held + no-shows) over the last `days` (one query)."""
    counts = Consultation.objects.filter(start__gte=now - dt.timedelta(days=days), start__lt=now).aggregate(
        done=Count("pk", filter=Q(status=ConsultationStatus.DONE)),
        no_show=Count("pk", filter=Q(status=ConsultationStatus.NO_SHOW)),
    )
    attended = counts["done"] + counts["no_show"]
    return counts["no_show"] / attended if attended else 0.0


def _percentile(values: list[float], q: float) -> float | None:
    """Nearest-rank percentile; inf (not reached within the horizon) is a value like any other."""
    if not values:
        return None
    ordered = sorted(values)
    return ordered[max(0, int(np.ceil(q * len(ordered))) - 1)]


def project_waits(
    *,
    weeks: int = 26,
    now: dt.datetime | None = None,
    rule: PriorityRule | None = None,
    scenario: str = Scenario.BASELINE,
    params: dict | None = None,
    no_show_rate: float | None = None,
    progress=None,
    seed: int = 11,
) -> Projection:
    """Each tier's projected wait (median, 90th percentile) until the first consultation."""
    started = time.perf_counter()
    now = now or timezone.now()
    params = params or {}
    rule = rule or active_rule()
    rate = measured_no_show_rate(now=now) if no_show_rate is None else no_show_rate
    end = now + dt.timedelta(weeks=weeks)
    projection = Projection(
        weeks=weeks,
        start=timezone.localdate(now).isoformat(),
        no_show_rate=round(rate, 4),
        scenario=scenario,
        scenario_label=Scenario.LABELS.get(scenario, scenario),
        rule_version=rule.version if rule.pk else None,
    )

    def step(pct: int, message: str) -> None:
        if progress is not None:
            progress.step(pct, message)

    step(2, "Lecture de la liste d'attente et du tableau de service…")
    queue = list(candidate_patients(now))
    first_visit = {p.pk: not p.seen_before for p in queue}
    slots, booked_free = projected_slots(now, end, scenario=scenario, params=params)
    rng = random.Random(seed)
    waits: dict[str, list[float]] = {tier: [] for tier in TIERS}
    remaining_wait: dict[str, list[float]] = {tier: [] for tier in TIERS}
    tier_of: dict[int, str] = {}
    by_commune: dict[int, list[float]] = {}
    for week in range(weeks):
        week_start, week_end = now + dt.timedelta(weeks=week), now + dt.timedelta(weeks=week + 1)
        today = timezone.localdate(week_start)
        for patient in queue:
            patient.priority_score, patient.priority_tier, _ = rule.evaluate(patient, today)
            tier_of.setdefault(patient.pk, patient.priority_tier)
        queue.sort(key=lambda p: (p.priority_tier, -p.priority_score, p.referral_date, p.pk))
        week_slots = [s for s in slots if week_start <= s.start < week_end]
        free = {}
        for slot in week_slots:
            starts = (
                booked_free.get(slot.pk)
                if isinstance(slot.pk, int)
                else grid_starts(slot, slot.professional.default_consultation_minutes)
            )
            free[slot.pk] = proposable(slot, starts or [])
        week_slots = [s for s in week_slots if free[s.pk]]
        projection.free_slots += sum(len(free[s.pk]) for s in week_slots)
        served_this_week = dict.fromkeys(TIERS, 0)
        if queue and week_slots:
            problem = build_problem(
                patients=queue,
                needs=[Need(patient_need(p), step_free=getattr(p, "mobility_need", False)) for p in queue],
                last_professionals=[p.last_professional_id for p in queue],
                permanences=week_slots,
                free=free,
                now=week_start,
                professions=KIND_PROFESSIONS,
                weights=Weights(),
            ).problem
            solution = solve(problem)
            gone = set()
            for i in np.flatnonzero(solution.permanence >= 0):
                patient, slot = queue[i], week_slots[solution.permanence[i]]
                if rng.random() < rate:
                    continue  # did not come: back in the queue, called again
                gone.add(patient.pk)
                day = timezone.localdate(slot.start)
                if not first_visit[patient.pk]:
                    projection.follow_ups_served += 1
                    continue
                tier = tier_of[patient.pk]
                served_this_week[tier] += 1
                waits[tier].append(float((day - patient.referral_date).days))
                remaining_wait[tier].append(float((day - timezone.localdate(now)).days))
                by_commune.setdefault(patient.commune_id, []).append(remaining_wait[tier][-1])
                projection.served[patient.pk] = day.isoformat()
            queue = [p for p in queue if p.pk not in gone]
        projection.weekly.append(served_this_week)
        step(5 + int(90 * (week + 1) / weeks), f"Semaine {week + 1} sur {weeks} projetée.")
    horizon_end = timezone.localdate(end)
    for patient in queue:
        if first_visit[patient.pk]:
            tier = tier_of[patient.pk]
            waits[tier].append(float("inf"))
            remaining_wait[tier].append(float("inf"))
            by_commune.setdefault(patient.commune_id, []).append(float("inf"))
    projection.communes = {
        str(commune): {
            "waiting": len(days),
            "median_from_today": _finite(_percentile(days, 0.5)),
            "not_served": sum(1 for d in days if d == float("inf")),
        }
        for commune, days in by_commune.items()
        if commune is not None
    }
    for tier in TIERS:
        total = len(waits[tier])
        served = sum(1 for w in waits[tier] if w != float("inf"))
        projection.tiers[tier] = {
            "waiting": total,
            "served": served,
            "not_served": total - served,
            "median": _finite(_percentile(waits[tier], 0.5)),
            "p90": _finite(_percentile(waits[tier], 0.9)),
            "median_from_today": _finite(_percentile(remaining_wait[tier], 0.5)),
            "p90_from_today": _finite(_percentile(remaining_wait[tier], 0.9)),
        }
    projection.horizon_end = horizon_end.isoformat()
    projection.seconds = round(time.perf_counter() - started, 2)
    step(100, f"Projection sur {weeks} semaines terminée en {projection.seconds:.0f} s.")
    return projection


def _finite(value: float | None) -> float | None:
    """None: no patient in the tier; -1: beyond the horizon (JSON has no infinity)."""
    if value is None:
        return None
    return -1.0 if value == float("inf") else value


class _Share:
    """Maps a sub-run's 0-100 % onto a slice of the task's progress bar."""

    def __init__(self, progress, low: int, high: int, label: str):
        self.progress, self.low, self.high, self.label = progress, low, high, label

    def step(self, pct: int, message: str = "") -> None:
        if self.progress is not None:
            self.progress.step(self.low + (self.high - self.low) * pct // 100, f"{self.label} : {message}")


def summary_sentence(tiers: dict) -> str:
    """ "P1 vu en 12 jours médians, P2 en 40, P3 en 96" (from today), or beyond the horizon."""
    parts = []
    for tier in TIERS:
        value = (tiers.get(tier) or {}).get("median_from_today")
        if value is None:
            continue
        text = "au-delà de l'horizon" if value < 0 else f"{value:.0f} jours médians"
        parts.append(f"{tier} vu en {text}" if not parts else f"{tier} en {text}")
    return ", ".join(parts) or "aucun patient en attente d'une première consultation"


def compare_projections(
    *,
    weeks: int = 26,
    scenario: str = Scenario.BASELINE,
    params: dict | None = None,
    weights: dict | None = None,
    now: dt.datetime | None = None,
    progress=None,
) -> dict:
    """Today's projection, and the draft rule's or the what-if's beside it (same data, same draws)."""
    now = now or timezone.now()
    current = active_rule()
    variant = None
    if weights:
        values = {name: getattr(current, name) for name in PriorityRule.WEIGHT_FIELDS}
        values.update({k: v for k, v in weights.items() if k in PriorityRule.WEIGHT_FIELDS})
        variant = {"rule": PriorityRule(version=current.version + 1, **values), "label": "Avec les poids proposés"}
    elif scenario != Scenario.BASELINE:
        variant = {"rule": current, "label": scenario_label(scenario, params or {})}
    split = 50 if variant else 100
    baseline = project_waits(
        weeks=weeks, now=now, rule=current, progress=_Share(progress, 0, split, "Situation actuelle")
    )
    result = {"baseline": baseline.as_dict(), "variant": None}
    if variant:
        projection = project_waits(
            weeks=weeks,
            now=now,
            rule=variant["rule"],
            scenario=Scenario.BASELINE if weights else scenario,
            params=params,
            no_show_rate=baseline.no_show_rate,
            progress=_Share(progress, split, 100, variant["label"]),
        )
        projection.scenario_label = variant["label"]
        result["variant"] = projection.as_dict()
    shown = result["variant"] or result["baseline"]
    result["summary"] = f"{shown['scenario_label']} : {summary_sentence(shown['tiers'])}."
    return result
