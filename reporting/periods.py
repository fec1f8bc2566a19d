"""Calendar months as the reports see them: half-open [start, end) in Europe/Paris."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from dateutil.relativedelta import relativedelta
from django.conf import settings
from django.utils import timezone

from escorter.dates import month_label

_MONTH_RE = re.compile(r"^(\d{4})-(\d{2})$")


class InvalidMonth(ValueError):
    pass


@dataclass(frozen=True, order=True)
class Month:
    year: int
    month: int

    @classmethod
    def parse(cls, text: str) -> Month:
        """'2026-10' -> Month; a clear French error otherwise."""
        match = _MONTH_RE.match((text or "").strip())
        if not match or not 1 <= int(match.group(2)) <= 12 or int(match.group(1)) < 2000:
            raise InvalidMonth(f"Mois invalide « {text} » : attendu AAAA-MM, par exemple 2026-10.")
        return cls(int(match.group(1)), int(match.group(2)))

    @classmethod
    def of(cls, day: dt.date) -> Month:
        return cls(day.year, day.month)

    @classmethod
    def current(cls) -> Month:
        return cls.of(timezone.localdate())

    @classmethod
    def last(cls) -> Month:
        return cls.current().previous()

    def previous(self) -> Month:
        return Month.of(self.first_day - relativedelta(months=1))

    def next(self) -> Month:
        return Month.of(self.first_day + relativedelta(months=1))

    def with_previous(self, count: int) -> list[Month]:
        """The `count` months ending with this one, oldest first."""
        return [Month.of(self.first_day - relativedelta(months=back)) for back in range(count - 1, -1, -1)]

    @property
    def first_day(self) -> dt.date:
        return dt.date(self.year, self.month, 1)

    @property
    def last_day(self) -> dt.date:
        return self.first_day + relativedelta(day=31)

    @property
    def start(self) -> dt.datetime:
        """First instant of the month in Europe/Paris (aware)."""
        return dt.datetime.combine(self.first_day, dt.time.min, tzinfo=ZoneInfo(settings.TIME_ZONE))

    @property
    def end(self) -> dt.datetime:
        """First instant of the next month: the period is [start, end)."""
        return self.next().start

    @property
    def key(self) -> str:
        return f"{self.year:04d}-{self.month:02d}"

    @property
    def label(self) -> str:
        return month_label(self.year, self.month)

    def __str__(self) -> str:
        return self.key
