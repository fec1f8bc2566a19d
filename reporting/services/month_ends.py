"""Month-end snapshots of the registry (reporting.models.MonthEndSnapshot): taking them, and
taking them again when a back-dated write reaches a closed month (MonthEndInvalidation).

Rebuilding closed months from the status history costs two scans of the registry (at a million
patients, measured: 2.2 s for one month, 10.2 s for eleven); a snapshot is one row per month.
The beat runs refresh_month_ends() every ten minutes (a no-op when nothing is missing or out of
date), the dashboard asks for it when it finds a month missing or out of date, and a monthly
report refreshes its month before reading it.
"""

from __future__ import annotations

import logging

from django.core.cache import cache
from django.db import connection, transaction
from django.utils import timezone

from reporting.models import MonthEndInvalidation, MonthEndSnapshot
from reporting.periods import Month
from reporting.selectors.queries import registry_counts_per_month

DASHBOARD_MONTHS = 11  # the closed months of the dashboard's year of bars
LOCK_NAMESPACE, LOCK_KEY = 7008, 0  # pg advisory lock: one refresh at a time
REQUEST_KEY = "reporting:month-ends-requested"
logger = logging.getLogger(__name__)


def dashboard_months() -> list[Month]:
    return Month.last().with_previous(DASHBOARD_MONTHS)


def refresh_month_ends(*, months: list[Month] | None = None, wait: bool = False) -> list[Month]:
    """Take the snapshots of `months` (default: the dashboard's closed months) that are missing,
    and again every stored snapshot that an invalidation reaches; return the months taken.

    Reads in one REPEATABLE READ snapshot of the database, then deletes only the invalidations it
    has read: one committed meanwhile stays and the next refresh takes its months again. A
    refresh already running elsewhere makes this one a no-op, unless `wait` (a report about to
    read its month): then it waits for that one and does what is left."""
    wanted = [m for m in (months or dashboard_months()) if m < Month.current()]
    outermost = not connection.in_atomic_block
    with transaction.atomic():
        if outermost:  # else the enclosing transaction (a test, a caller's block) has its isolation
            with connection.cursor() as cursor:
                cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ")
        with connection.cursor() as cursor:
            if wait:
                cursor.execute("SELECT pg_advisory_xact_lock(%s, %s)", [LOCK_NAMESPACE, LOCK_KEY])
            else:
                cursor.execute("SELECT pg_try_advisory_xact_lock(%s, %s)", [LOCK_NAMESPACE, LOCK_KEY])
                if not cursor.fetchone()[0]:
                    return []
        seen = list(MonthEndInvalidation.objects.values_list("pk", "from_month"))
        stored = set(MonthEndSnapshot.objects.values_list("month", flat=True))
        todo = {m for m in wanted if m.first_day not in stored}
        if seen:
            earliest = min(from_month for _, from_month in seen)
            todo |= {Month.of(day) for day in stored if day >= earliest}
        todo_list = sorted(todo)
        if todo_list:
            taken_at = timezone.now()
            per_month = registry_counts_per_month(todo_list, "priority_tier", "ald")
            for month in todo_list:
                counts = [[*key, n] for key, n in sorted(per_month[month].items(), key=str)]
                MonthEndSnapshot.objects.update_or_create(
                    month=month.first_day, defaults={"counts": counts, "taken_at": taken_at}
                )
        if seen:
            MonthEndInvalidation.objects.filter(pk__in=[pk for pk, _ in seen]).delete()
    return todo_list


def request_month_ends_refresh() -> bool:
    """Ask the worker for a refresh (once per five minutes at most); True if asked now."""
    if not cache.add(REQUEST_KEY, True, timeout=300):
        return False
    from reporting.tasks import refresh_month_ends as task

    def send():
        try:
            task.delay()
        except Exception:  # the broker is down: the page still shows, the next view or the beat asks again
            cache.delete(REQUEST_KEY)
            logger.warning("month-end snapshots: the worker could not be asked", exc_info=True)

    transaction.on_commit(send)
    return True
