"""Benchmark of the waiting list at regional scale: every search and filter at demo size and at N patients.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/escorter .venv/bin/python bench/search.py \
        [--patients 1000000] [--demo 2000] [--repeat 30] [--before 55956dd] [--reuse]

For each size it creates a throwaway database (`<db>_bench_<label>_<size>`), migrates it,
builds the registry server-side (INSERT ... SELECT over generate_series, secondary indexes
dropped during the load and rebuilt after, as a bulk import would), VACUUM ANALYZEs, then times
each request kind at the view (Django test client, logged in as a secretary) and prints
p50/p95 per kind for demo size and N side by side with the ratio of the p95s, the query
count per request, the CPU time of the web process (p50, in ms: the request's own cost,
whatever else loads the machine), the server's execution time of the request's reads of the
registry ("SQL ms": EXPLAIN ANALYZE of each, summed), and the EXPLAIN ANALYZE of the slowest query
of the slowest kind.

`--before REV` measures a second checkout (a git revision, extracted with `git archive`, or a
directory) at size N in the same run and prints the before/after table. The databases are dropped
at the end unless `--keep`; `--reuse` keeps them and, on the next run, skips the build of a
registry already complete there (migrate still applies what the code added since, then VACUUM ANALYZE).
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
import tempfile
import time
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

from search_registry import build_registry

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

# --- worker: one database, one code checkout ---------------------------------------------


def _setup_django(code: Path) -> None:
    sys.path.insert(0, str(code))
    os.chdir(code)
    os.environ["DJANGO_SETTINGS_MODULE"] = "escorter.settings"
    import django

    django.setup()


def _next_link(body: str) -> str | None:
    match = re.search(r'href="([^"]*)"[^>]*>\s*Suivante', body)
    return html.unescape(match.group(1)) if match else None


def _pass_second_factor(client, user) -> None:
    """Production settings ask every account for its second factor (django-otp, since 56dbb91): the
    secretary enrols a TOTP device and her session is marked verified, as after a code typed in.
    Older checkouts have no second factor: nothing to do."""
    from django.conf import settings

    if "django_otp" not in settings.INSTALLED_APPS:
        return
    from django_otp import DEVICE_ID_SESSION_KEY
    from django_otp.plugins.otp_totp.models import TOTPDevice

    device = TOTPDevice.objects.filter(user=user, confirmed=True).first()
    device = device or TOTPDevice.objects.create(user=user, name="bench", confirmed=True)
    session = client.session
    session[DEVICE_ID_SESSION_KEY] = device.persistent_id
    session.save()


def _server_ms(connection, captured) -> float:
    """The server's own execution time (EXPLAIN ANALYZE) of the request's reads of the registry, summed:
    what the indexes decide, whatever the load of the machine adds to the wall clock."""
    total = 0.0
    with connection.cursor() as cursor:
        for query in captured:
            sql = query["sql"]
            if sql.lstrip().upper().startswith("SELECT") and "patients_patient" in sql:
                cursor.execute("EXPLAIN (ANALYZE, FORMAT JSON) " + sql)
                total += cursor.fetchone()[0][0]["Execution Time"]
    return total


def measure_kinds(ids: dict, repeat: int) -> dict:
    from django.contrib.auth.models import User
    from django.db import connection, reset_queries
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    client = Client()
    user = User.objects.get(pk=ids["user"])
    client.force_login(user)
    _pass_second_factor(client, user)
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
        sql_ms = _server_ms(connection, captured)
        timings.sort()
        results[kind] = {
            "p50": statistics.median(timings),
            "p95": timings[min(len(timings) - 1, round(0.95 * (len(timings) - 1)))],
            "cpu_p50": statistics.median(cpu),
            "queries": len(captured),
            "slowest_sql": slowest["sql"],
            "slowest_ms": float(slowest["time"]) * 1000,
            "sql_ms": sql_ms,
        }
    worst = max(results, key=lambda k: results[k]["p95"])
    with connection.cursor() as cursor:
        cursor.execute("EXPLAIN (ANALYZE, BUFFERS) " + results[worst]["slowest_sql"])
        plan = "\n".join(row[0] for row in cursor.fetchall())
    return {"kinds": results, "worst": worst, "plan": plan}


def _built_registry() -> dict | None:
    """The ids of a registry an earlier `--reuse` run built completely in this database, else None."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT to_regclass('bench_registry') IS NOT NULL")
        if not cursor.fetchone()[0]:
            return None
        cursor.execute("SELECT ids FROM bench_registry")
        row = cursor.fetchone()
    return json.loads(row[0]) if row else None


def worker(args) -> None:
    _setup_django(Path(args.code))
    from django.core.management import call_command
    from django.db import connection

    # on a reused database migrate applies only what this code added since (new indexes, …)
    call_command("migrate", verbosity=0, interactive=False)
    call_command("collectstatic", verbosity=0, interactive=False)  # production settings: hashed manifest
    ids = _built_registry() if args.reuse else None
    if ids is None:
        ids = build_registry(args.patients)
        if args.reuse:  # written last: a build cut short leaves no marker and is rebuilt next time
            with connection.cursor() as cursor:
                cursor.execute("CREATE TABLE bench_registry (ids text NOT NULL)")
                cursor.execute("INSERT INTO bench_registry VALUES (%s)", [json.dumps(ids)])
    else:
        ids["seconds"] = 0.0  # reused
        with connection.cursor() as cursor:
            # statistics of the expression indexes a new migration added; the visibility map of a
            # registry that autovacuum may not have reached yet (index-only counts)
            cursor.execute("VACUUM ANALYZE")
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


def _has_registry(base: str, name: str) -> bool:
    """Whether database `name` exists and holds a registry a --reuse run finished building."""
    query = "SELECT to_regclass('bench_registry') IS NOT NULL"
    found = subprocess.run(["psql", _database_url(base, name), "-tAc", query], capture_output=True, text=True)
    return found.returncode == 0 and found.stdout.strip() == "t"


def run_one(args, code: Path, label: str, patients: int) -> dict:
    base = os.environ["DATABASE_URL"]
    name = f"{urlsplit(base).path.lstrip('/')}_bench_{label}_{patients}"
    if not (args.reuse and _has_registry(base, name)):
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
    command += ["--patients", str(patients), "--repeat", str(args.repeat)] + (["--reuse"] if args.reuse else [])
    print(f"… {label}: {patients:,} patients ({code}, database {name})".replace(",", " "), flush=True)
    try:
        output = subprocess.run(command, env=env, check=True, capture_output=True, text=True).stdout
    except subprocess.CalledProcessError as exc:
        sys.stderr.write(exc.stdout + exc.stderr)
        raise
    finally:
        if not (args.keep or args.reuse):
            _psql(base, f'DROP DATABASE IF EXISTS "{name}"')
    line = next(line for line in output.splitlines() if line.startswith(MARK))
    result = json.loads(line[len(MARK) :])
    built = f"built in {result['build_seconds']} s" if result["build_seconds"] else "reused"
    print(f"  registry {built}", flush=True)
    # each size's figures as soon as they are measured (a long run cut short keeps them)
    for kind, _ in KINDS:
        row = result["kinds"][kind]
        print(
            f"  {kind:<22} p50 {row['p50']:8.1f} ms  p95 {row['p95']:8.1f} ms  SQL {_sql(row):>7} ms  "
            f"{row['queries']} queries",
            flush=True,
        )
    return result


def _sql(row: dict) -> str:
    return f"{row['sql_ms']:.1f}" if "sql_ms" in row else "-"


def print_table(title: str, left: tuple[str, dict], right: tuple[str, dict], ratio_label: str) -> None:
    (left_name, a), (right_name, b) = left, right
    print(f"\n{title}")
    header = (
        f"{'kind':<22} {left_name + ' p50/p95 ms':>24} {right_name + ' p50/p95 ms':>26} {ratio_label:>8} "
        f"{'web CPU p50':>13} {'SQL ms':>15} {'queries':>9}"
    )
    print(header)
    print("-" * len(header))
    for kind, _ in KINDS:
        x, y = a["kinds"][kind], b["kinds"][kind]
        ratio = y["p95"] / x["p95"] if x["p95"] else float("inf")
        print(
            f"{kind:<22} {x['p50']:>11.1f} / {x['p95']:>8.1f} {y['p50']:>13.1f} / {y['p95']:>8.1f} "
            f"{ratio:>8.2f} {x['cpu_p50']:>6.0f}/{y['cpu_p50']:<6.0f} {_sql(x):>7}/{_sql(y):<7} "
            f"{x['queries']:>4}/{y['queries']:<4}"
        )


def before_checkout(before: str) -> Path:
    """A directory as is, else a git revision of this repository extracted (once) beside the temp files."""
    if Path(before).is_dir():
        return Path(before).resolve()
    git = ["git", "-C", str(HERE)]
    commit = subprocess.run([*git, "rev-parse", "--short", before + "^{commit}"], check=True, capture_output=True)
    commit = commit.stdout.decode().strip()
    target = Path(tempfile.gettempdir()) / f"escorter-before-{commit}"
    if not (target / "manage.py").exists():
        target.mkdir(parents=True, exist_ok=True)
        archive = subprocess.run([*git, "archive", commit], check=True, capture_output=True).stdout
        subprocess.run(["tar", "-x", "-C", str(target)], input=archive, check=True)
        # older Chart.js copies name a source map the repository never had: collectstatic's
        # manifest refuses it (a3dd0a1 removed the line)
        chart = target / "static/vendor/chartjs/chart.umd.min.js"
        if chart.exists():
            text = chart.read_text()
            chart.write_text("\n".join(line for line in text.split("\n") if "sourceMappingURL" not in line))
    return target


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--patients", type=int, default=1_000_000)
    parser.add_argument("--demo", type=int, default=2_000, help="demo size the ratio compares to")
    parser.add_argument("--repeat", type=int, default=30, help="timed requests per kind (after 2 warm-ups)")
    parser.add_argument(
        "--before", help="a git revision (e.g. 55956dd) or another checkout to measure at --patients in the same run"
    )
    parser.add_argument("--keep", action="store_true", help="keep the throwaway databases")
    parser.add_argument(
        "--reuse",
        action="store_true",
        help="keep the databases and reuse a registry an earlier --reuse run built (migrations still applied)",
    )
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
    before = run_one(args, before_checkout(args.before), "before", args.patients) if args.before else None
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
