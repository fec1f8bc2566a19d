"""Recurrence expansion: the dates a rota rule recurs on, and why no permanence is held on some.

Holidays, absences and closures are loaded once per window (`RotaContext`) for many rules.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from dateutil.rrule import MONTHLY, WEEKLY, rrule
from dateutil.rrule import weekday as rrule_weekday

from sites.models import Closure, Premises
from staffing.models import Absence, RotaRule
from staffing.selectors.calendars import paris_datetime, public_holidays


def rule_dates(rule: RotaRule, start: dt.date, end: dt.date) -> list[dt.date]:
    """Dates in [start, end] on which `rule` recurs, within its validity (holidays not yet removed)."""
    start = max(start, rule.valid_from)
    if rule.valid_until:
        end = min(end, rule.valid_until)
    if start > end:
        return []
    weekday = rrule_weekday(rule.weekday)
    if rule.recurrence == RotaRule.Recurrence.MONTHLY_NTH:
        # the Nth (or last, -1) such weekday of each month
        dates = rrule(
            MONTHLY, dtstart=_midnight(start), until=_midnight(end), byweekday=weekday(rule.week_of_month or 1)
        )
    else:
        interval = rule.interval_weeks if rule.recurrence == RotaRule.Recurrence.EVERY_N_WEEKS else 1
        # every N weeks counted from the rule's first day on or after valid_from, whatever window we look at
        anchor = rule.valid_from + dt.timedelta(days=(rule.weekday - rule.valid_from.weekday()) % 7)
        dates = rrule(WEEKLY, interval=interval, dtstart=_midnight(anchor), until=_midnight(end)).between(
            _midnight(start), _midnight(end), inc=True
        )
    return [moment.date() for moment in dates]


def _midnight(day: dt.date) -> dt.datetime:
    return dt.datetime.combine(day, dt.time.min)


@dataclass
class Occurrence:
    """One date a rule recurs on, and why no permanence is held that day (if so)."""

    rule: RotaRule
    date: dt.date
    start: dt.datetime
    end: dt.datetime
    skip_reason: str = ""
    conflict: str = ""

    @property
    def ok(self) -> bool:
        return not (self.skip_reason or self.conflict)


class RotaContext:
    """Holidays, absences and closures over a window, loaded once for many rules."""

    def __init__(self, start: dt.date, end: dt.date, professional_ids=None, premises_ids=None):
        self.holidays = public_holidays(start, end)
        absences = Absence.objects.filter(start_date__lte=end, end_date__gte=start)
        closures = Closure.objects.filter(start_date__lte=end, end_date__gte=start)
        if professional_ids is not None:
            absences = absences.filter(professional_id__in=professional_ids)
        if premises_ids is not None:
            closures = closures.filter(premises_id__in=premises_ids)
        self.absences: dict[int, list[Absence]] = {}
        for absence in absences:
            self.absences.setdefault(absence.professional_id, []).append(absence)
        self.closures: dict[int, list[Closure]] = {}
        for closure in closures:
            self.closures.setdefault(closure.premises_id, []).append(closure)

    def skip_reason(self, rule: RotaRule, day: dt.date, premises: Premises) -> str:
        if day in self.holidays:
            return f"Jour férié ({self.holidays[day]})"
        for absence in self.absences.get(rule.professional_id, ()):
            if absence.start_date <= day <= absence.end_date:
                return f"Absence ({absence.get_kind_display().lower()})"
        if not premises.is_available_on(day):
            return "Local indisponible à cette date"
        for closure in self.closures.get(rule.premises_id, ()):
            if closure.covers(day, rule.room_id):
                return f"Local fermé ({closure.reason})"
        return ""


def rule_occurrences(
    rule: RotaRule, start: dt.date, end: dt.date, context: RotaContext | None = None
) -> list[Occurrence]:
    context = context or RotaContext(start, end, [rule.professional_id], [rule.premises_id])
    premises = rule.premises
    return [
        Occurrence(
            rule=rule,
            date=day,
            start=paris_datetime(day, rule.start_time),
            end=paris_datetime(day, rule.end_time),
            skip_reason=context.skip_reason(rule, day, premises),
        )
        for day in rule_dates(rule, start, end)
    ]
