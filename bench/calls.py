"""Unscheduled-care line: how long the dashboard and the monthly figures take as calls pile up.

    DATABASE_URL=postgres://... python bench/calls.py [--years 5]

Inserts `years` of synthetic calls (5,800 a year, staffing.demo_calls' generator) inside a
transaction that is rolled back, then times the aggregate reads the dashboard and the
monthly report make. Target: the 12-month dashboard under 300 ms with 5 years of calls,
and a number of queries that does not depend on the number of calls.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import random
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "escorter.settings")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--years", type=float, default=5)
    args = parser.parse_args()

    import django

    django.setup()
    from django.db import connection, transaction
    from django.test.utils import CaptureQueriesContext
    from django.utils import timezone

    from patients.models import Call
    from patients.selectors.calls import day_bounds, line_figures
    from reporting.periods import Month
    from reporting.selectors.activity import calls_section
    from reporting.selectors.base import Scope
    from sites.models import Commune
    from staffing.demo_calls import generate_calls
    from staffing.selectors.calls import call_booking_figures

    communes = list(Commune.objects.filter(in_territory=True).values_list("pk", "population")) or [(None, 80_000)]
    today = timezone.localdate()
    first_day = today - dt.timedelta(days=int(365 * args.years))

    class Rollback(Exception):
        pass

    try:
        with transaction.atomic():
            t0 = time.perf_counter()
            generated = generate_calls(
                rng=random.Random(1),
                first_day=first_day,
                last_day=today,
                communes=[(pk, pop) for pk, pop in communes if pk is not None] or [],
                population=80_000,
                until=timezone.now(),
            )
            Call.objects.bulk_create(
                (
                    Call(
                        received_at=c.received_at,
                        caller_kind=c.caller_kind,
                        category=c.category,
                        outcome=c.outcome,
                        closed_at=c.received_at if c.outcome else None,
                        duration_seconds=c.duration_seconds,
                        commune_id=c.commune_id,
                    )
                    for c in generated
                ),
                batch_size=5000,
            )
            with connection.cursor() as cursor:
                cursor.execute("ANALYZE patients_call")
            print(f"{len(generated):,} calls over {args.years:g} years inserted in {time.perf_counter() - t0:.1f} s")

            for days in (30, 365):
                start, end = day_bounds(today - dt.timedelta(days=days - 1), today)
                best, queries = float("inf"), 0
                for _ in range(5):
                    with CaptureQueriesContext(connection) as ctx:
                        t = time.perf_counter()
                        line_figures(start=start, end=end)
                        call_booking_figures(start=start, end=end)
                        best = min(best, time.perf_counter() - t)
                    queries = len(ctx)
                print(f"dashboard, last {days} days: {best * 1000:.0f} ms, {queries} queries")
            month_end = today.replace(day=1) - dt.timedelta(days=1)
            t = time.perf_counter()
            calls_section(Month.of(month_end), Scope())
            print(f"monthly report's calls section {month_end:%m/%Y}: {(time.perf_counter() - t) * 1000:.0f} ms")
            raise Rollback
    except Rollback:
        print("rolled back")


if __name__ == "__main__":
    main()
