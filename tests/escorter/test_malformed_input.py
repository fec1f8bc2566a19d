"""No 500 on malformed input: every URL of the URL conf, with real object ids, gets every query
parameter its view reads set to out-of-range, impossible and NUL-byte values."""

from __future__ import annotations

import inspect
import re

import pytest
from django.urls import URLPattern, URLResolver, get_resolver

from escorter.roles import Role
from patients.models import PatientImport
from tests.factories import make_world

HOSTILE_VALUES = [
    "0001-01-01",
    "9999-12-31",
    "9999-W52",
    "2026-W99",
    "2026-02-30T10:00",
    "31/02/2026",
    "9999-12",
    "Dup\x00ont",
    "-1",
    "99999999999999999999999999",
    "1e400",
    "'\"<>%",
]
# the parameters the pagination and the filter forms read, besides those named in the views
SHARED_PARAMETERS = {"page", "q"}


def _walk(patterns, prefix=""):
    for entry in patterns:
        if isinstance(entry, URLResolver):
            yield from _walk(entry.url_patterns, prefix + str(entry.pattern))
        elif isinstance(entry, URLPattern):
            yield prefix + str(entry.pattern), entry


def _app_patterns():
    for route, pattern in _walk(get_resolver().url_patterns):
        if route.startswith("admin/") or "(?P<" in route or route.startswith("^"):
            continue
        yield route, pattern


_READ = re.compile(r"""(?:GET|data|params|query)(?:\.get|\.getlist)?[\[(]\s*["'](\w+)["']""")


def _parameters_of(callback) -> set[str]:
    """The query parameters a view reads: names it passes to request.GET (or to the GET form's data),
    and the fields of the filter sets and GET forms of its module."""
    view = inspect.unwrap(callback)
    view = getattr(view, "view_class", view)
    try:
        source = inspect.getsource(inspect.getmodule(view))
    except (TypeError, OSError):
        return set(SHARED_PARAMETERS)
    names = set(_READ.findall(source)) | SHARED_PARAMETERS
    module = inspect.getmodule(view)
    for attr in vars(module).values():
        fields = getattr(attr, "base_filters", None) or getattr(attr, "base_fields", None)
        if isinstance(fields, dict) and attr.__module__.split(".")[0] in {"patients", "staffing", "reporting", "sites"}:
            names |= set(fields)
    return names


def test_the_parameter_finder_sees_the_views_parameters():
    from patients.views.waiting import waiting_list_view
    from staffing.views.calendars import territory_month

    assert {"q", "page", "tier", "commune"} <= _parameters_of(waiting_list_view)
    assert "mois" in _parameters_of(territory_month)


def _previewed_import() -> PatientImport:
    """An import as the upload page leaves it: a preview with its summary."""
    import io

    from patients import services

    report = services.import_patients(io.BytesIO(b"Nom;Prenom;Date de naissance\nRoy;Lea;01/01/1960\n"), dry_run=True)
    return PatientImport.objects.create(
        file="imports/x.csv",
        original_name="x.csv",
        summary={"preview": report.as_dict(), "lines": report.summary_lines()},
    )


@pytest.fixture
def world(db, settings, tmp_path):
    """One object of every kind a URL names (the persona test's world), the import as a preview,
    so that each URL reaches its view's real work."""
    settings.MEDIA_ROOT = tmp_path
    objects = make_world()
    objects["import"] = _previewed_import()
    return objects


# which object a URL's `pk` names, by URL name
PK_OWNERS = [
    ("task_run_status", "task_run"),
    ("sites:premises_", "premises"),
    ("sites:room_", "room"),
    ("sites:closure_", "closure"),
    ("patients:patient_", "patient"),
    ("patients:import_", "import"),
    ("patients:call_", "call"),
    ("staffing:professional_", "professional"),
    ("staffing:rule_", "rule"),
    ("staffing:permanence_", "permanence"),
    ("staffing:premises_week", "premises"),
    ("staffing:calendar_link", "feed"),
    ("staffing:book_", "patient"),
    ("staffing:patient_consultations", "patient"),
    ("staffing:consultation_", "consultation"),
    ("staffing:proposal_", "proposal"),
    ("staffing:call_back_", "call_back"),
    ("staffing:planner_result", "planner_run"),
    ("reporting:report_", "report"),
    ("reporting:funding_line", "funding_line"),
    ("reporting:expense_", "expense"),
    ("interop:permanence_share", "permanence"),
    ("fhir_appointment", "consultation"),
]
OTHER_KWARGS = {
    "premises_pk": lambda w: w["premises"].pk,
    "call_pk": lambda w: w["call"].pk,
    "line_pk": lambda w: w["funding_line"].pk,
    "token": lambda w: w["feed"].token,
    "uidb64": lambda w: "MQ",  # password reset link: base64 of a user id
    "fmt": lambda w: "pdf",
    "rest": lambda w: "Patient",
}


def _full_name(route, pattern) -> str:
    for prefix, namespace in (("territoire/", "sites"), ("patients/", "patients"), ("equipe/", "staffing")):
        if route.startswith(prefix):
            return f"{namespace}:{pattern.name}"
    if route.startswith("rapports/"):
        return f"reporting:{pattern.name}"
    if route.startswith("sas/"):
        return f"interop:{pattern.name}"
    return pattern.name or ""


def _url(route: str, name: str, world) -> str:
    def value(match):
        kwarg = match.group(1)
        if kwarg == "pk":
            owner = next((key for prefix, key in PK_OWNERS if name.startswith(prefix)), None)
            assert owner, f"no object for the pk of {name}: add it to PK_OWNERS"
            return str(world[owner].pk)
        return str(OTHER_KWARGS[kwarg](world))

    return "/" + re.sub(r"<(?:\w+:)?(\w+)>", value, route)


ROUTES = [(route, pattern) for route, pattern in _app_patterns()]


@pytest.mark.parametrize(("route", "pattern"), ROUTES, ids=[p.name or r for r, p in ROUTES])
def test_no_url_answers_500_to_malformed_query_parameters(client, world, route, pattern):
    name = _full_name(route, pattern)
    url = _url(route, name, world)
    parameters = sorted(_parameters_of(pattern.callback))
    coordinator, practitioner = world["users"][Role.COORDINATOR], world["users"][Role.PRACTITIONER]
    client.raise_request_exception = False
    client.force_login(coordinator)
    if client.get(url).status_code == 403:  # the practitioners' own pages
        client.force_login(practitioner)
    failures = []
    for value in HOSTILE_VALUES:
        # every parameter at once; when the view refuses one (400), each alone, so that a
        # view stopping at its first bad parameter still has its others tried
        batches = [{p: value for p in parameters}]
        while batches:
            params = batches.pop()
            response = client.get(url, params)
            if response.status_code >= 500:
                failures.append(f"{url} {params!r} -> {response.status_code}")
            elif response.status_code == 400 and len(params) > 1:
                batches.extend({p: value} for p in params)
    assert not failures, "\n".join(failures[:20])


def test_the_walk_covers_every_url():
    assert len(ROUTES) > 80
    assert {"patients:waiting_list", "staffing:territory_month", "reporting:dashboard"} <= {
        _full_name(r, p) for r, p in ROUTES
    }


def test_malformed_parameters_get_a_french_400(client, world, login_as):
    login_as(Role.COORDINATOR)
    for url, params in [
        ("/equipe/calendrier/mois/", {"mois": "9999-99"}),
        (f"/equipe/calendrier/locaux/{world['premises'].pk}/", {"semaine": "9999-W52"}),
        ("/patients/", {"q": "Dup\x00ont"}),
    ]:
        response = client.get(url, params)
        assert response.status_code == 400, (url, params, response.status_code)
        assert "invalide" in response.content.decode() or "incorrect" in response.content.decode()
