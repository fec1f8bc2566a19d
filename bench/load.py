"""Load test: 50 staff users at once against gunicorn + PostgreSQL with production settings (Locust, headless).

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/escorter .venv/bin/python bench/load.py \
        [--patients 100000] [--users 50] [--duration 60] [--workers 4] [--port 8700] [--before DIR]

Builds a throwaway database (`<db>_bench_load_<label>`) with the registry of bench/search.py,
four premises with permanences today and the next days, and one session per staff user;
starts gunicorn on 127.0.0.1 with DEBUG=False; runs Locust headless for `--duration`
seconds with `--users` secretaries (think time 1–3 s) mixing the waiting list, searches,
patient pages, the day page and bookings that race for the same times; then prints p50/p95
per request kind, the errors, and the double bookings found in the database afterwards.
Everything stays on localhost; the database is dropped at the end unless `--keep`.
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import json
import os
import secrets
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path
from urllib.parse import urlsplit

HERE = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(Path(__file__).resolve().parent))

import search  # noqa: E402  (the registry builder of bench/search.py)

LOCUSTFILE = Path(__file__).resolve().parent / "locustfile.py"
STAFF_PASSWORD_UNUSED = "!"  # sessions are created directly: no password, no login page in the mix


def setup_worker(args) -> None:
    """In the throwaway database: migrate, build the registry, the permanences and the staff sessions."""
    search._setup_django(Path(args.code))
    from django.conf import settings
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
    from django.contrib.auth.models import Group, User
    from django.contrib.sessions.backends.db import SessionStore
    from django.core.management import call_command
    from django.db import connection
    from django.utils import timezone
    from stdnum import luhn

    from sites.models import Commune, Premises, Room
    from staffing.models import Permanence, Profession, Professional

    call_command("migrate", verbosity=0, interactive=False)
    call_command("collectstatic", verbosity=0, interactive=False)
    ids = search.build_registry(args.patients)
    communes = list(Commune.objects.filter(in_territory=True).order_by("-population")[:4])
    today = timezone.localdate()
    paris = timezone.get_current_timezone()
    slots = []
    for n, commune in enumerate(communes):
        premises = Premises.objects.create(
            name=f"Local {commune.name}", address="1 place de la Mairie", commune=commune, status="open",
            available_from=today - dt.timedelta(days=30),
        )  # fmt: skip
        room = Room.objects.create(premises=premises, name="Cabinet 1")
        base = f"1990000{n:03d}"
        professional = Professional.objects.create(
            first_name="Claire", last_name=f"Médecin{n}", profession=Profession.GP,
            rpps=base + luhn.calc_check_digit(base), default_consultation_minutes=20,
        )  # fmt: skip
        for day in range(0, 6):
            date = today + dt.timedelta(days=day)
            for hour_start, hour_end in ((8, 12), (14, 18)):
                start = dt.datetime.combine(date, dt.time(hour_start), tzinfo=paris)
                permanence = Permanence.objects.create(
                    professional=professional, premises=premises, room=room, start=start,
                    end=dt.datetime.combine(date, dt.time(hour_end), tzinfo=paris),
                    kinds=["first_visit", "follow_up", "snp"],
                )  # fmt: skip
                if day >= 1:  # bookable times: the next days, every 20 minutes
                    for minute in range(0, (hour_end - hour_start) * 60, 20):
                        slot = start + dt.timedelta(minutes=minute)
                        slots.append({"permanence": permanence.pk, "start": slot.isoformat()})
    group = Group.objects.get(name="secretary")
    sessions = []
    for n in range(args.users):
        user = User.objects.create_user(f"secretaire{n}", password=None)
        user.groups.add(group)
        store = SessionStore()
        store[SESSION_KEY] = str(user.pk)
        # the backend a password login would record (axes only guards, it authenticates nobody)
        store[BACKEND_SESSION_KEY] = next(b for b in settings.AUTHENTICATION_BACKENDS if "axes" not in b)
        store[HASH_SESSION_KEY] = user.get_session_auth_hash()
        if "django_otp" in settings.INSTALLED_APPS:
            # production asks every account for its second factor (56dbb91): without a verified
            # device every request was redirected to it (302) and the load measured nothing
            from django_otp import DEVICE_ID_SESSION_KEY
            from django_otp.plugins.otp_totp.models import TOTPDevice

            device = TOTPDevice.objects.create(user=user, name="load", confirmed=True)
            store[DEVICE_ID_SESSION_KEY] = device.persistent_id
        store.create()
        sessions.append({"session": store.session_key, "csrf": secrets.token_hex(16)})
    with connection.cursor() as cursor:
        cursor.execute("SELECT id FROM patients_patient WHERE status = 'waiting' ORDER BY random() LIMIT 2000")
        patients = [row[0] for row in cursor.fetchall()]
        cursor.execute("SELECT DISTINCT last_name FROM patients_patient LIMIT 300")
        names = [row[0] for row in cursor.fetchall()]
        cursor.execute("SELECT phone FROM patients_patient WHERE phone <> '' ORDER BY random() LIMIT 300")
        phones = [row[0] for row in cursor.fetchall()]
    data = {
        "sessions": sessions, "slots": slots, "patients": patients, "names": names, "phones": phones,
        "communes": [c.pk for c in communes], "epci": ids["<big-epci>"], "today": today.isoformat(),
        "build_seconds": ids["seconds"],
    }  # fmt: skip
    Path(args.setup_file).write_text(json.dumps(data))


def double_bookings(database_url: str) -> int:
    """Active consultations overlapping another one of the same professional or of the same patient."""
    sql = """
        SELECT count(*) FROM staffing_consultation a JOIN staffing_consultation b
          ON a.id < b.id AND a.start < b."end" AND b.start < a."end"
         AND (a.professional_id = b.professional_id OR a.patient_id = b.patient_id)
        WHERE a.status IN ('booked', 'proposed') AND b.status IN ('booked', 'proposed')
    """
    out = subprocess.run(["psql", database_url, "-tAc", sql], check=True, capture_output=True, text=True).stdout
    return int(out.strip())


def bookings_made(database_url: str) -> int:
    sql = "SELECT count(*) FROM staffing_consultation WHERE status = 'booked'"
    out = subprocess.run(["psql", database_url, "-tAc", sql], check=True, capture_output=True, text=True).stdout
    return int(out.strip())


def _wait_for(url: str, seconds: int) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(url, timeout=5):
                return
        except Exception:  # noqa: BLE001 - not up yet
            time.sleep(1)
    raise SystemExit(f"gunicorn did not answer on {url}")


def run_one(args, code: Path, label: str) -> dict:
    base = os.environ["DATABASE_URL"]
    name = f"{urlsplit(base).path.lstrip('/')}_bench_load_{label}"
    url = search._database_url(base, name)
    search._psql(base, f'DROP DATABASE IF EXISTS "{name}"')
    search._psql(base, f'CREATE DATABASE "{name}"')
    env = {
        **os.environ,
        "DATABASE_URL": url,
        "DEBUG": "False",
        "SECRET_KEY": "load-" + secrets.token_urlsafe(60),
        "ALLOWED_HOSTS": "127.0.0.1,localhost",
        "SECURE_SSL_REDIRECT": "False",
        "LOG_LEVEL": "WARNING",
        "CELERY_TASK_ALWAYS_EAGER": "true",  # confirmations are sent in-process (file SMS backend)
        "SMS_FILE_PATH": str(Path(tempfile.gettempdir()) / f"escorter-load-sms-{os.getpid()}.log"),
    }
    workdir = Path(tempfile.mkdtemp(prefix="escorter-load-"))
    setup_file = workdir / "setup.json"
    gunicorn = None
    try:
        print(f"… {label}: building {args.patients:,} patients ({code})".replace(",", " "), flush=True)
        subprocess.run(
            [sys.executable, __file__, "--setup", "--code", str(code), "--patients", str(args.patients),
             "--users", str(args.users), "--setup-file", str(setup_file)],
            env=env, check=True, cwd=code,
        )  # fmt: skip
        setup = json.loads(setup_file.read_text())
        print(f"  registry built in {setup['build_seconds']} s", flush=True)
        gunicorn = subprocess.Popen(
            [str(Path(sys.executable).parent / "gunicorn"), "escorter.wsgi", "--bind", f"127.0.0.1:{args.port}",
             "--workers", str(args.workers), "--log-level", "warning",
             # the app is imported once before forking; a loaded machine needs more than 30 s to boot
             "--preload", "--timeout", "120"],
            env=env, cwd=code,
        )  # fmt: skip
        _wait_for(f"http://127.0.0.1:{args.port}/healthz", 300)
        host = f"http://127.0.0.1:{args.port}"
        load_before = os.getloadavg()[0]
        subprocess.run(
            [str(Path(sys.executable).parent / "locust"), "-f", str(LOCUSTFILE), "--headless", "--host", host,
             "--users", str(args.users), "--spawn-rate", str(max(1, args.users // 5)), "--run-time",
             f"{args.duration}s", "--csv", str(workdir / "stats"), "--only-summary", "--loglevel", "WARNING",
             "--stop-timeout", "10"],
            env={**os.environ, "ESCORTER_LOAD_SETUP": str(setup_file)}, check=False,
        )  # fmt: skip
        stats = list(csv.DictReader((workdir / "stats_stats.csv").open()))
        failures = list(csv.DictReader((workdir / "stats_failures.csv").open()))
        return {
            "stats": stats,
            "failures": failures,
            "double": double_bookings(url),
            "booked": bookings_made(url),
            "load": (load_before, os.getloadavg()[0]),
        }
    finally:
        if gunicorn is not None:
            gunicorn.terminate()
            try:
                gunicorn.wait(timeout=90)
            except subprocess.TimeoutExpired:
                gunicorn.kill()
                gunicorn.wait()
        if not args.keep:
            search._psql(base, f'DROP DATABASE IF EXISTS "{name}"')


def print_result(label: str, result: dict) -> None:
    print(f"\n{label} — load average {result['load'][0]:.1f} before, {result['load'][1]:.1f} after the run")
    header = f"{'kind':<24} {'requests':>9} {'errors':>7} {'p50 ms':>8} {'p95 ms':>8} {'req/s':>7}"
    print(header)
    print("-" * len(header))
    for row in result["stats"]:
        name = row["Name"] if row["Name"] != "Aggregated" else "TOTAL"
        print(
            f"{name:<24} {row['Request Count']:>9} {row['Failure Count']:>7} {row['50%']:>8} {row['95%']:>8} "
            f"{float(row['Requests/s']):>7.1f}"
        )
    for failure in result["failures"]:
        print(f"  error: {failure['Method']} {failure['Name']}: {failure['Error']} ×{failure['Occurrences']}")
    print(f"bookings made: {result['booked']}, double bookings in the database: {result['double']}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--patients", type=int, default=100_000)
    parser.add_argument("--users", type=int, default=50)
    parser.add_argument("--duration", type=int, default=60, help="seconds of load")
    parser.add_argument("--workers", type=int, default=4, help="gunicorn workers")
    parser.add_argument("--port", type=int, default=8700)
    parser.add_argument("--before", help="another checkout to load in the same run, before this one")
    parser.add_argument("--keep", action="store_true", help="keep the throwaway database")
    parser.add_argument("--setup", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--setup-file", help=argparse.SUPPRESS)
    parser.add_argument("--code", default=str(HERE), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.setup:
        setup_worker(args)
        return
    if "DATABASE_URL" not in os.environ:
        raise SystemExit("DATABASE_URL must name a PostgreSQL server (a database there is used as a prefix)")
    print(f"{args.users} users, {args.duration} s, gunicorn {args.workers} workers, {os.cpu_count()} CPUs")
    results = []
    if args.before:
        results.append(("before", run_one(args, Path(args.before).resolve(), "before")))
    results.append(("after" if args.before else "this code", run_one(args, HERE, "after")))
    for label, result in results:
        print_result(f"{label}: {args.patients:,} patients".replace(",", " "), result)


if __name__ == "__main__":
    main()
