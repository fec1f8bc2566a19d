"""A call opened by mistake and left empty is never listed nor counted, and the worker deletes
it after EMPTY_CALL_KEPT; a call with anything typed in it is kept."""

from __future__ import annotations

import datetime as dt

import pytest
from django.conf import settings

from patients.models import Call, CallOutcome
from patients.models.calls import EMPTY_CALL_KEPT
from patients.selectors.calls import line_figures
from patients.services.calls import discard_empty_calls
from tests.factories import make_user

pytestmark = pytest.mark.django_db
NOW = dt.datetime(2026, 12, 1, 10, 0, tzinfo=dt.UTC)


def _call(minutes_ago: int, **fields) -> Call:
    call = Call.objects.create(received_at=NOW - dt.timedelta(minutes=minutes_ago), **fields)
    Call.objects.filter(pk=call.pk).update(created_at=NOW - dt.timedelta(minutes=minutes_ago))
    return call


def test_an_empty_call_older_than_the_delay_is_deleted():
    old = _call(45)
    recent = _call(10)
    assert discard_empty_calls(now=NOW) == 1
    assert not Call.objects.filter(pk=old.pk).exists() and Call.objects.filter(pk=recent.pk).exists()


def test_a_call_with_anything_typed_is_kept():
    kept = [
        _call(60, caller_phone="0612345678"),
        _call(60, reason="fièvre"),
        _call(60, outcome=CallOutcome.NO_ACTION, closed_at=NOW),
    ]
    assert discard_empty_calls(now=NOW) == 0
    assert Call.objects.filter(pk__in=[c.pk for c in kept]).count() == 3


def test_an_empty_call_is_never_counted_even_before_it_is_deleted():
    _call(5)
    _call(20, reason="douleur", outcome=CallOutcome.ADVICE_GIVEN, closed_at=NOW, handled_by=make_user("secretary"))
    figures = line_figures(start=NOW - dt.timedelta(hours=1), end=NOW + dt.timedelta(minutes=1))
    assert figures["total"] == 1


def test_the_delay_is_half_an_hour_and_the_worker_runs_every_ten_minutes():
    assert EMPTY_CALL_KEPT == dt.timedelta(minutes=30)
    entry = settings.CELERY_BEAT_SCHEDULE["discard-empty-calls"]
    assert entry["task"] == "patients.tasks.discard_empty_calls"


def test_the_log_shows_a_just_opened_empty_call_but_not_an_old_one():
    recent, old = _call(10), _call(45)
    listed = set(
        Call.objects.received_between(NOW - dt.timedelta(hours=2), NOW, now=NOW).values_list("pk", flat=True)
    )
    assert recent.pk in listed and old.pk not in listed
