"""Benchmark: refilling one freed slot vs a full scheduler run, and a disruption's preview, on the
current database (e.g. the demo). Everything runs in transactions that are rolled back.

    DATABASE_URL=... .venv/bin/python bench/refill.py [--repeat 3]

Prints seconds and SQL queries per operation, side by side, measured in this run.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

import django

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "escorter.settings")
django.setup()

from django.db import connection, transaction  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402
from django.utils import timezone  # noqa: E402

from patients.models import Patient  # noqa: E402
from staffing.models import Consultation, Permanence  # noqa: E402
from staffing.services import disruptions  # noqa: E402
from staffing.services.scheduler.run import refill_freed_time, schedule_consultations  # noqa: E402


class Rollback(Exception):
    pass


def measure(label: str, action, repeat: int) -> None:
    seconds, queries, result = [], 0, None
    for _ in range(repeat):
        try:
            with transaction.atomic(), CaptureQueriesContext(connection) as captured:
                started = time.perf_counter()
                result = action()
                seconds.append(time.perf_counter() - started)
                queries = len(captured.captured_queries)
                raise Rollback
        except Rollback:
            pass
    print(f"{label:<48} {statistics.median(seconds):8.3f} s  {queries:6d} queries  {result}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    now = timezone.now()
    booked = (
        Consultation.objects.filter(
            status=Consultation.Status.BOOKED, start__gt=now, permanence__status=Permanence.Status.PLANNED
        )
        .order_by("start")
        .first()
    )
    if booked is None:
        sys.exit("No upcoming booking: run seed_demo first.")
    busiest = (
        Permanence.objects.active()
        .filter(start__gt=now, consultations__status__in=Consultation.UPCOMING_STATUSES)
        .order_by("start")
        .first()
    )
    print(f"{Patient.objects.count()} patients, {Permanence.objects.count()} permanences")

    def refill():
        Consultation.objects.filter(pk=booked.pk).update(status="cancelled", cancel_reason="bench")
        return refill_freed_time(permanence_ids=[booked.permanence_id], now=now).summary

    def full_run():
        Consultation.objects.filter(pk=booked.pk).update(status="cancelled", cancel_reason="bench")
        return schedule_consultations(now=now).summary

    measure("refill of one freed slot (its permanence)", refill, args.repeat)
    measure("full scheduler run (what 03:00 would do)", full_run, args.repeat)
    measure(
        "preview of cancelling a booked permanence",
        lambda: disruptions.preview(disruptions.for_permanence(busiest, "bench"), now=now).summary,
        args.repeat,
    )
    measure(
        "cancel it: moves + call-backs + SMS rows",
        lambda: disruptions.carry_out(disruptions.for_permanence(busiest, "bench"), user=None, now=now).summary,
        args.repeat,
    )


if __name__ == "__main__":
    main()
