"""Client address and scheme come from forwarded headers only when a trusted proxy sent them."""

from __future__ import annotations

import http.client
import os
import subprocess
import sys
import time

import pytest
from axes.models import AccessAttempt
from django.test import RequestFactory

from escorter import audit
from escorter.models import AuditLog
from escorter.proxies import client_ip
from tests.conftest import BASE_DIR, _database_url_for_worker, free_port
from tests.escorter.test_settings import PRODUCTION_ENV
from tests.factories import make_user

PROXY = "10.20.0.2"


def _request(remote, forwarded_for=None):
    extra = {"REMOTE_ADDR": remote}
    if forwarded_for is not None:
        extra["HTTP_X_FORWARDED_FOR"] = forwarded_for
    return RequestFactory().get("/", **extra)


@pytest.mark.parametrize(
    ("trusted", "remote", "forwarded_for", "expected"),
    [
        ([], "198.51.100.4", "1.2.3.4", "198.51.100.4"),  # no proxy configured: the header is a lie
        ([PROXY], "198.51.100.4", "1.2.3.4", "198.51.100.4"),  # not from our proxy
        ([PROXY], PROXY, "203.0.113.9", "203.0.113.9"),
        ([PROXY], PROXY, "6.6.6.6, 203.0.113.9", "203.0.113.9"),  # the client's own prefix is ignored
        (["10.20.0.0/16"], PROXY, "203.0.113.9, 10.20.0.7", "203.0.113.9"),  # two hops of ours
        ([PROXY], PROXY, "nonsense, 203.0.113.9", "203.0.113.9"),
        ([PROXY], PROXY, "203.0.113.9, nonsense", PROXY),
        ([PROXY], PROXY, None, PROXY),
        (["2001:db8::/32"], "2001:db8::1", "2a01:e0a::5", "2a01:e0a::5"),
    ],
)
def test_client_address(settings, trusted, remote, forwarded_for, expected):
    settings.TRUSTED_PROXIES = trusted
    assert client_ip(_request(remote, forwarded_for)) == expected


@pytest.mark.django_db
def test_audit_rows_record_the_client_behind_the_proxy(settings):
    settings.TRUSTED_PROXIES = [PROXY]
    request = _request(PROXY, "203.0.113.9")
    request.user = make_user("secretary")
    entry = audit.record(request, AuditLog.Action.VIEW, object_type="x", object_id=1)
    assert entry.ip == "203.0.113.9"


@pytest.mark.django_db
def test_lockouts_record_the_client_behind_the_proxy(client, settings):
    settings.TRUSTED_PROXIES = [PROXY]
    credentials = {"username": "x", "password": "y"}
    client.post("/connexion/", credentials, REMOTE_ADDR=PROXY, HTTP_X_FORWARDED_FOR="203.0.113.9")
    assert list(AccessAttempt.objects.values_list("ip_address", flat=True)) == ["203.0.113.9"]


@pytest.mark.django_db
def test_a_forged_forwarded_proto_does_not_skip_the_https_redirect(client, settings):
    settings.SECURE_SSL_REDIRECT = True
    settings.SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    settings.TRUSTED_PROXIES = [PROXY]
    forged = client.get("/connexion/", REMOTE_ADDR="198.51.100.4", HTTP_X_FORWARDED_PROTO="https")
    assert forged.status_code == 301 and forged["Location"].startswith("https://")
    proxied = client.get("/connexion/", REMOTE_ADDR=PROXY, HTTP_X_FORWARDED_PROTO="https")
    assert proxied.status_code == 200


def test_a_malformed_trusted_proxy_fails_at_start():
    result = subprocess.run(
        [sys.executable, "manage.py", "check"],
        cwd=BASE_DIR,
        env={**os.environ, "TRUSTED_PROXIES": "10.0.0.0/8,proxy.local"},
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode != 0 and "proxy.local" in result.stderr


# --- the real server: gunicorn with production settings -------------------------------------


@pytest.fixture
def gunicorn(transactional_db, tmp_path):
    """Start gunicorn as the image does (gunicorn.conf.py) with production settings.

    Static files are not collected here (minutes of post-processing), so these tests
    stay on responses that render no template.
    """
    started = []

    def start(trusted_proxies: str):
        port = free_port()
        env = {
            **{k: v for k, v in os.environ.items() if k != "DJANGO_ALLOW_ASYNC_UNSAFE"},
            **PRODUCTION_ENV,
            "ALLOWED_HOSTS": "127.0.0.1",
            "DATABASE_URL": _database_url_for_worker(),
            "TRUSTED_PROXIES": trusted_proxies,
            "CONN_MAX_AGE": "0",
        }
        log = (tmp_path / f"gunicorn-{port}.log").open("w")
        process = subprocess.Popen(
            [sys.executable, "-m", "gunicorn", "escorter.wsgi", "--bind", f"127.0.0.1:{port}", "--workers", "1"],
            cwd=BASE_DIR,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        started.append(process)
        deadline = time.monotonic() + 60
        while True:
            try:
                connection = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
                connection.request("GET", "/healthz")
                connection.getresponse().read()
                return port
            except OSError:
                if process.poll() is not None or time.monotonic() > deadline:
                    pytest.fail((tmp_path / f"gunicorn-{port}.log").read_text())
                time.sleep(0.3)

    yield start
    for process in started:
        process.terminate()
        try:
            process.wait(30)  # graceful shutdown can be slow on a busy machine
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def _get(port, path, headers):
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    connection.request("GET", path, headers=headers)
    return connection.getresponse()


@pytest.mark.worker
def test_gunicorn_redirects_a_client_that_claims_https(gunicorn):
    port = gunicorn(trusted_proxies="10.20.0.0/16")  # the test client at 127.0.0.1 is no proxy of ours
    response = _get(port, "/connexion/", {"X-Forwarded-Proto": "https", "X-Forwarded-For": "203.0.113.9"})
    assert response.status == 301
    assert response.getheader("Location") == f"https://127.0.0.1:{port}/connexion/"


@pytest.mark.worker
def test_gunicorn_believes_the_scheme_from_a_trusted_proxy(gunicorn):
    port = gunicorn(trusted_proxies="127.0.0.1")
    response = _get(port, "/", {"X-Forwarded-Proto": "https", "X-Forwarded-For": "203.0.113.9"})
    assert response.status == 302  # no HTTPS redirect: straight to the login page
    assert response.getheader("Location") == "/connexion/?next=/"
    assert _get(port, "/", {}).status == 301  # the proxy's own plain-HTTP request is still redirected
