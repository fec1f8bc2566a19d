"""Each status set is named once: the triggers installed in PostgreSQL, the exclusion
constraints and the templates all read the constants on the models."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection

from sites.models import Premises
from staffing.models import Consultation, Permanence

pytestmark = pytest.mark.django_db

S = Consultation.Status
STATUS_LISTS = re.compile(r"status\s+(?:NOT\s+)?IN\s*\(([^)]*)\)", re.IGNORECASE)


def installed_status_lists(function: str) -> list[set[str]]:
    """The value lists of every `status IN (…)` in the body PostgreSQL holds for `function`."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_get_functiondef(oid) FROM pg_proc WHERE proname = %s", [function])
        (definition,) = cursor.fetchone()
    return [set(re.findall(r"'([^']*)'", values)) for values in STATUS_LISTS.findall(definition)]


def values(*statuses) -> set[str]:
    return {str(status) for status in statuses}


@pytest.mark.parametrize(
    "function, expected",
    [
        ("staffing_permanence_keeps_consultations", [values(*Consultation.ACTIVE_STATUSES)]),
        (
            "staffing_consultation_inside_permanence",
            [
                values(*Consultation.UPCOMING_STATUSES),
                values(Permanence.Status.PLANNED),
                values(Premises.Status.OPEN),
            ],
        ),
        (
            "staffing_permanence_cancelled_empty",
            [
                values(Permanence.Status.CANCELLED),
                values(Permanence.Status.CANCELLED),
                values(*Consultation.UPCOMING_STATUSES),
            ],
        ),
        ("staffing_refresh_next_consultation", [values(*Consultation.UPCOMING_STATUSES)]),
    ],
)
def test_installed_trigger_reads_the_status_sets_of_the_models(function, expected):
    assert installed_status_lists(function) == expected


@pytest.mark.parametrize("name", ["consultation_no_professional_overlap", "consultation_no_patient_overlap"])
def test_overlap_constraints_cover_exactly_the_active_statuses(name):
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_get_constraintdef(oid) FROM pg_constraint WHERE conname = %s", [name])
        (definition,) = cursor.fetchone()
    where = definition.split("WHERE", 1)[1]
    assert set(re.findall(r"'([^']*)'", where)) == values(*Consultation.ACTIVE_STATUSES)


def test_status_sets_nest_as_their_names_say():
    assert set(Consultation.UPCOMING_STATUSES) <= set(Consultation.ACTIVE_STATUSES)
    assert set(Consultation.HELD_STATUSES) <= set(Consultation.ACTIVE_STATUSES)
    assert set(Consultation.OUTCOME_STATUSES) <= set(Consultation.HELD_STATUSES)
    assert S.CANCELLED not in Consultation.ACTIVE_STATUSES


@pytest.mark.parametrize("status", list(S))
def test_status_properties_follow_the_sets(status):
    consultation = Consultation(status=status)
    assert consultation.is_active == (status in Consultation.ACTIVE_STATUSES)
    assert consultation.has_outcome == (status in Consultation.OUTCOME_STATUSES)
    flags = [consultation.is_proposed, consultation.is_booked, consultation.is_done]
    flags += [consultation.is_no_show, consultation.is_cancelled]
    assert flags == [status == s for s in (S.PROPOSED, S.BOOKED, S.DONE, S.NO_SHOW, S.CANCELLED)]


def test_no_template_compares_a_status_string():
    """Templates ask the model (`consultation.is_booked`), never `c.status == 'booked'`."""
    comparisons = re.compile(r"\.(status|state)\s*(==|!=)")
    base = Path(settings.BASE_DIR)
    offenders = [
        f"{path.relative_to(base)}:{number}"
        for folder in [base / "templates", *base.glob("*/templates")]
        for path in folder.rglob("*.html")
        for number, line in enumerate(path.read_text().splitlines(), 1)
        if comparisons.search(line)
    ]
    assert offenders == []


def test_patient_statuses_are_either_active_or_closed_and_the_database_knows_them_all():
    from patients.models import Patient

    active, closed = set(Patient.ACTIVE_STATUSES), set(Patient.CLOSED_STATUSES)
    assert not active & closed and active | closed == set(Patient.Status)
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_get_constraintdef(oid) FROM pg_constraint WHERE conname = 'patient_status_valid'")
        (definition,) = cursor.fetchone()
    assert set(re.findall(r"'([^']*)'", definition)) == set(Patient.Status.values)
