"""Benchmark of the waiting list at regional scale: every search and filter at demo size and at N patients.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/escorter .venv/bin/python bench/search.py \
        [--patients 1000000] [--demo 2000] [--repeat 30] [--before DIR]

For each size it creates a throwaway database (`<db>_bench_<label>_<size>`), migrates it,
builds the registry server-side (INSERT ... SELECT over generate_series, secondary indexes
dropped during the load and rebuilt after, as a bulk import would), ANALYZEs, then times
each request kind at the view (Django test client, logged in as a secretary) and prints
p50/p95 per kind for demo size and N side by side with the ratio of the p95s, the query
count per request, the CPU time of the web process (p50, in ms: the request's own cost,
whatever else loads the machine), and the EXPLAIN ANALYZE of the slowest query of the slowest kind.

`--before DIR` measures a second checkout (e.g. `git archive <commit> | tar -x -C DIR`)
at size N in the same run and prints the before/after table. The databases are dropped
at the end unless `--keep`.
"""

from __future__ import annotations

import argparse
import html
import json
import os
import re
import statistics
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

HERE = Path(__file__).resolve().parent.parent
MARK = "BENCH-RESULT "

# Every kind is a GET of the waiting list; "page n" follows the "Suivante" link n-1 times.
NEXT_PAGES = 20
KINDS = [
    ("liste", {}),
    (f"page {NEXT_PAGES + 1}", None),
    ("nom courant", {"q": "martin"}),
    ("nom rare", {"q": "hérault"}),
    ("nom sans accents", {"q": "herault elodie"}),
    ("nom partiel", {"q": "héra"}),
    ("date de naissance", {"q": "02/03/1950"}),
    ("téléphone", {"q": "06 12 34 56 78"}),
    ("téléphone partiel", {"q": "12 34 56"}),
    ("2e téléphone", {"q": "+33 7 98 76 54 32"}),
    ("niveau P1", {"tier": "P1"}),
    ("ALD", {"ald": "true"}),
    ("commune", {"commune": "<small-commune>"}),
    ("EPCI", {"epci": "<small-epci>"}),
    ("âge < 6 ans", {"age": "0-5"}),
    ("âge ≥ 80 ans", {"age": "80-"}),
    ("origine pharmacie", {"referral_source": "pharmacy"}),
    ("statut MT trouvé", {"status": "gp_found"}),
    ("statut suivis", {"status": "active"}),
    ("EPCI + P2 + ALD", {"epci": "<big-epci>", "tier": "P2", "ald": "true"}),
]

LAST_NAMES = [
    "Martin", "Bernard", "Thomas", "Petit", "Robert", "Richard", "Durand", "Dubois", "Moreau", "Laurent",
    "Simon", "Michel", "Lefèvre", "Leroy", "Roux", "David", "Bertrand", "Morel", "Fournier", "Girard",
    "Bonnet", "Dupont", "Lambert", "Fontaine", "Rousseau", "Vincent", "Müller", "Lefebvre", "Faure", "André",
    "Mercier", "Blanc", "Guérin", "Boyer", "Garnier", "Chevalier", "François", "Legrand", "Gauthier", "Garcia",
    "Perrin", "Robin", "Clément", "Morin", "Nicolas", "Henry", "Roussel", "Mathieu", "Gautier", "Masson",
    "Marchand", "Duval", "Denis", "Dumont", "Marie", "Lemaire", "Noël", "Meyer", "Dufour", "Meunier",
    "Brun", "Blanchard", "Giraud", "Joly", "Rivière", "Lucas", "Brunet", "Gaillard", "Barbier", "Arnaud",
    "Martínez", "Gérard", "Roche", "Renard", "Schmitt", "Roy", "Leroux", "Colin", "Vidal", "Caron",
]  # fmt: skip
SYLLABLES = [
    "ba", "bé", "cha", "do", "fa", "gui", "jo", "ker", "la", "lè", "ma", "mo", "né", "no", "pa",
    "pi", "ra", "ri", "ro", "sa", "ta", "tu", "va", "vi", "zo", "gré", "bou", "çon", "dan", "lin",
]  # fmt: skip
FIRST_NAMES = [
    "Marie", "Jean", "Pierre", "Michel", "André", "Philippe", "Nathalie", "Isabelle", "Sylvie", "Catherine",
    "Françoise", "Monique", "Jacques", "Bernard", "Christiane", "Hélène", "Loïc", "Anaïs", "Gaëlle", "Jérôme",
    "Chloé", "Léa", "Théo", "Noémie", "Zoé", "Maël", "Inès", "Raphaël", "Cécile", "Benoît",
]  # fmt: skip


def _sql_array(values) -> str:
    return "ARRAY[" + ",".join("'" + v.replace("'", "''") + "'" for v in values) + "]"


# --- worker: one database, one code checkout ---------------------------------------------


def _setup_django(code: Path) -> None:
    sys.path.insert(0, str(code))
    os.chdir(code)
    os.environ["DJANGO_SETTINGS_MODULE"] = "escorter.settings"
    import django

    django.setup()


def _fill_defaults(cursor, table: str, given: set[str]) -> list[tuple[str, str]]:
    """NOT NULL columns without a database default that the bench does not know (columns added later)."""
    cursor.execute(
        """SELECT column_name, data_type FROM information_schema.columns
           WHERE table_name = %s AND is_nullable = 'NO' AND column_default IS NULL
             AND is_generated = 'NEVER' AND identity_generation IS NULL""",
        [table],
    )
    zero = {"boolean": "false", "integer": "0", "smallint": "0", "bigint": "0", "jsonb": "'{}'::jsonb", "ARRAY": "'{}'"}
    return [(name, zero.get(kind, "''")) for name, kind in cursor.fetchall() if name not in given]


def build_registry(patients: int) -> dict:
    """The territory (the communes of the reference file: Vendée), a secretary and `patients` rows.

    Returns the ids and codes the request kinds use."""
    from django.contrib.auth.models import Group, User
    from django.db import connection

    started = time.perf_counter()
    try:  # older checkouts load the Vendée reference file by hand; newer ones load France in migrate
        from sites.services import load_communes

        load_communes()
    except ImportError:
        pass
    with connection.cursor() as cursor:
        cursor.execute("UPDATE sites_commune SET in_territory = (insee_code LIKE '85%%')")
        cursor.execute("SELECT array_agg(id ORDER BY id) FROM sites_commune WHERE in_territory")
        communes = cursor.fetchone()[0]
        if not communes:
            raise SystemExit("no commune in the reference data")
        # secondary indexes off during the load (a bulk import's practice), rebuilt after
        cursor.execute(
            """SELECT i.indexname, i.indexdef FROM pg_indexes i
               WHERE i.tablename = 'patients_patient' AND NOT EXISTS (
                 SELECT 1 FROM pg_constraint c WHERE c.conname = i.indexname)"""
        )
        indexes = cursor.fetchall()
        for name, _ in indexes:
            cursor.execute(f'DROP INDEX "{name}"')
        given = {
            "last_name", "birth_name", "first_names", "sex", "birth_date", "nir", "address", "commune_id", "phone",
            "phone_2", "email", "sms_consent", "referral_date", "referral_source", "ald", "ald_codes", "disability",
            "pregnancy", "lives_alone", "notes", "status", "status_changed_at", "new_gp_name", "new_gp_rpps",
            "gp_found_date", "priority_score", "priority_tier", "priority_explanation", "created_at", "updated_at",
        }  # fmt: skip
        extra = _fill_defaults(cursor, "patients_patient", given)
        extra_columns = "".join(f", {name}" for name, _ in extra)
        extra_values = "".join(f", {value}" for _, value in extra)
        last, syl, first = _sql_array(LAST_NAMES), _sql_array(SYLLABLES), _sql_array(FIRST_NAMES)
        cursor.execute(
            f"""
            WITH g AS (
              SELECT i, random() AS r_status, random() AS r_ald, random() AS r_dis, random() AS r_src,
                     random() AS r_phone2, random() AS r_fmt,
                     DATE '1925-01-01' + (random() * 36500)::int AS born,
                     DATE '2023-01-01' + (random() * 1000)::int AS referred,
                     ({_sql_array([str(c) for c in communes])}::int[])[1 + floor(random() * {len(communes)})::int]
                       AS commune,
                     CASE WHEN random() < 0.5 THEN ({last})[1 + floor(random() * {len(LAST_NAMES)})::int]
                          ELSE initcap(({syl})[1 + floor(random() * 30)::int] || ({syl})[1 + floor(random() * 30)::int]
                                       || ({syl})[1 + floor(random() * 30)::int]) END AS last_name,
                     ({first})[1 + floor(random() * {len(FIRST_NAMES)})::int] AS first_name,
                     lpad((floor(random() * 100000000))::bigint::text, 8, '0') AS digits,
                     lpad((floor(random() * 100000000))::bigint::text, 8, '0') AS digits_2
              FROM generate_series(1, {patients}) AS i
            ), s AS (
              SELECT g.*, (CASE WHEN r_ald < 0.15 THEN 40 ELSE 0 END)
                          + (CASE WHEN born < DATE '1946-01-01' THEN 30
                                  WHEN born < DATE '1956-01-01' THEN 20 ELSE 0 END)
                          + (CASE WHEN r_dis < 0.05 THEN 30 ELSE 0 END)
                          + (CASE WHEN born > DATE '2020-01-01' THEN 25 ELSE 0 END) AS score
              FROM g
            )
            INSERT INTO patients_patient (
              last_name, birth_name, first_names, sex, birth_date, nir, address, commune_id, phone, phone_2, email,
              sms_consent, referral_date, referral_source, ald, ald_codes, disability, pregnancy, lives_alone, notes,
              status, status_changed_at, new_gp_name, new_gp_rpps, gp_found_date, priority_score, priority_tier,
              priority_explanation, created_at, updated_at{extra_columns})
            SELECT last_name, '', first_name, CASE WHEN i % 2 = 0 THEN 'F' ELSE 'M' END, born, '', '', commune,
                   CASE WHEN r_fmt < 0.6 THEN '0' || (6 + i % 2) || digits
                        WHEN r_fmt < 0.9 THEN regexp_replace('0' || (6 + i % 2) || digits, '(..)', '\\1 ', 'g')
                        ELSE '+33 ' || (6 + i % 2) || ' ' || digits END,
                   CASE WHEN r_phone2 < 0.3 THEN '02' || digits_2 ELSE '' END, '', false,
                   referred, (ARRAY['cpam','cpam','cpam','hospital','pharmacy','town_hall','self','other'])
                     [1 + floor(r_src * 8)::int],
                   r_ald < 0.15, '{{}}', r_dis < 0.05, false, false, '',
                   CASE WHEN r_status < 0.78 THEN 'waiting' WHEN r_status < 0.88 THEN 'in_care'
                        WHEN r_status < 0.95 THEN 'gp_found' ELSE 'moved' END,
                   now(), '', '', CASE WHEN r_status >= 0.88 AND r_status < 0.95 THEN referred + 90 END,
                   score, CASE WHEN score >= 50 THEN 'P1' WHEN score >= 25 THEN 'P2' ELSE 'P3' END,
                   '{{}}'::jsonb, now(), now(){extra_values}
            FROM s
            """
        )
        # the needles the name, date and phone kinds look for
        cursor.execute(
            f"""INSERT INTO patients_patient (
                  last_name, birth_name, first_names, sex, birth_date, nir, address, commune_id, phone, phone_2,
                  email, sms_consent, referral_date, referral_source, ald, ald_codes, disability, pregnancy,
                  lives_alone, notes, status, status_changed_at, new_gp_name, new_gp_rpps, priority_score,
                  priority_tier, priority_explanation, created_at, updated_at{extra_columns})
                VALUES ('Hérault', '', 'Élodie', 'F', DATE '1950-03-02', '', '', %s, '06 12 34 56 78',
                        '07 98 76 54 32', '', false, DATE '2024-05-01', 'cpam', true, '{{}}', false, false, false, '',
                        'waiting', now(), '', '', 60, 'P1', '{{}}'::jsonb, now(), now(){extra_values})""",
            [communes[0]],
        )
        for _, definition in indexes:
            cursor.execute(definition)
        cursor.execute("ANALYZE")
        # a small commune and a small EPCI of the territory (the selective filters), and the biggest EPCI
        cursor.execute(
            """SELECT c.id FROM sites_commune c JOIN patients_patient p ON p.commune_id = c.id
               GROUP BY c.id ORDER BY count(*), c.id LIMIT 1"""
        )
        small_commune = cursor.fetchone()[0]
        cursor.execute(
            """SELECT c.epci_code FROM sites_commune c WHERE c.in_territory AND c.epci_code <> ''
               GROUP BY c.epci_code ORDER BY count(*), c.epci_code"""
        )
        epcis = [row[0] for row in cursor.fetchall()]
    user = User.objects.create_user("bench-secretaire", password="x")
    user.groups.add(Group.objects.get(name="secretary"))
    return {
        "<small-commune>": str(small_commune),
        "<small-epci>": epcis[0],
        "<big-epci>": epcis[-1],
        "seconds": round(time.perf_counter() - started, 1),
        "user": user.pk,
    }


def _next_link(body: str) -> str | None:
    match = re.search(r'href="([^"]*)"[^>]*>\s*Suivante', body)
    return html.unescape(match.group(1)) if match else None


def measure_kinds(ids: dict, repeat: int) -> dict:
    from django.contrib.auth.models import User
    from django.db import connection, reset_queries
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    client = Client()
    client.force_login(User.objects.get(pk=ids["user"]))
    results = {}
    for kind, params in KINDS:
        if params is None:  # page n: follow the next-page links from the first page
            url = "/patients/"
            for _ in range(NEXT_PAGES):
                link = _next_link(client.get(url).content.decode())
                if link is None:
                    break
                url = "/patients/" + link if link.startswith("?") else link
            request = (url, {})
        else:
            request = ("/patients/", {key: ids.get(value, value) for key, value in params.items()})
        for _ in range(2):  # warm up (plans, caches)
            response = client.get(*request)
            assert response.status_code == 200, (kind, response.status_code)
        timings, cpu = [], []
        for _ in range(repeat):
            started, started_cpu = time.perf_counter(), time.process_time()
            response = client.get(*request)
            timings.append((time.perf_counter() - started) * 1000)
            cpu.append((time.process_time() - started_cpu) * 1000)
            assert response.status_code == 200, (kind, response.status_code)
        with CaptureQueriesContext(connection) as queries:
            client.get(*request)
        captured = list(queries.captured_queries)
        slowest = max(captured, key=lambda q: float(q["time"]))
        reset_queries()
        timings.sort()
        results[kind] = {
            "p50": statistics.median(timings),
            "p95": timings[min(len(timings) - 1, round(0.95 * (len(timings) - 1)))],
            "cpu_p50": statistics.median(cpu),
            "queries": len(captured),
            "slowest_sql": slowest["sql"],
            "slowest_ms": float(slowest["time"]) * 1000,
        }
    worst = max(results, key=lambda k: results[k]["p95"])
    with connection.cursor() as cursor:
        cursor.execute("EXPLAIN (ANALYZE, BUFFERS) " + results[worst]["slowest_sql"])
        plan = "\n".join(row[0] for row in cursor.fetchall())
    return {"kinds": results, "worst": worst, "plan": plan}


def worker(args) -> None:
    _setup_django(Path(args.code))
    from django.core.management import call_command

    call_command("migrate", verbosity=0, interactive=False)
    call_command("collectstatic", verbosity=0, interactive=False)  # production settings: hashed manifest
    ids = build_registry(args.patients)
    result = measure_kinds(ids, args.repeat)
    result["build_seconds"] = ids["seconds"]
    print(MARK + json.dumps(result))


# --- driver --------------------------------------------------------------------------------


def _database_url(base: str, name: str) -> str:
    parts = urlsplit(base)
    return urlunsplit(parts._replace(path="/" + name))


def _psql(base: str, sql: str) -> None:
    url = _database_url(base, "postgres")
    subprocess.run(["psql", url, "-q", "-c", sql], check=True, stdout=subprocess.DEVNULL)


def run_one(args, code: Path, label: str, patients: int) -> dict:
    base = os.environ["DATABASE_URL"]
    name = f"{urlsplit(base).path.lstrip('/')}_bench_{label}_{patients}"
    _psql(base, f'DROP DATABASE IF EXISTS "{name}"')
    _psql(base, f'CREATE DATABASE "{name}"')
    env = {
        **os.environ,
        "DATABASE_URL": _database_url(base, name),
        "DEBUG": "False",
        "SECRET_KEY": "bench-" + "x" * 60,
        "SECURE_SSL_REDIRECT": "False",
        "LOG_LEVEL": "WARNING",
        "CELERY_TASK_ALWAYS_EAGER": "true",
    }
    command = [sys.executable, str(Path(__file__).resolve()), "--worker", "--code", str(code)]
    command += ["--patients", str(patients), "--repeat", str(args.repeat)]
    print(f"… {label}: {patients:,} patients ({code})".replace(",", " "), flush=True)
    try:
        output = subprocess.run(command, env=env, check=True, capture_output=True, text=True).stdout
    except subprocess.CalledProcessError as exc:
        sys.stderr.write(exc.stdout + exc.stderr)
        raise
    finally:
        if not args.keep:
            _psql(base, f'DROP DATABASE IF EXISTS "{name}"')
    line = next(line for line in output.splitlines() if line.startswith(MARK))
    result = json.loads(line[len(MARK) :])
    print(f"  registry built in {result['build_seconds']} s", flush=True)
    # each size's figures as soon as they are measured (a long run cut short keeps them)
    for kind, _ in KINDS:
        row = result["kinds"][kind]
        print(f"  {kind:<22} p50 {row['p50']:8.1f} ms  p95 {row['p95']:8.1f} ms  {row['queries']} queries", flush=True)
    return result


def print_table(title: str, left: tuple[str, dict], right: tuple[str, dict], ratio_label: str) -> None:
    (left_name, a), (right_name, b) = left, right
    print(f"\n{title}")
    header = (
        f"{'kind':<22} {left_name + ' p50/p95 ms':>24} {right_name + ' p50/p95 ms':>26} {ratio_label:>8} "
        f"{'web CPU p50':>13} {'queries':>9}"
    )
    print(header)
    print("-" * len(header))
    for kind, _ in KINDS:
        x, y = a["kinds"][kind], b["kinds"][kind]
        ratio = y["p95"] / x["p95"] if x["p95"] else float("inf")
        print(
            f"{kind:<22} {x['p50']:>11.1f} / {x['p95']:>8.1f} {y['p50']:>13.1f} / {y['p95']:>8.1f} "
            f"{ratio:>8.2f} {x['cpu_p50']:>6.0f}/{y['cpu_p50']:<6.0f} {x['queries']:>4}/{y['queries']:<4}"
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--patients", type=int, default=1_000_000)
    parser.add_argument("--demo", type=int, default=2_000, help="demo size the ratio compares to")
    parser.add_argument("--repeat", type=int, default=30, help="timed requests per kind (after 2 warm-ups)")
    parser.add_argument("--before", help="another checkout to measure at --patients in the same run")
    parser.add_argument("--keep", action="store_true", help="keep the throwaway databases")
    parser.add_argument("--worker", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--code", default=str(HERE), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.worker:
        worker(args)
        return
    if "DATABASE_URL" not in os.environ:
        raise SystemExit("DATABASE_URL must name a PostgreSQL server (a database there is used as a prefix)")
    print(f"load average at start: {os.getloadavg()[0]:.2f} on {os.cpu_count()} CPUs")
    demo = run_one(args, HERE, "after", args.demo)
    big = run_one(args, HERE, "after", args.patients)
    before = run_one(args, Path(args.before).resolve(), "before", args.patients) if args.before else None
    size = f"{args.patients:,}".replace(",", " ")
    print_table(f"This code: demo size vs {size} patients (ratio = p95 at {size} / p95 at demo)",
                (f"{args.demo}", demo), (size, big), "ratio")  # fmt: skip
    if before:
        print_table(f"Before vs after at {size} patients (ratio = after p95 / before p95)",
                    ("before", before), ("after", big), "ratio")  # fmt: skip
        print(f"\nSlowest kind before: {before['worst']}\n{before['plan']}")
    print(
        f"\nSlowest kind at {size}: {big['worst']} (p95 {big['kinds'][big['worst']]['p95']:.1f} ms), its slowest query:"
    )
    print(big["kinds"][big["worst"]]["slowest_sql"][:2000])
    print(big["plan"])
    print(f"\nload average at end: {os.getloadavg()[0]:.2f}")


if __name__ == "__main__":
    main()
