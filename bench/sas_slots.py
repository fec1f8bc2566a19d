"""SAS Slot search: how long GET /fhir/Slot takes, over 2 and 31 days, as SNP permanences pile up.

    DATABASE_URL=postgres://... python bench/sas_slots.py [--extra 300]

Runs on the current database (e.g. after `seed_demo`), then again after adding `extra`
one-hour SNP permanences over the next 31 days, inside a transaction that is rolled back.
Prints median time of 5 calls and the number of queries per call, side by side: the
number of queries must not depend on the number of permanences, nor on the registry.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import statistics
import sys
import time
from pathlib import Path
from urllib.parse import quote

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "escorter.settings")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--extra", type=int, default=300)
    args = parser.parse_args()

    import django

    django.setup()
    from django.conf import settings
    from django.db import connection, transaction
    from django.test import Client
    from django.test.utils import CaptureQueriesContext
    from django.utils import timezone

    from interop.services import create_api_client
    from sites.models import Premises
    from staffing.models import ConsultationKind, Permanence, Profession, Professional

    settings.ALLOWED_HOSTS = ["*"]
    client = Client()
    now = timezone.now()

    def measure(days: int, token: str) -> tuple[float, int, int]:
        url = (
            f"/fhir/Slot?start=ge{quote(now.isoformat())}&start=le{quote((now + dt.timedelta(days=days)).isoformat())}"
            "&status=free&_include=Slot:schedule&_include:iterate=Schedule:actor&_include=Slot:service-type-reference"
        )
        times = []
        for _ in range(5):
            with CaptureQueriesContext(connection) as queries:
                t0 = time.perf_counter()
                response = client.get(url, HTTP_AUTHORIZATION=f"Bearer {token}")
                times.append(time.perf_counter() - t0)
            assert response.status_code == 200, response.content[:300]
        return statistics.median(times) * 1000, len(queries), response.json()["total"]

    class Rollback(Exception):
        pass

    rows = []
    try:
        with transaction.atomic():
            _, token = create_api_client(name=f"bench-{time.time_ns()}", rate_per_minute=100_000)
            snp = Permanence.objects.active().filter(kinds__contains=[ConsultationKind.SNP], end__gt=now).count()
            for days in (2, 31):
                rows.append((f"{snp} SNP permanences", days, *measure(days, token)))
            gps = list(Professional.objects.filter(profession=Profession.GP, active=True)[:20])
            premises = list(Premises.objects.all()[:10])
            made = 0
            day = timezone.localdate(now) + dt.timedelta(days=1)
            while made < args.extra and gps and premises:
                for hour in range(8, 20):
                    for gp in gps:
                        start = timezone.make_aware(dt.datetime.combine(day, dt.time(hour)))
                        if made >= args.extra:
                            break
                        if Permanence.objects.filter(
                            professional=gp, start__lt=start + dt.timedelta(hours=1), end__gt=start, status="planned"
                        ).exists():
                            continue
                        Permanence.objects.create(
                            professional=gp,
                            premises=premises[made % len(premises)],
                            start=start,
                            end=start + dt.timedelta(hours=1),
                            kinds=[ConsultationKind.SNP],
                        )
                        made += 1
                day += dt.timedelta(days=1)
                if day > timezone.localdate(now) + dt.timedelta(days=30):
                    break
            for days in (2, 31):
                rows.append((f"{snp + made} SNP permanences", days, *measure(days, token)))
            raise Rollback
    except Rollback:
        pass
    print(f"{'data':<24} {'period':>7} {'median ms':>10} {'queries':>8} {'slots':>6}")
    for label, days, ms, queries, total in rows:
        print(f"{label:<24} {days:>5} d {ms:>10.1f} {queries:>8} {total:>6}")


if __name__ == "__main__":
    main()
