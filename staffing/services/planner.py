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
from django.db.models import Count, Max, Q
from django.utils import timezone

from patients.models import PriorityRule, Tier
from patients.services.priority import active_rule
from sites.models import Premises
from staffing.models import (
    KIND_PROFESSIONS,
    Consultation,
    ConsultationKind,
    ConsultationStatus,
    Permanence,
    Profession,
    Professional,
)
from staffing.models.rota import RotaRule
from staffing.selectors.booking import free_starts, grid_starts
from staffing.selectors.calendars import paris_datetime
from staffing.selectors.supply import schedulable_permanences
from staffing.services.rota.recurrence import RotaContext, rule_occurrences
from staffing.services.scheduler.problem import Need, build_problem
from staffing.services.scheduler.run import SCHEDULED_KINDS, candidate_patients, patient_need, proposable
from staffing.solver import Weights, solve

NO_SHOW_WINDOW_DAYS = 90
TIERS = [str(t) for t in Tier.values]


class Scenario:
    BASELINE = "baseline"
    GP_HALF_DAY = "gp_half_day"
    IPA_DAY = "ipa_day"
    OPEN_PREMISES = "open_premises"
    PRACTITIONER_LEAVES = "practitioner_leaves"
    CHOICES = [
        (BASELINE, "Situation actuelle"),
        (GP_HALF_DAY, "Une demi-journée de médecin généraliste en plus par semaine"),
        (IPA_DAY, "Une journée d'IPA en plus par semaine"),
        (OPEN_PREMISES, "Ouvrir dès maintenant un local en préparation"),
        (PRACTITIONER_LEAVES, "Départ d'un praticien"),
    ]
    LABELS = dict(CHOICES)


@dataclass
class _Professional:
    """Stands for a practitioner who does not exist yet (a what-if)."""

    pk: int
    profession: str
    default_consultation_minutes: int


@dataclass
class _Slot:
    """A permanence as the scheduler reads it: real, projected from the rota, or imagined."""

    pk: object
    start: dt.datetime
    end: dt.datetime
    kinds: list
    professional: object
    premises: Premises
    room: object = None

    @property
    def room_id(self):
        return self.room.pk if self.room is not None else None

    @property
    def professional_id(self) -> int:
        return self.professional.pk

    @property
    def premises_id(self) -> int:
        return self.premises.pk


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


def _projected_slots(start: dt.datetime, end: dt.datetime, *, scenario: str, params: dict):
    """Free time from `start` to `end`: generated permanences (with their free starts), then the
    rota rules' occurrences beyond the generated weeks, then the what-if's extra time."""
    kinds_needed = list(SCHEDULED_KINDS)
    leaving = int(params.get("professional") or 0) if scenario == Scenario.PRACTITIONER_LEAVES else 0
    opening = int(params.get("premises") or 0) if scenario == Scenario.OPEN_PREMISES else 0
    # the scheduler's own reading of the free time (open premises, no absence nor closure)
    days = (end - start).days + 1
    permanences = [
        p
        for p in schedulable_permanences(now=start, horizon_days=days, kinds=kinds_needed)
        if p.professional_id != leaving and p.start >= start and p.start < end
    ]
    if opening:
        permanences += list(
            Permanence.objects.active()
            .filter(premises_id=opening, start__gte=start, start__lt=end, kinds__overlap=kinds_needed)
            .exclude(pk__in=[p.pk for p in permanences])
            .select_related("professional", "premises__commune", "room")
        )
    free = free_starts(permanences, after=start, now=start)
    slots = [
        _Slot(p.pk, p.start, p.end, list(p.kinds), p.professional, p.premises, p.room)
        for p in permanences
        if free.get(p.pk)
    ]
    generated_until = Permanence.objects.aggregate(last=Max("start"))["last"] or start
    rules = list(
        RotaRule.objects.filter(active=True, professional__active=True, kinds__overlap=kinds_needed)
        .exclude(professional_id=leaving)
        .select_related("professional", "premises__commune", "room")
    )
    first_day, last_day = timezone.localdate(start), timezone.localdate(end)
    context = RotaContext(first_day, last_day)
    for rule in rules:
        for occurrence in rule_occurrences(rule, first_day, last_day, context):
            opened = rule.premises_id == opening and not rule.premises.is_available_on(occurrence.date)
            if not (occurrence.ok or opened) or occurrence.start < start or occurrence.start >= end:
                continue
            # generated weeks are read from the permanences themselves (with their bookings)
            if occurrence.start <= generated_until and not opened:
                continue
            slots.append(
                _Slot(
                    f"r{rule.pk}-{occurrence.date}",
                    occurrence.start,
                    occurrence.end,
                    list(rule.kinds),
                    rule.professional,
                    rule.premises,
                    rule.room,
                )
            )
    slots += _imagined_slots(first_day, last_day, start, end, scenario=scenario, params=params, rules=rules)
    slots.sort(key=lambda s: (s.start, str(s.pk)))
    return slots, free


def _imagined_slots(first_day, last_day, start, end, *, scenario, params, rules) -> list[_Slot]:
    """The what-if's extra weekly time (a premises being opened with no rota gets a GP half-day)."""
    premises_id = int(params.get("premises") or 0)
    if scenario == Scenario.OPEN_PREMISES and any(rule.premises_id == premises_id for rule in rules):
        return []
    if scenario not in (Scenario.GP_HALF_DAY, Scenario.IPA_DAY, Scenario.OPEN_PREMISES) or not premises_id:
        return []
    premises = Premises.objects.select_related("commune").get(pk=premises_id)
    if scenario == Scenario.IPA_DAY:
        who = _Professional(-2, Profession.IPA, 30)
        hours, kinds, weekday = (dt.time(9), dt.time(17)), [ConsultationKind.PREVENTION, ConsultationKind.FOLLOW_UP], 3
    else:
        who = _Professional(-1, Profession.GP, 20)
        hours, kinds, weekday = (
            (dt.time(8, 30), dt.time(12, 30)),
            [ConsultationKind.FIRST_VISIT, ConsultationKind.FOLLOW_UP],
            1,
        )
    slots = []
    day = first_day + dt.timedelta(days=(weekday - first_day.weekday()) % 7)
    while day <= last_day:
        begin, finish = paris_datetime(day, hours[0]), paris_datetime(day, hours[1])
        if start <= begin < end:
            slots.append(_Slot(f"w{day}", begin, finish, kinds, who, premises))
        day += dt.timedelta(weeks=1)
    return slots


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
    slots, booked_free = _projected_slots(now, end, scenario=scenario, params=params)
    rng = random.Random(seed)
    waits: dict[str, list[float]] = {tier: [] for tier in TIERS}
    remaining_wait: dict[str, list[float]] = {tier: [] for tier in TIERS}
    tier_of: dict[int, str] = {}
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


def scenario_choices_for_form():
    """Premises and practitioners the what-if form offers."""
    premises = Premises.objects.exclude(status=Premises.Status.CLOSED).select_related("commune").order_by("name")
    preparing = [p for p in premises if p.status == Premises.Status.PREPARING]
    professionals = Professional.objects.filter(active=True).order_by("last_name", "first_name")
    return premises, preparing, professionals


def scenario_label(scenario: str, params: dict) -> str:
    """The what-if in words, naming the premises or the practitioner."""
    label = Scenario.LABELS.get(scenario, scenario)
    if params.get("premises"):
        premises = Premises.objects.filter(pk=params["premises"]).first()
        label += f" ({premises.name})" if premises else ""
    if params.get("professional"):
        professional = Professional.objects.filter(pk=params["professional"]).first()
        label += f" ({professional})" if professional else ""
    return label


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
