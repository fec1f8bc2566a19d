"""Recurrence expansion: the dates a rota rule recurs on, and why no permanence is held on some.

Holidays, absences and closures are loaded once per window (`RotaContext`) for many rules.
"""

from __future__ import annotations

import calendar
import datetime as dt
from dataclasses import dataclass

from sites.models import Closure, Premises
from staffing.models import Absence, RotaRule
from staffing.selectors.calendars import paris_datetime, public_holidays


def _nth_weekday_of_month(year: int, month: int, weekday: int, nth: int) -> dt.date | None:
    days = [
        dt.date(year, month, d)
        for d in range(1, calendar.monthrange(year, month)[1] + 1)
        if dt.date(year, month, d).weekday() == weekday
    ]
    if nth == -1:
        return days[-1]
    return days[nth - 1] if nth <= len(days) else None


def rule_dates(rule: RotaRule, start: dt.date, end: dt.date) -> list[dt.date]:
    """Dates in [start, end] on which `rule` recurs, within its validity (holidays not yet removed)."""
    start = max(start, rule.valid_from)
    if rule.valid_until:
        end = min(end, rule.valid_until)
    if start > end:
        return []
    if rule.recurrence == RotaRule.Recurrence.MONTHLY_NTH:
        found, month = [], start.replace(day=1)
        while month <= end:
            day = _nth_weekday_of_month(month.year, month.month, rule.weekday, rule.week_of_month or 1)
            if day and start <= day <= end:
                found.append(day)
            month = (month + dt.timedelta(days=32)).replace(day=1)
        return found
    first = start + dt.timedelta(days=(rule.weekday - start.weekday()) % 7)
    interval = rule.interval_weeks if rule.recurrence == RotaRule.Recurrence.EVERY_N_WEEKS else 1
    if interval > 1:
        # every N weeks counted from the week of valid_from, whatever window we look at
        anchor = rule.valid_from + dt.timedelta(days=(rule.weekday - rule.valid_from.weekday()) % 7)
        offset = ((first - anchor).days // 7) % interval
        if offset:
            first += dt.timedelta(weeks=interval - offset)
    found, day = [], first
    while day <= end:
        found.append(day)
        day += dt.timedelta(weeks=interval)
    return found


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
