"""Reads behind the calendars: weeks per premises or professional, the territory's month, public holidays."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from functools import lru_cache
from zoneinfo import ZoneInfo

import holidays
from dateutil.relativedelta import relativedelta
from django.db.models import Prefetch, QuerySet

from escorter import params
from escorter.dates import WEEKDAYS_FR, month_label
from sites.models import Closure, Premises
from staffing.models import Permanence, Professional

PARIS = ZoneInfo("Europe/Paris")


@lru_cache(maxsize=32)
def _holidays_of_year(year: int) -> dict[dt.date, str]:
    return dict(holidays.country_holidays("FR", years=year, language="fr"))


def public_holidays(start: dt.date, end: dt.date) -> dict[dt.date, str]:
    """French public holidays (metropolitan France) between `start` and `end`, inclusive, with their names."""
    found: dict[dt.date, str] = {}
    for year in range(start.year, end.year + 1):
        found.update({day: name for day, name in _holidays_of_year(year).items() if start <= day <= end})
    return found


def paris_datetime(day: dt.date, time: dt.time) -> dt.datetime:
    return dt.datetime.combine(day, time, tzinfo=PARIS)


def monday_of(day: dt.date) -> dt.date:
    return day - dt.timedelta(days=day.weekday())


def parse_week(value: str | None, today: dt.date | None = None) -> dt.date:
    """The Monday of ISO week `value` ("2026-W48"), or of the current week when missing.

    Malformed or out-of-range: escorter.params.InvalidParameter (a French 400)."""
    if value and value.strip():
        return params.parse_week(value.strip())
    return monday_of(today or dt.date.today())


def iso_week(day: dt.date) -> str:
    year, week, _ = day.isocalendar()
    return f"{year}-W{week:02d}"


def parse_month(value: str | None, today: dt.date | None = None) -> dt.date:
    """The first day of month `value` ("2026-11"), or of the current month when missing.

    Malformed or out-of-range: escorter.params.InvalidParameter (a French 400)."""
    if value and value.strip():
        return params.parse_month(value.strip())
    return (today or dt.date.today()).replace(day=1)


def _permanences_between(start: dt.date, end: dt.date) -> QuerySet[Permanence]:
    return (
        Permanence.objects.filter(
            start__lt=paris_datetime(end, dt.time.min), end__gt=paris_datetime(start, dt.time.min)
        )
        .select_related("professional", "premises", "room")
        .order_by("start")
    )


@dataclass
class Day:
    date: dt.date
    holiday: str = ""
    permanences: list[Permanence] = field(default_factory=list)
    closures: list[Closure] = field(default_factory=list)

    @property
    def label(self) -> str:
        return f"{WEEKDAYS_FR[self.date.weekday()]} {self.date:%d/%m}"

    @property
    def is_today(self) -> bool:
        return self.date == dt.date.today()


@dataclass
class Week:
    monday: dt.date
    days: list[Day]

    @property
    def previous(self) -> str:
        return iso_week(self.monday - dt.timedelta(days=7))

    @property
    def next(self) -> str:
        return iso_week(self.monday + dt.timedelta(days=7))

    @property
    def current(self) -> str:
        return iso_week(self.monday)

    @property
    def label(self) -> str:
        sunday = self.monday + dt.timedelta(days=6)
        return f"semaine {self.monday.isocalendar()[1]} · du {self.monday:%d/%m/%Y} au {sunday:%d/%m/%Y}"

    @property
    def hours(self) -> float:
        return sum(p.hours for day in self.days for p in day.permanences if p.is_active)


def _week(monday: dt.date, permanences: QuerySet[Permanence], closures=()) -> Week:
    days = [Day(date=monday + dt.timedelta(days=i)) for i in range(7)]
    names = public_holidays(monday, monday + dt.timedelta(days=6))
    for day in days:
        day.holiday = names.get(day.date, "")
        day.closures = [c for c in closures if c.start_date <= day.date <= c.end_date]
    for permanence in permanences:
        index = (permanence.start.astimezone(PARIS).date() - monday).days
        if 0 <= index < 7:
            days[index].permanences.append(permanence)
    return Week(monday=monday, days=days)


def premises_week(premises: Premises, monday: dt.date) -> Week:
    sunday = monday + dt.timedelta(days=6)
    permanences = _permanences_between(monday, monday + dt.timedelta(days=7)).filter(premises=premises)
    closures = list(
        premises.closures.filter(start_date__lte=sunday, end_date__gte=monday)
        .select_related("room")
        .order_by("start_date")
    )
    return _week(monday, permanences, closures)


def professional_week(professional: Professional, monday: dt.date) -> Week:
    permanences = _permanences_between(monday, monday + dt.timedelta(days=7)).filter(professional=professional)
    week = _week(monday, permanences)
    absences = list(professional.absences.filter(start_date__lte=monday + dt.timedelta(days=6), end_date__gte=monday))
    for day in week.days:
        day.absences = [a for a in absences if a.start_date <= day.date <= a.end_date]
    return week


def upcoming_permanences(professional: Professional, *, limit: int = 10) -> list[Permanence]:
    from django.utils import timezone

    return list(
        professional.permanences.active()
        .filter(end__gte=timezone.now())
        .select_related("premises", "room", "premises__commune")
        .order_by("start")[:limit]
    )


# --- The territory's month -----------------------------------------------------------


@dataclass
class MonthCell:
    date: dt.date
    permanences: list[Permanence] = field(default_factory=list)
    holiday: str = ""
    closed: str = ""  # premises not available or closed that day: why
    is_weekend: bool = False

    @property
    def active(self) -> list[Permanence]:
        return [p for p in self.permanences if p.is_active]

    @property
    def is_gap(self) -> bool:
        """A working day the premises could open but nobody holds a permanence there."""
        return not (self.is_weekend or self.holiday or self.closed or self.active)


@dataclass
class MonthRow:
    premises: Premises
    cells: list[MonthCell]

    @property
    def gaps(self) -> int:
        return sum(cell.is_gap for cell in self.cells)


@dataclass
class Month:
    first: dt.date
    days: list[dt.date]
    rows: list[MonthRow]

    @property
    def label(self) -> str:
        return month_label(self.first.year, self.first.month)

    @property
    def previous(self) -> str:
        return f"{self.first - relativedelta(months=1):%Y-%m}"

    @property
    def next(self) -> str:
        return f"{self.first + relativedelta(months=1):%Y-%m}"

    @property
    def gaps(self) -> int:
        """Premises-days without a permanence on working days (one per premises and day)."""
        return sum(row.gaps for row in self.rows)

    @property
    def by_day(self) -> list[tuple[dt.date, str, list[tuple[Premises, MonthCell]]]]:
        """The month one day per row (date, holiday name, (premises, cell) per premises):
        the page reads down the days, so each cell is wide enough for full names."""
        return [
            (
                day,
                self.rows[0].cells[i].holiday if self.rows else "",
                [(row.premises, row.cells[i]) for row in self.rows],
            )
            for i, day in enumerate(self.days)
        ]


def territory_month(first: dt.date) -> Month:
    """Who is where each day of the month, per premises; working days without anyone are gaps.

    Three queries whatever the number of premises or permanences.
    """
    last = first + relativedelta(day=31)  # the month's last day
    days = [first + dt.timedelta(days=i) for i in range((last - first).days + 1)]
    names = public_holidays(first, last)
    premises_list = list(
        Premises.objects.filter(available_from__lte=last)
        .exclude(available_until__lt=first)
        .select_related("commune")
        .prefetch_related(
            Prefetch(
                "closures",
                queryset=Closure.objects.filter(start_date__lte=last, end_date__gte=first, room__isnull=True),
                to_attr="month_closures",
            )
        )
        .order_by("name")
    )
    by_premises: dict[tuple[int, dt.date], list[Permanence]] = {}
    for permanence in _permanences_between(first, last + dt.timedelta(days=1)).filter(
        premises__in=[p.pk for p in premises_list]
    ):
        key = (permanence.premises_id, permanence.start.astimezone(PARIS).date())
        by_premises.setdefault(key, []).append(permanence)
    rows = []
    for premises in premises_list:
        cells = []
        for day in days:
            closed = ""
            if premises.status == Premises.Status.CLOSED:
                closed = "local fermé"
            elif not premises.is_available_on(day):
                closed = "hors période de prêt"
            elif premises.status == Premises.Status.PREPARING:
                closed = "en préparation"
            for closure in premises.month_closures:
                if closure.start_date <= day <= closure.end_date:
                    closed = closure.reason
            cells.append(
                MonthCell(
                    date=day,
                    permanences=by_premises.get((premises.pk, day), []),
                    holiday=names.get(day, ""),
                    closed=closed,
                    is_weekend=day.weekday() >= 5,
                )
            )
        rows.append(MonthRow(premises=premises, cells=cells))
    return Month(first=first, days=days, rows=rows)
