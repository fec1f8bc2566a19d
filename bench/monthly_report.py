"""Monthly report at scale: 100,000 patients and 1,000,000 consultations.

    DATABASE_URL=postgres://... python bench/monthly_report.py [--patients 100000] [--consultations 1000000]

Inserts synthetic data with INSERT ... SELECT generate_series inside a transaction that is
rolled back at the end, then
1. builds last month's full report (every section, masking, XLSX + PDF + CSV) and prints
   the seconds (target < 30 s);
2. times the report's headline figures as the app computes them (ORM aggregates in
   reporting.selectors.headline) against one hand-written SQL query of the same figures,
   checks they agree, and prints the ratio (target <= 3x).

On a loaded machine wall-clock seconds drift; the script also prints CPU seconds: this
process's, plus the PostgreSQL backend's (read from /proc when the server runs on this
machine; CPU of parallel query workers is not included).
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "escorter.settings")

HEADLINE_SQL = """
WITH bounds AS (SELECT %(first_day)s::date AS first_day, %(last_day)s::date AS last_day,
                       %(start)s::timestamptz AS t0, %(end)s::timestamptz AS t1),
latest AS (
    SELECT DISTINCT ON (c.patient_id) c.patient_id, c.to_status
      FROM patients_patientstatuschange c, bounds b
     WHERE c.at < b.t1
     ORDER BY c.patient_id, c.at DESC, c.id DESC
),
registry AS (
    SELECT p.referral_date,
           COALESCE(l.to_status, CASE WHEN p.status_changed_at < b.t1 THEN p.status ELSE 'waiting' END) AS status_end
      FROM patients_patient p CROSS JOIN bounds b LEFT JOIN latest l ON l.patient_id = p.id
     WHERE p.referral_date <= b.last_day
)
SELECT
  (SELECT count(*) FROM registry),
  (SELECT count(*) FROM registry, bounds b WHERE referral_date >= b.first_day),
  (SELECT count(*) FROM registry WHERE status_end = 'waiting'),
  (SELECT count(*) FROM registry WHERE status_end = 'in_care'),
  (SELECT count(*) FROM registry WHERE status_end = 'gp_found'),
  (SELECT count(*) FROM patients_patient p, bounds b
    WHERE p.status = 'gp_found' AND p.gp_found_date BETWEEN b.first_day AND b.last_day),
  (SELECT count(*) FROM staffing_consultation c, bounds b
    WHERE c.status = 'done' AND c.start >= b.t0 AND c.start < b.t1),
  (SELECT round(coalesce(sum(extract(epoch FROM m."end" - m.start)) / 3600.0, 0)::numeric, 1)
     FROM staffing_permanence m, bounds b
    WHERE m.status = 'planned' AND m.start >= b.t0 AND m.start < b.t1 AND m."end" <= now())
"""
KEYS = [
    "referred_total",
    "referred_month",
    "waiting_end",
    "in_care_end",
    "gp_found_total",
    "gp_found_month",
    "consultations_done",
    "permanence_hours",
]


def cpu_seconds(backend_pid: int | None) -> tuple[float, float | None]:
    """CPU seconds used so far by this process and by the database backend serving it."""
    server = None
    if backend_pid is not None:
        try:
            fields = Path(f"/proc/{backend_pid}/stat").read_text().rsplit(")", 1)[1].split()
            server = (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
        except (OSError, IndexError, ValueError):
            server = None
    return time.process_time(), server


def cpu_text(before, after) -> str:
    client = after[0] - before[0]
    if before[1] is None or after[1] is None:
        return f"CPU {client:.2f} s client, database backend unknown"
    return f"CPU {client:.2f} s client + {after[1] - before[1]:.2f} s database backend"


def seed(cursor, *, patients: int, consultations: int, days: int, premises_id: int, commune_id: int) -> None:
    from stdnum import luhn

    professionals = []
    for i in range(24):
        profession = ("gp", "ipa", "nurse")[i % 3]
        body = f"1099{i:06d}"
        cursor.execute(
            """INSERT INTO staffing_professional (first_name, last_name, profession, rpps, practice, phone, email,
                   default_consultation_minutes, active)
               VALUES ('Bench', %s, %s, %s, '', '', '', 20, true) RETURNING id""",
            [f"Pro {i}", profession, body + luhn.calc_check_digit(body)],
        )
        professionals.append(cursor.fetchone()[0])
    n_pros = len(professionals)
    cursor.execute(
        """CREATE TEMP TABLE bench_pros ON COMMIT DROP AS
           SELECT ord - 1 AS k, id FROM unnest(%s::bigint[]) WITH ORDINALITY AS t(id, ord)""",
        [professionals],
    )
    # one 12-hour permanence per professional and day (08:00-20:00 Paris), 36 slots of 20 min
    cursor.execute(
        """INSERT INTO staffing_permanence (start, "end", status, cancel_reason, origin, kinds, created_at,
                   updated_at, premises_id, professional_id)
           SELECT (current_date - d + time '08:00') AT TIME ZONE 'Europe/Paris',
                  (current_date - d + time '20:00') AT TIME ZONE 'Europe/Paris',
                  'planned', '', 'manual', ARRAY['follow_up'], now(), now(), %s, p.id
             FROM generate_series(1, %s) AS d, bench_pros p""",
        [premises_id, days],
    )
    cursor.execute(
        """INSERT INTO patients_patient (last_name, birth_name, first_names, sex, birth_date, nir, address, phone,
                   phone_2, email, sms_consent, referral_date, referral_source, ald, ald_codes, disability,
                   pregnancy, lives_alone, notes, status, status_changed_at, new_gp_name, new_gp_rpps,
                   priority_score, priority_tier, priority_explanation, created_at, updated_at, commune_id,
                   gp_found_date)
           SELECT 'Bench', '', 'Patient ' || g, 'F', date '1950-01-01' + (g %% 20000), '', '', '', '', '', false,
                  current_date - (g %% %s), 'cpam', g %% 8 = 0, '{}', false, false, false, '',
                  CASE WHEN g %% 20 < 12 THEN 'waiting' WHEN g %% 20 < 14 THEN 'in_care'
                       WHEN g %% 20 < 19 THEN 'gp_found' ELSE 'moved' END,
                  now(), '', '', g %% 90, CASE WHEN g %% 3 = 0 THEN 'P1' WHEN g %% 3 = 1 THEN 'P2' ELSE 'P3' END,
                  '{}', now(), now(), %s,
                  CASE WHEN g %% 20 BETWEEN 14 AND 18 THEN current_date - (g %% %s) / 2 END
             FROM generate_series(1, %s) AS g""",
        [days, commune_id, days, patients],
    )
    cursor.execute(
        """INSERT INTO patients_patientstatuschange (from_status, to_status, at, note, patient_id)
           SELECT '', 'waiting', referral_date + time '09:00', '', id FROM patients_patient WHERE last_name = 'Bench'
           UNION ALL
           SELECT 'waiting', status, coalesce(gp_found_date, referral_date + 10) + time '14:00', '', id
             FROM patients_patient WHERE last_name = 'Bench' AND status <> 'waiting'"""
    )
    cursor.execute("SELECT min(id) FROM patients_patient WHERE last_name = 'Bench'")
    first_patient = cursor.fetchone()[0]
    # consultation i: professional i mod P, slot i div P (36 a day, going back in time); the
    # patient cycles so that neither a professional nor a patient is ever booked twice at once
    cursor.execute(
        """INSERT INTO staffing_consultation (start, "end", kind, status, created_at, explanation, cancel_reason,
                   orientation, gp_found, next_appointment_needed, outcome_note, patient_id, permanence_id,
                   professional_id)
           SELECT s.t, s.t + interval '20 minutes',
                  (ARRAY['first_visit','follow_up','prevention','snp'])[1 + i %% 4],
                  CASE WHEN i %% 100 < 85 THEN 'done' WHEN i %% 100 < 93 THEN 'no_show' ELSE 'cancelled' END,
                  now(), '', CASE WHEN i %% 100 >= 93 THEN 'Empêchement' ELSE '' END, '', false, false, '',
                  %s + (i::bigint * 7919) %% %s, m.id, p.id
             FROM generate_series(0, %s - 1) AS i
             JOIN bench_pros p ON p.k = i %% %s
             CROSS JOIN LATERAL (
                 SELECT (current_date - (1 + (i / %s) / 36) + time '08:00' + ((i / %s) %% 36) * interval '20 minutes')
                        AT TIME ZONE 'Europe/Paris' AS t) s
             JOIN staffing_permanence m ON m.professional_id = p.id
                                       AND m.start = (current_date - (1 + (i / %s) / 36) + time '08:00')
                                                     AT TIME ZONE 'Europe/Paris'""",
        [first_patient, patients, consultations, n_pros, n_pros, n_pros, n_pros],
    )
    for table in ("patients_patient", "patients_patientstatuschange", "staffing_consultation", "staffing_permanence"):
        cursor.execute(f"ANALYZE {table}")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--patients", type=int, default=100_000)
    parser.add_argument("--consultations", type=int, default=1_000_000)
    args = parser.parse_args()

    import django

    django.setup()
    from django.conf import settings
    from django.db import connection, transaction

    from reporting.models import Funder
    from reporting.periods import Month
    from reporting.selectors.headline import headline
    from reporting.services import reports
    from sites.models import Commune, Premises

    settings.MEDIA_ROOT = Path(tempfile.mkdtemp(prefix="escorter-bench-"))
    month = Month.last()
    days = args.consultations // (24 * 36) + 2

    class Rollback(Exception):
        pass

    try:
        with transaction.atomic():
            commune = Commune.objects.filter(in_territory=True).first() or Commune.objects.create(
                insee_code="85047", name="Challans", epci_name="CC Challans-Gois", in_territory=True
            )
            premises = Premises.objects.first() or Premises.objects.create(
                name="Local de test", address="1 rue", commune=commune, available_from="2020-01-01"
            )
            funder = Funder.objects.create(name="Bench CPAM", kind=Funder.Kind.CPAM)
            t = time.perf_counter()
            with connection.cursor() as cursor:
                seed(
                    cursor,
                    patients=args.patients,
                    consultations=args.consultations,
                    days=days,
                    premises_id=premises.pk,
                    commune_id=commune.pk,
                )
                cursor.execute("SELECT count(*) FROM staffing_consultation")
                n_consultations = cursor.fetchone()[0]
                cursor.execute("SELECT count(*) FROM patients_patient")
                n_patients = cursor.fetchone()[0]
            print(f"data: {n_patients:,} patients, {n_consultations:,} consultations ({time.perf_counter() - t:.0f} s)")
            print(f"month: {month.key}")

            from reporting.secrecy import protect_section
            from reporting.selectors.base import Scope
            from reporting.selectors.sections import SECTIONS

            for function in SECTIONS:
                t0 = time.perf_counter()
                section = function(month, Scope(audience=funder))
                t1 = time.perf_counter()
                protect_section(section)
                t2 = time.perf_counter()
                print(f"  section {function.__name__:<24} queries {t1 - t0:6.2f} s, masking {t2 - t1:6.2f} s")
            with connection.cursor() as cursor:
                cursor.execute("SELECT pg_backend_pid()")
                backend_pid = cursor.fetchone()[0]
            cpu0 = cpu_seconds(backend_pid)
            t = time.perf_counter()
            report = reports.request_monthly_report(audience=funder, month=month)
            marks = []
            outcome = reports.build_report(
                report_id=report.pk, progress=lambda pct, msg: marks.append((time.perf_counter() - t, msg))
            )
            build_seconds = time.perf_counter() - t
            build_cpu = cpu_text(cpu0, cpu_seconds(backend_pid))
            if os.environ.get("BENCH_STEPS"):
                for at, msg in marks:
                    print(f"    {at:6.2f} s  {msg}")
            assert outcome.report.is_published
            print(
                f"full report ({len(SECTIONS)} sections, masking, XLSX+PDF+CSV): {build_seconds:.1f} s  (target < 30 s)"
            )
            print(f"  {build_cpu}")

            def best(fn, runs=3):
                timings, cpus = [], []
                for _ in range(runs):
                    c0 = cpu_seconds(backend_pid)
                    t0 = time.perf_counter()
                    value = fn()
                    timings.append(time.perf_counter() - t0)
                    cpus.append(cpu_text(c0, cpu_seconds(backend_pid)))
                fastest = timings.index(min(timings))
                return timings[fastest], value, cpus[fastest]

            orm_seconds, figures, orm_cpu = best(lambda: headline(month))

            def sql():
                with connection.cursor() as cursor:
                    cursor.execute(
                        HEADLINE_SQL,
                        {
                            "first_day": month.first_day,
                            "last_day": month.last_day,
                            "start": month.start,
                            "end": month.end,
                        },
                    )
                    return dict(zip(KEYS, cursor.fetchone(), strict=True))

            sql_seconds, by_hand, sql_cpu = best(sql)
            mismatches = {k: (figures[k], by_hand[k]) for k in KEYS if float(figures[k] or 0) != float(by_hand[k])}
            print(f"headline figures, app (ORM aggregates): {orm_seconds * 1000:.0f} ms  ({orm_cpu})")
            print(f"headline figures, hand-written SQL:     {sql_seconds * 1000:.0f} ms  ({sql_cpu})")
            print(f"ratio app / SQL: {orm_seconds / sql_seconds:.2f}x  (target <= 3x)")
            print("figures agree" if not mismatches else f"MISMATCH: {mismatches}")
            print({k: figures[k] for k in KEYS})
            raise Rollback
    except Rollback:
        print("(rolled back)")


if __name__ == "__main__":
    main()
