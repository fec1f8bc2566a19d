"""Benchmark of the rota: generating permanences, re-running it (idempotent), and the calendar reads.

    DATABASE_URL=postgres://... .venv/bin/python bench/rota.py [--premises 20] [--weeks 12]

Builds a synthetic territory inside a transaction that is rolled back at the end: N premises
with 3 rooms each, 8 half-day rules per premises (GPs, an IPA day, SNP afternoons), then
prints seconds and query counts for: first generation, second (idempotent) generation,
a rule change regenerating its future permanences, the territory month, one premises week,
the coverage table and one iCal feed.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "escorter.settings")

import django  # noqa: E402

django.setup()

from django.db import connection, transaction  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402
from django.utils import timezone  # noqa: E402
from stdnum import luhn  # noqa: E402

from sites.models import Commune, Premises, Room  # noqa: E402
from staffing.models import Permanence, Profession, Professional, RotaRule  # noqa: E402
from staffing.selectors import calendars  # noqa: E402
from staffing.selectors import rota as rota_selectors  # noqa: E402
from staffing.services import rota  # noqa: E402


class Rollback(Exception):
    pass


def measure(label: str, func):
    with CaptureQueriesContext(connection) as queries:
        started = time.perf_counter()
        result = func()
        elapsed = time.perf_counter() - started
    print(f"{label:<48} {elapsed * 1000:9.1f} ms {len(queries):6d} queries")
    return result


def build(premises_count: int) -> list[RotaRule]:
    commune, _ = Commune.objects.get_or_create(
        insee_code="99999", defaults={"name": "Banc d'essai", "latitude": 46.9, "longitude": -2.0}
    )
    rules = []
    slots = [(0, 8, 12), (0, 14, 18), (1, 8, 12), (2, 8, 12), (2, 14, 18), (3, 9, 17), (4, 8, 12), (4, 14, 18)]
    n = 0
    for p in range(premises_count):
        premises = Premises.objects.create(
            name=f"Banc {p}", address="x", commune=commune, status="open", available_from=dt.date(2024, 1, 1)
        )
        rooms = [Room.objects.create(premises=premises, name=f"Salle {r}") for r in range(3)]
        for i, (weekday, start, end) in enumerate(slots):
            n += 1
            base = f"19{n:08d}"
            professional = Professional.objects.create(
                first_name="Bench",
                last_name=f"P{n}",
                profession=Profession.IPA if start == 9 else Profession.GP,
                rpps=base + luhn.calc_check_digit(base),
            )
            rules.append(
                RotaRule.objects.create(
                    professional=professional,
                    premises=premises,
                    room=rooms[i % 3],
                    weekday=weekday,
                    start_time=dt.time(start),
                    end_time=dt.time(end),
                    valid_from=dt.date(2024, 1, 1),
                    kinds=["follow_up", "snp"] if start == 14 else ["first_visit", "follow_up"],
                )
            )
    return rules


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--premises", type=int, default=20)
    parser.add_argument("--weeks", type=int, default=12)
    args = parser.parse_args()
    try:
        with transaction.atomic():
            rules = build(args.premises)
            ids = [r.pk for r in rules]
            print(f"instance: {args.premises} premises, {len(rules)} rules, {args.weeks} weeks")
            report = measure("first generation", lambda: rota.generate_permanences(weeks=args.weeks, rule_ids=ids))
            print(f"  {report.summary}")
            report = measure(
                "second generation (idempotent)", lambda: rota.generate_permanences(weeks=args.weeks, rule_ids=ids)
            )
            print(f"  {report.summary}")
            rule = rules[0]
            rule.start_time = dt.time(8, 30)
            rule.save()
            report = measure(
                "one rule changed", lambda: rota.generate_permanences(weeks=args.weeks, rule_ids=[rule.pk])
            )
            print(f"  {report.summary}")
            today = timezone.localdate()
            month = measure("territory month", lambda: calendars.territory_month(today.replace(day=1)))
            print(f"  {len(month.rows)} premises rows, {month.gaps} gaps")
            premises = rule.premises
            measure("one premises week", lambda: calendars.premises_week(premises, calendars.monday_of(today)))
            measure("coverage (4 weeks)", lambda: rota_selectors.coverage(weeks=4))
            body = measure("iCal feed of one premises", lambda: rota_selectors.ical_document(premises=premises))
            print(f"  {len(body)} bytes, {body.count(b'BEGIN:VEVENT')} events")
            print(f"total permanences in the instance: {Permanence.objects.filter(rule_id__in=ids).count()}")
            raise Rollback
    except Rollback:
        print("(rolled back: nothing kept)")


if __name__ == "__main__":
    main()
