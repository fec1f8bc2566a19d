"""Day-before reminders: consenting patients only, each reminder sent once whatever happens."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from django.core import mail
from django.utils import timezone

from escorter.models import TaskRun
from escorter.roles import Role
from escorter.taskruns import enqueue
from staffing.models import Consultation, Reminder
from staffing.services.reminders import send_due_reminders
from staffing.tasks import send_reminders
from tests.concurrency import at_once
from tests.conftest import wait_until
from tests.factories import make_user
from tests.staffing.booking_helpers import patient, permanence
from tests.staffing.factories import ConsultationFactory


@pytest.fixture(autouse=True)
def _own_sms_file(settings, tmp_path):
    settings.SMS_FILE_PATH = tmp_path / "sms.log"


def _ten_am_today() -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(timezone.localdate(), dt.time(10, 0)))


def _booked_tomorrow(*, consent=True, email="", phone="0612345678", status=Consultation.Status.BOOKED):
    perm = permanence(days=1)
    who = patient(sms_consent=consent, email=email, phone=phone)
    return ConsultationFactory(
        patient=who,
        permanence=perm,
        status=status,
        **({"cancel_reason": "Annulée par le patient"} if status == Consultation.Status.CANCELLED else {}),
    )


def _sms_lines(path) -> list[dict]:
    if not path.exists():
        return []
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


@pytest.mark.django_db
def test_a_consenting_patient_gets_one_sms_and_one_email_the_day_before(settings):
    consultation = _booked_tomorrow(email="patient@example.org")
    report = send_due_reminders(now=_ten_am_today())
    assert report.sent == 2
    lines = _sms_lines(settings.SMS_FILE_PATH)
    assert [line["to"] for line in lines] == ["0612345678"]
    assert timezone.localtime(consultation.start).strftime("%d/%m/%Y") in lines[0]["text"]
    assert len(mail.outbox) == 1 and mail.outbox[0].to == ["patient@example.org"]


@pytest.mark.django_db
def test_no_reminder_without_sms_consent(settings):
    _booked_tomorrow(consent=False, email="patient@example.org")
    assert send_due_reminders(now=_ten_am_today()).sent == 0
    assert _sms_lines(settings.SMS_FILE_PATH) == [] and mail.outbox == []


@pytest.mark.django_db
def test_running_twice_sends_once(settings):
    _booked_tomorrow()
    send_due_reminders(now=_ten_am_today())
    second = send_due_reminders(now=_ten_am_today() + dt.timedelta(hours=1))
    assert second.sent == 0
    assert len(_sms_lines(settings.SMS_FILE_PATH)) == 1
    assert Reminder.objects.get().status == Reminder.Status.SENT


@pytest.mark.django_db
def test_a_reminder_claimed_by_a_worker_that_died_is_not_sent_again(settings):
    consultation = _booked_tomorrow()
    Reminder.objects.create(
        consultation=consultation,
        channel=Reminder.Channel.SMS,
        recipient="0612345678",
        status=Reminder.Status.SENDING,
        claimed_at=_ten_am_today() - dt.timedelta(hours=1),
    )
    report = send_due_reminders(now=_ten_am_today())
    assert report.sent == 0 and report.stale == 1
    assert _sms_lines(settings.SMS_FILE_PATH) == []
    assert Reminder.objects.get().status == Reminder.Status.FAILED


@pytest.mark.django_db
def test_a_cancelled_consultation_gets_no_reminder(settings):
    _booked_tomorrow(status=Consultation.Status.CANCELLED)
    assert send_due_reminders(now=_ten_am_today()).sent == 0


@pytest.mark.django_db
def test_nothing_is_sent_at_night(settings):
    _booked_tomorrow()
    night = _ten_am_today().replace(hour=2)
    assert send_due_reminders(now=night).outside_hours
    assert _sms_lines(settings.SMS_FILE_PATH) == []


@pytest.mark.django_db(transaction=True)
def test_two_runs_at_the_same_moment_send_each_reminder_once(settings):
    for i in range(8):
        _booked_tomorrow(phone=f"06000000{i:02d}")
    reports = at_once(lambda: send_due_reminders(now=_ten_am_today()), timeout=30)
    assert sum(r.sent for r in reports) == 8
    phones = [line["to"] for line in _sms_lines(settings.SMS_FILE_PATH)]
    assert len(phones) == 8 == len(set(phones))


@pytest.mark.worker
@pytest.mark.django_db(transaction=True)
def test_reminders_are_sent_exactly_once_by_a_real_worker_even_when_enqueued_twice(celery_worker, settings):
    consultation = _booked_tomorrow(phone="0698765432")
    user = make_user(Role.COORDINATOR)
    at = _ten_am_today().isoformat()  # inside the sending hours whatever the time of the test run
    runs = [enqueue(send_reminders, user=user, at=at), enqueue(send_reminders, user=user, at=at)]
    finished = wait_until(
        lambda: TaskRun.objects.filter(pk__in=[r.pk for r in runs], status__in=["success", "failure"]).count() == 2,
        message="both reminder runs to finish",
    )
    assert finished
    for run in TaskRun.objects.filter(pk__in=[r.pk for r in runs]):
        assert run.status == TaskRun.Status.SUCCESS, run.message
    sms = _sms_lines(celery_worker["sms_file"])
    assert [line["to"] for line in sms if line["to"] == "0698765432"] == ["0698765432"]
    assert Reminder.objects.get(consultation=consultation, channel="sms").status == Reminder.Status.SENT
