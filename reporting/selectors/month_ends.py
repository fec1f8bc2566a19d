"""The registry at the end of closed months, read from the snapshots (MonthEndSnapshot): two small
queries whatever the size of the registry. A month not taken yet is rebuilt from the history."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from reporting.models import MonthEndInvalidation, MonthEndSnapshot
from reporting.periods import Month
from reporting.selectors.queries import registry_counts_per_month

Groups = dict[tuple[str, str, bool], int]  # (status at month end, priority tier, ALD) -> patients


@dataclass
class MonthEnds:
    counts: dict[Month, Groups] = field(default_factory=dict)
    missing: list[Month] = field(default_factory=list)  # rebuilt from the history for this read
    outdated_from: Month | None = None  # the snapshots from this month on await a refresh
    taken_at: dt.datetime | None = None  # the oldest snapshot read

    @property
    def pending(self) -> bool:
        """Whether a refresh would change something: a month missing or out of date."""
        return bool(self.missing) or self.outdated_from is not None

    def by(self, month: Month, *, ald: bool = False) -> dict[tuple, int]:
        """The month's counts by (status, tier), or (status, tier, ald)."""
        if ald:
            return dict(self.counts[month])
        grouped: dict[tuple, int] = {}
        for (status, tier, _), n in self.counts[month].items():
            grouped[(status, tier)] = grouped.get((status, tier), 0) + n
        return grouped


def month_end_counts(months: list[Month]) -> MonthEnds:
    """The snapshots of `months` (closed months); those not taken yet are rebuilt from the
    history (two scans of the registry, all missing months at once) and listed in `missing`."""
    ends = MonthEnds()
    if not months:
        return ends
    for snapshot in MonthEndSnapshot.objects.filter(month__in=[m.first_day for m in months]):
        ends.counts[Month.of(snapshot.month)] = {(s, t, a): n for s, t, a, n in snapshot.counts}
        ends.taken_at = min(ends.taken_at or snapshot.taken_at, snapshot.taken_at)
    ends.missing = [m for m in months if m not in ends.counts]
    if ends.missing:
        ends.counts.update(registry_counts_per_month(ends.missing, "priority_tier", "ald"))
    earliest = (
        MonthEndInvalidation.objects.filter(from_month__lte=max(months).first_day)
        .order_by("from_month")
        .values_list("from_month", flat=True)
        .first()
    )
    if earliest is not None and any(m.first_day >= earliest for m in ends.counts if m not in ends.missing):
        ends.outdated_from = Month.of(earliest)
    return ends
