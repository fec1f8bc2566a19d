"""Calendars: weeks per premises and professional, the territory's month with its gaps, the practitioner's agenda."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from escorter.roles import Role
from staffing.models import Permanence
from staffing.selectors import calendars
from tests.staffing.factories import (
    PARIS,
    AbsenceFactory,
    ClosureFactory,
    PermanenceFactory,
    PremisesFactory,
    ProfessionalFactory,
    RoomFactory,
)

pytestmark = pytest.mark.django_db


def _at(day: dt.date, hour: int) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(hour), tzinfo=PARIS)


def test_parse_week_reads_iso_weeks_falls_back_to_this_week_and_refuses_garbage():
    from escorter.params import InvalidParameter

    assert calendars.parse_week("2026-W48") == dt.date(2026, 11, 23)
    assert calendars.parse_week("", today=dt.date(2026, 11, 26)) == dt.date(2026, 11, 23)
    assert calendars.parse_month(None, today=dt.date(2026, 11, 26)) == dt.date(2026, 11, 1)
    for bad in ("n'importe quoi", "9999-W52", "2026-W99"):
        with pytest.raises(InvalidParameter, match="semaine"):
            calendars.parse_week(bad)
    with pytest.raises(InvalidParameter, match="mois"):
        calendars.parse_month("2026-13")


def test_premises_week_shows_its_permanences_day_by_day_with_holidays(client, login_as):
    room = RoomFactory()
    PermanenceFactory(room=room, start=_at(dt.date(2030, 11, 12), 9), end=_at(dt.date(2030, 11, 12), 12))
    login_as(Role.PRACTITIONER)
    html = client.get(f"/equipe/calendrier/locaux/{room.premises_id}/?semaine=2030-W46").content.decode()
    assert "Armistice" in html  # 11 November 2030
    assert "09:00–12:00" in html
    assert "semaine 46 · du 11/11/2030 au 17/11/2030" in html.lower()


def test_htmx_request_gets_only_the_week_fragment(client, login_as):
    premises = PremisesFactory()
    login_as(Role.SECRETARY)
    html = client.get(f"/equipe/calendrier/locaux/{premises.pk}/", HTTP_HX_REQUEST="true").content.decode()
    assert "week-grid" in html and "<html" not in html


def test_professional_week_shows_absences_and_cancelled_permanences(client, login_as):
    professional = ProfessionalFactory()
    AbsenceFactory(professional=professional, start_date=dt.date(2030, 3, 4), end_date=dt.date(2030, 3, 5))
    PermanenceFactory(
        professional=professional,
        start=_at(dt.date(2030, 3, 7), 14),
        end=_at(dt.date(2030, 3, 7), 18),
        status=Permanence.Status.CANCELLED,
        cancel_reason="Panne de chauffage",
    )
    login_as(Role.SECRETARY)
    html = client.get(f"/equipe/calendrier/professionnels/{professional.pk}/?semaine=2030-W10").content.decode()
    assert "Congés" in html and "is-cancelled" in html and "Panne de chauffage" in html


def test_month_highlights_working_days_without_permanence_as_gaps():
    premises = PremisesFactory(available_from=dt.date(2030, 1, 1))
    ClosureFactory(premises=premises, start_date=dt.date(2030, 4, 2), end_date=dt.date(2030, 4, 2))
    PermanenceFactory(
        room=RoomFactory(premises=premises), start=_at(dt.date(2030, 4, 3), 9), end=_at(dt.date(2030, 4, 3), 12)
    )
    month = calendars.territory_month(dt.date(2030, 4, 1))
    row = next(r for r in month.rows if r.premises == premises)
    cells = {c.date: c for c in row.cells}
    assert cells[dt.date(2030, 4, 1)].is_gap  # a Monday, nobody there
    assert not cells[dt.date(2030, 4, 2)].is_gap and cells[dt.date(2030, 4, 2)].closed == "Élections"
    assert not cells[dt.date(2030, 4, 3)].is_gap  # staffed
    assert not cells[dt.date(2030, 4, 6)].is_gap  # Saturday
    assert not cells[dt.date(2030, 4, 22)].is_gap and cells[dt.date(2030, 4, 22)].holiday == "Lundi de Pâques"
    # April 2030: 22 working days, minus Easter Monday, minus the closure, minus the staffed day
    assert row.gaps == 19


def test_a_cancelled_permanence_leaves_a_gap():
    premises = PremisesFactory(available_from=dt.date(2030, 1, 1))
    PermanenceFactory(
        room=RoomFactory(premises=premises),
        start=_at(dt.date(2030, 4, 3), 9),
        end=_at(dt.date(2030, 4, 3), 12),
        status=Permanence.Status.CANCELLED,
        cancel_reason="Grève",
    )
    month = calendars.territory_month(dt.date(2030, 4, 1))
    assert next(c for c in month.rows[0].cells if c.date == dt.date(2030, 4, 3)).is_gap


def test_premises_in_preparation_show_no_gaps_and_future_ones_are_not_listed():
    PremisesFactory(name="En préparation", status="preparing", available_from=dt.date(2030, 1, 1))
    PremisesFactory(name="Plus tard", available_from=dt.date(2031, 1, 1))
    month = calendars.territory_month(dt.date(2030, 4, 1))
    assert [r.premises.name for r in month.rows] == ["En préparation"]
    assert month.gaps == 0


def test_month_page_costs_the_same_queries_for_1_or_50_permanences(client, login_as):
    login_as(Role.COORDINATOR)
    premises = PremisesFactory(available_from=dt.date(2030, 1, 1))
    PermanenceFactory(
        room=RoomFactory(premises=premises), start=_at(dt.date(2030, 4, 1), 8), end=_at(dt.date(2030, 4, 1), 9)
    )
    url = "/equipe/calendrier/mois/?mois=2030-04"
    client.get(url)
    with CaptureQueriesContext(connection) as one:
        client.get(url)
    for i in range(49):
        day = dt.date(2030, 4, 2) + dt.timedelta(days=i % 25)
        PermanenceFactory(
            room=RoomFactory(premises=PremisesFactory(available_from=dt.date(2030, 1, 1))),
            start=_at(day, 8),
            end=_at(day, 12),
        )
    with CaptureQueriesContext(connection) as fifty:
        response = client.get(url)
    assert response.status_code == 200
    assert len(fifty) == len(one), [q["sql"] for q in fifty.captured_queries]


def test_my_agenda_shows_the_linked_practitioners_week(client, login_as):
    user = login_as(Role.PRACTITIONER)
    professional = ProfessionalFactory(user=user, last_name="Martin", first_name="Paul")
    PermanenceFactory(professional=professional)
    html = client.get("/equipe/mon-agenda/").content.decode()
    assert "Dr Paul Martin" in html and "Prochaines permanences" in html
    assert "08:30–12:30" in html


def test_my_agenda_explains_when_no_professional_is_linked(client, login_as):
    login_as(Role.PRACTITIONER)
    assert "n'est relié à aucun professionnel" in client.get("/equipe/mon-agenda/").content.decode()


def test_coverage_compares_hours_with_the_target(client, login_as):
    from tests.staffing.factories import CoverageTargetFactory

    login_as(Role.COORDINATOR)
    premises = PremisesFactory()
    CoverageTargetFactory(premises=premises, profession="gp", hours_per_week=8)
    PermanenceFactory(
        room=RoomFactory(premises=premises), start=_at(dt.date(2030, 4, 2), 8), end=_at(dt.date(2030, 4, 2), 12)
    )
    html = client.get("/equipe/couverture/?semaine=2030-W14").content.decode()
    assert "coverage-low" in html and "4 h" in html and "8 h" in html


def test_secretary_cannot_set_coverage_targets(client, login_as):
    login_as(Role.SECRETARY)
    premises = PremisesFactory()
    response = client.post("/equipe/couverture/", {"premises": premises.pk, "profession": "gp", "hours_per_week": 5})
    assert response.status_code == 403


def test_coordinator_sets_and_removes_a_target(client, login_as):
    from staffing.models import CoverageTarget

    login_as(Role.COORDINATOR)
    premises = PremisesFactory()
    client.post("/equipe/couverture/", {"premises": premises.pk, "profession": "ipa", "hours_per_week": "7.5"})
    assert float(CoverageTarget.objects.get().hours_per_week) == 7.5
    client.post("/equipe/couverture/", {"premises": premises.pk, "profession": "ipa", "hours_per_week": ""})
    assert not CoverageTarget.objects.exists()
