"""Turning rota rules into permanences: recurrence, holidays, absences, closures, idempotence, rule changes."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from escorter.models import TaskRun
from escorter.roles import Role
from staffing import tasks
from staffing.models import ConsultationKind, Permanence, RotaRule
from staffing.services import book_consultation, rota
from tests.factories import make_user
from tests.patients.factories import PatientFactory
from tests.staffing.factories import (
    PARIS,
    AbsenceFactory,
    ClosureFactory,
    PermanenceFactory,
    ProfessionalFactory,
    RotaRuleFactory,
)

pytestmark = pytest.mark.django_db

MONDAY = dt.date(2030, 1, 7)  # far enough in the future for "future only" rules


def test_weekly_rule_recurs_every_week():
    rule = RotaRuleFactory.build(weekday=1, valid_from=dt.date(2030, 1, 1))
    assert rota.rule_dates(rule, MONDAY, MONDAY + dt.timedelta(days=27)) == [
        dt.date(2030, 1, 8),
        dt.date(2030, 1, 15),
        dt.date(2030, 1, 22),
        dt.date(2030, 1, 29),
    ]


def test_every_two_weeks_counts_from_the_start_date_whatever_the_window():
    rule = RotaRuleFactory.build(
        weekday=1, recurrence=RotaRule.Recurrence.EVERY_N_WEEKS, interval_weeks=2, valid_from=dt.date(2030, 1, 8)
    )
    assert rota.rule_dates(rule, dt.date(2030, 1, 14), dt.date(2030, 2, 10)) == [
        dt.date(2030, 1, 22),
        dt.date(2030, 2, 5),
    ]


def test_nth_weekday_of_month_and_last_weekday():
    second = RotaRuleFactory.build(
        weekday=3, recurrence=RotaRule.Recurrence.MONTHLY_NTH, week_of_month=2, valid_from=dt.date(2030, 1, 1)
    )
    last = RotaRuleFactory.build(
        weekday=4, recurrence=RotaRule.Recurrence.MONTHLY_NTH, week_of_month=-1, valid_from=dt.date(2030, 1, 1)
    )
    assert rota.rule_dates(second, dt.date(2030, 1, 1), dt.date(2030, 3, 31)) == [
        dt.date(2030, 1, 10),
        dt.date(2030, 2, 14),
        dt.date(2030, 3, 14),
    ]
    assert rota.rule_dates(last, dt.date(2030, 1, 1), dt.date(2030, 2, 28)) == [
        dt.date(2030, 1, 25),
        dt.date(2030, 2, 22),
    ]


def test_rule_stops_at_its_valid_until_date():
    rule = RotaRuleFactory.build(weekday=1, valid_from=dt.date(2030, 1, 1), valid_until=dt.date(2030, 1, 16))
    assert rota.rule_dates(rule, MONDAY, MONDAY + dt.timedelta(days=27)) == [dt.date(2030, 1, 8), dt.date(2030, 1, 15)]


def test_generation_creates_timezone_aware_permanences_in_paris_time():
    rule = RotaRuleFactory(weekday=1)
    report = rota.generate_permanences(start=MONDAY, weeks=2)
    assert report.created == 2
    first = Permanence.objects.order_by("start").first()
    assert first.start == dt.datetime(2030, 1, 8, 8, 30, tzinfo=PARIS)
    assert first.rule == rule and first.origin == Permanence.Origin.RULE
    assert first.kinds == rule.kinds


def test_running_generation_twice_creates_nothing_new():
    RotaRuleFactory(weekday=1)
    RotaRuleFactory(weekday=3, recurrence=RotaRule.Recurrence.MONTHLY_NTH, week_of_month=1)
    first = rota.generate_permanences(start=MONDAY, weeks=12)
    count = Permanence.objects.count()
    second = rota.generate_permanences(start=MONDAY, weeks=12)
    assert first.created == count > 0
    assert second.created == 0 and second.updated == 0 and second.removed == 0
    assert Permanence.objects.count() == count


def test_french_public_holidays_are_skipped():
    RotaRuleFactory(weekday=0)  # Mondays: Easter Monday 2030 is 22 April
    rota.generate_permanences(start=dt.date(2030, 4, 15), weeks=2)
    days = [timezone.localtime(p.start).date() for p in Permanence.objects.all()]
    assert days == [dt.date(2030, 4, 15)]


def test_absences_and_closures_are_skipped():
    rule = RotaRuleFactory(weekday=1)
    AbsenceFactory(professional=rule.professional, start_date=dt.date(2030, 1, 7), end_date=dt.date(2030, 1, 9))
    ClosureFactory(premises=rule.premises, start_date=dt.date(2030, 1, 15), end_date=dt.date(2030, 1, 15))
    report = rota.generate_permanences(start=MONDAY, weeks=3)
    days = [timezone.localtime(p.start).date() for p in Permanence.objects.all()]
    assert days == [dt.date(2030, 1, 22)]
    assert report.skipped == 2


def test_changed_rule_updates_future_unbooked_permanences():
    rule = RotaRuleFactory(weekday=1)
    rota.generate_permanences(start=MONDAY, weeks=2)
    rule.start_time, rule.end_time = dt.time(14, 0), dt.time(17, 30)
    rule.save()
    report = rota.generate_permanences(start=MONDAY, weeks=2)
    assert report.updated == 2 and report.created == 0
    assert {timezone.localtime(p.start).time() for p in Permanence.objects.all()} == {dt.time(14, 0)}


def test_changed_rule_leaves_booked_permanences_and_reports_them():
    rule = RotaRuleFactory(weekday=1)
    rota.generate_permanences(start=MONDAY, weeks=2)
    booked = Permanence.objects.order_by("start").first()
    book_consultation(
        patient=PatientFactory(),
        permanence=booked,
        start=booked.start,
        kind=ConsultationKind.FIRST_VISIT,
        user=make_user(Role.SECRETARY),
    )
    rule.weekday = 2
    rule.save()
    report = rota.generate_permanences(start=MONDAY, weeks=2)
    assert [pk for pk, _ in report.blocked] == [booked.pk]
    assert "plus prévue par la règle" in report.blocked[0][1]
    assert Permanence.objects.filter(pk=booked.pk).exists()
    assert report.removed == 1 and report.created == 2


def test_past_permanences_are_never_rewritten():
    rule = RotaRuleFactory(weekday=1)
    past_monday = dt.date(2025, 1, 6)
    rota.generate_permanences(start=past_monday, weeks=2)
    rule.start_time = dt.time(9, 0)
    rule.save()
    report = rota.generate_permanences(start=past_monday, weeks=2)
    assert report.updated == 0 and report.unchanged == 2


def test_deactivated_rule_removes_its_future_permanences():
    rule = RotaRuleFactory(weekday=1, valid_from=timezone.localdate())
    rota.generate_permanences(weeks=4)
    assert Permanence.objects.filter(rule=rule).exists()
    rota.deactivate_rule(rule=rule)
    assert not Permanence.objects.filter(rule=rule, start__gt=timezone.now()).exists()


def test_a_cancelled_occurrence_is_not_recreated():
    RotaRuleFactory(weekday=1)
    rota.generate_permanences(start=MONDAY, weeks=1)
    Permanence.objects.update(status=Permanence.Status.CANCELLED, cancel_reason="Grève")
    report = rota.generate_permanences(start=MONDAY, weeks=1)
    assert report.created == 0 and Permanence.objects.count() == 1


def test_occurrence_that_clashes_with_a_manual_permanence_is_reported_with_its_name():
    rule = RotaRuleFactory(weekday=1)
    PermanenceFactory(
        professional=rule.professional,
        start=dt.datetime(2030, 1, 8, 10, 0, tzinfo=PARIS),
        end=dt.datetime(2030, 1, 8, 12, 0, tzinfo=PARIS),
    )
    report = rota.generate_permanences(start=MONDAY, weeks=2)
    assert report.created == 1
    assert len(report.conflicts) == 1
    assert "déjà une permanence" in report.conflicts[0] and "08/01/2030 de 10:00 à 12:00" in report.conflicts[0]


def test_preview_lists_holidays_and_conflicts_without_writing():
    professional = ProfessionalFactory()
    rule = RotaRuleFactory.build(
        professional=professional, weekday=0, room=None, valid_from=dt.date(2030, 4, 1), premises=None
    )
    rule.premises = PermanenceFactory(professional=professional).premises
    Permanence.objects.all().delete()
    occurrences = rota.preview_rule(rule, weeks=3, today=dt.date(2030, 4, 15))
    assert [o.date for o in occurrences] == [dt.date(2030, 4, 15), dt.date(2030, 4, 22), dt.date(2030, 4, 29)]
    assert occurrences[1].skip_reason == "Jour férié (Lundi de Pâques)"
    assert Permanence.objects.count() == 0


def test_task_records_its_report_in_a_task_run():
    RotaRuleFactory(weekday=1, valid_from=timezone.localdate())
    result = tasks.generate_permanences.delay(weeks=3).get()
    created = Permanence.objects.count()
    assert result["created"] == created >= 2  # three Tuesdays, at most one a public holiday
    run = TaskRun.objects.get(task_name="staffing.tasks.generate_permanences")
    assert run.status == TaskRun.Status.SUCCESS and f"{created} permanence(s) créée(s)" in run.message


def test_nightly_generation_is_in_the_beat_schedule(settings):
    entry = settings.CELERY_BEAT_SCHEDULE["generate-permanences-nightly"]
    assert entry["task"] == tasks.generate_permanences.name


def test_generation_query_count_does_not_grow_with_rules_or_permanences():
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    def run(rule_count: int) -> tuple[int, int]:
        rules = [RotaRuleFactory(weekday=day % 5, valid_from=dt.date(2030, 1, 1)) for day in range(rule_count)]
        ids = [rule.pk for rule in rules]
        with CaptureQueriesContext(connection) as first:
            report = rota.generate_permanences(start=MONDAY, weeks=8, rule_ids=ids)
        assert report.created == 8 * rule_count - report.skipped and not report.conflicts
        with CaptureQueriesContext(connection) as again:
            assert rota.generate_permanences(start=MONDAY, weeks=8, rule_ids=ids).created == 0
        return len(first), len(again)

    assert run(2) == run(6)
