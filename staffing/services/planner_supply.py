"""The free time the planner projects: generated permanences (with their free starts), the rota
rules' occurrences beyond the generated weeks, and a what-if scenario's extra or missing time."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db.models import Max
from django.utils import timezone

from sites.models import Premises
from staffing.models import ConsultationKind, Permanence, Profession, Professional, RotaRule
from staffing.selectors.booking import free_starts
from staffing.selectors.calendars import paris_datetime
from staffing.selectors.supply import schedulable_permanences
from staffing.services.rota.recurrence import RotaContext, rule_occurrences
from staffing.services.scheduler.run import SCHEDULED_KINDS


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


def projected_slots(start: dt.datetime, end: dt.datetime, *, scenario: str, params: dict):
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
