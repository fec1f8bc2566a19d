"""Every URL of the project × every persona × GET and POST answers what the README's role table says.

The table (README.md, "Role table by URL") has one row per URL name: the path with the world's
objects in braces, and for each persona the status of a GET and of a POST (`login`: sent to the
login page). The test walks the URL conf and fails on a URL name without a row (or a row without a
URL), then requests each path with real object ids. POSTs carry a CSRF token with CSRF checks
enforced, and every POST that a persona may send is also refused (403) without its token.
"""

from __future__ import annotations

import datetime as dt
import re
from http.cookies import SimpleCookie
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.conf import settings
from django.contrib.auth.tokens import default_token_generator
from django.db import transaction
from django.test import Client, override_settings
from django.urls import URLPattern, URLResolver, get_resolver, resolve
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode

from escorter.roles import Role
from tests.conftest import FAST_HASHERS

README = Path(__file__).resolve().parent.parent / "README.md"
PERSONAS = ("coordinator", "secretary", "practitioner", "funder", "anonymous", "api client")
LOGIN_PATH = "/connexion/"
CSRF_SECRET = "personas0test0csrf0secret0000032"  # 32 characters: a raw CSRF secret
# every persona is run on a Tuesday morning in Paris, whatever day the suite runs
FROZEN_AT = dt.datetime(2026, 12, 1, 9, 0, tzinfo=ZoneInfo("Europe/Paris"))


# --- The table ----------------------------------------------------------------------------------


def read_role_table(text: str | None = None) -> dict[str, dict]:
    """{url name: {"path": ..., persona: (GET status, POST status)}} from the README's role table."""
    text = text if text is not None else README.read_text(encoding="utf-8")
    section = text.split("### Role table by URL", 1)[1]
    rows: dict[str, dict] = {}
    header = None
    for line in section.splitlines():
        if line.startswith("#"):
            break
        if not line.startswith("|"):
            continue
        cells = [cell.strip().strip("`") for cell in line.strip().strip("|").split("|")]
        if header is None:
            header = [cell.lower() for cell in cells]
            assert header[:2] == ["url name", "path"] and tuple(header[2:]) == PERSONAS, header
            continue
        if set(cells[0]) <= {"-", ":", " "}:
            continue
        name, path, statuses = cells[0], cells[1], cells[2:]
        assert name not in rows, f"two rows for {name}"
        row = {"path": path}
        for persona, cell in zip(PERSONAS, statuses, strict=True):
            get, post = cell.split("/")
            row[persona] = (get.strip(), post.strip())
        rows[name] = row
    return rows


def _url_names(patterns=None, namespace="") -> set[str]:
    names = set()
    for entry in get_resolver().url_patterns if patterns is None else patterns:
        if isinstance(entry, URLResolver):
            inner = f"{namespace}{entry.namespace}:" if entry.namespace else namespace
            names |= _url_names(entry.url_patterns, inner)
        elif isinstance(entry, URLPattern):
            names.add(f"{namespace}{entry.name}" if entry.name else f"{namespace}<{entry.pattern}>")
    return names


def _admin_paths(world) -> list[tuple[str, str, str]]:
    """(URL name, concrete path, view) for each pattern of the admin site, ids of objects that exist."""
    admin = next(e for e in get_resolver().url_patterns if isinstance(e, URLResolver) and e.namespace == "admin")
    paths = []

    def walk(patterns, prefix):
        for entry in patterns:
            route = prefix + str(entry.pattern)
            if isinstance(entry, URLResolver):
                walk(entry.url_patterns, route)
                continue
            route = route.lstrip("^").replace("$", "").replace("\\Z", "")
            route = re.sub(r"\(\?P<app_label>[^)]*\)", "patients", route)
            route = re.sub(r"\(\?P<url>\.\*\)", "inconnu/", route)
            route = re.sub(r"<(?:\w+:)?(\w+)>", str(world["users"][Role.COORDINATOR].pk), route)
            name = f"admin:{entry.name}" if entry.name else f"admin:<{entry.pattern}>"
            view = getattr(entry.callback, "__qualname__", repr(entry.callback))
            paths.append((name, "/admin/" + route, view))

    walk(admin.url_patterns, "")
    return paths


TABLE = read_role_table()
ROWS = sorted(name for name in TABLE if not name.endswith(":*"))
ROLES = {role.value for role in Role}


def test_every_url_name_has_a_row_and_every_row_a_url():
    names = _url_names()
    covered = {name for name in names if name in TABLE or f"{name.split(':')[0]}:*" in TABLE}
    assert names - covered == set(), "URL names without a row in the README's role table"
    assert set(ROWS) - names == set(), "rows of the README's role table naming no URL"


def test_the_table_reader_reads_statuses_per_persona():
    table = read_role_table(
        "### Role table by URL\n\n| URL name | path | coordinator | secretary | practitioner | funder | anonymous"
        " | API client |\n|---|---|---|---|---|---|---|---|\n| `home` | `/` | 200/405 | 200/405 | 200/405 | 302/405 |"
        " login/login | login/login |\n\n## Next\n| `x` | `/x` |"
    )
    assert table == {
        "home": {
            "path": "/",
            "coordinator": ("200", "405"),
            "secretary": ("200", "405"),
            "practitioner": ("200", "405"),
            "funder": ("302", "405"),
            "anonymous": ("login", "login"),
            "api client": ("login", "login"),
        }
    }


# --- The world, built once for the module -------------------------------------------------------


@pytest.fixture(scope="module")
def world(django_db_setup, django_db_blocker, _media_root):
    """The objects the paths name, in a transaction rolled back when the module ends; each test
    runs in a savepoint inside it (pytest-django's `db`), each POST in one more."""
    from tests.factories import make_world

    traveller = time_machine.travel(FROZEN_AT, tick=True)
    # the media folder of the run, which each test sets too (tests/conftest.py)
    media = override_settings(MEDIA_ROOT=_media_root, PASSWORD_HASHERS=FAST_HASHERS)
    with django_db_blocker.unblock():
        traveller.start()
        media.enable()
        atomic = transaction.atomic()
        atomic.__enter__()
        try:
            objects = make_world()
            coordinator = objects["users"][Role.COORDINATOR]
            objects["uid"] = urlsafe_base64_encode(force_bytes(coordinator.pk))
            objects["reset_token"] = default_token_generator.make_token(coordinator)
            objects["feed_token"] = objects["feed"].token
            objects["premises_feed_token"] = objects["premises_feed"].token
            objects["clients"] = {persona: _client(persona, objects) for persona in PERSONAS}
            yield objects
        finally:
            transaction.set_rollback(True)
            atomic.__exit__(None, None, None)
            media.disable()
            traveller.stop()


def _path(template: str, world) -> str:
    def value(match):
        item = world[match.group(1)]
        return str(getattr(item, "pk", item)).replace("+", "%2B")

    return re.sub(r"\{(\w+)\}", value, template)


def _client(persona: str, world) -> Client:
    client = Client(enforce_csrf_checks=True, raise_request_exception=False)
    if persona in ROLES:
        client.force_login(world["users"][Role(persona)])
    elif persona == "api client":
        client.defaults["HTTP_AUTHORIZATION"] = f"Bearer {world['token']}"
    client.cookies[settings.CSRF_COOKIE_NAME] = CSRF_SECRET
    return client


def _request(client: Client, method: str, path: str, *, token: bool = True):
    """One request. A POST's writes are rolled back and every request leaves the persona's cookies
    as they were (a logout, a message), so that each persona meets the same world each time."""
    cookies = SimpleCookie(client.cookies)
    try:
        if method == "GET":
            return client.get(path)
        with transaction.atomic():
            response = client.post(path, {"csrfmiddlewaretoken": CSRF_SECRET} if token else {})
            transaction.set_rollback(True)
        return response
    finally:
        client.cookies = cookies


def _mismatch(expected: str, response, path: str) -> str | None:
    status = response.status_code
    if expected == "login":
        location = response.get("Location", "")
        if status == 302 and location.startswith(f"{LOGIN_PATH}?next="):
            return None
        return f"{status} {location}".strip()
    return None if str(status) == expected else str(status)


@pytest.mark.django_db
@pytest.mark.parametrize("name", ROWS)
def test_persona_gets_the_documented_status(world, name):
    row = TABLE[name]
    path = _path(row["path"], world)
    if name != "fhir_unknown":
        assert resolve(path.split("?")[0]).view_name == name, f"{row['path']} is not the path of {name}"
    failures = []
    for persona in PERSONAS:
        client = world["clients"][persona]
        for method, expected in zip(("GET", "POST"), row[persona], strict=True):
            response = _request(client, method, path)
            problem = _mismatch(expected, response, path)
            if problem:
                failures.append(f"{persona} {method} {path}: expected {expected}, got {problem}")
            # the FHIR API takes no cookie, hence no CSRF token: its bearer token is the credential
            reaches_view = method == "POST" and expected not in {"403", "405", "login", "401"}
            if reaches_view and persona != "api client" and not path.startswith("/fhir/"):
                refused = _request(client, "POST", path, token=False)
                if refused.status_code != 403:
                    failures.append(f"{persona} POST {path} without CSRF token: {refused.status_code}")
    assert not failures, "\n".join(failures)


@pytest.mark.django_db
def test_the_admin_site_sends_every_persona_to_a_login_page(world):
    """The admin pages without a row of their own (`admin:*`): none of the personas is staff.

    Every admin view (the same view serves each model's changelist, change page…) as every persona,
    GET and POST; and every admin pattern as the coordinator, the persona closest to staff."""
    expected = TABLE["admin:*"]
    pages = [(name, path, view) for name, path, view in _admin_paths(world) if name not in TABLE]
    assert len(pages) > 100
    one_per_view = {view: path for _, path, view in reversed(pages)}
    requests = [(persona, path) for persona in PERSONAS for path in one_per_view.values()]
    requests += [("coordinator", path) for _, path, _ in pages if path not in one_per_view.values()]
    failures = []
    for persona, path in requests:
        for method, status in zip(("GET", "POST"), expected[persona], strict=True):
            response = _request(world["clients"][persona], method, path)
            location = response.get("Location", "")
            if str(response.status_code) != status or not location.startswith(("/admin/login/?", f"{LOGIN_PATH}?")):
                got = f"{response.status_code} {location}"
                failures.append(f"{persona} {method} {path}: expected {status} to a login page, got {got}")
    assert not failures, "\n".join(failures[:30])
