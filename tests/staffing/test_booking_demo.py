"""The demo's consultations: history since June 2024 and upcoming bookings that fit the rota."""

import datetime as dt

import pytest
from django.conf import settings
from django.core.management import call_command
from django.db.models import F
from django.utils import timezone

from patients.models import Patient
from staffing.models import Consultation, ConsultationStatus

pytestmark = pytest.mark.django_db


def test_demo_history_and_bookings_are_consistent_with_the_rota_and_the_registry():
    call_command("seed_demo", verbosity=0)
    now = timezone.now()
    ours = Consultation.objects.filter(call__isnull=True)  # the SNP line's demo adds its own
    past = ours.filter(start__lt=now - dt.timedelta(days=1))
    assert timezone.localdate(past.order_by("start").first().start) >= dt.date(2024, 6, 1)
    for status in (ConsultationStatus.DONE, ConsultationStatus.NO_SHOW, ConsultationStatus.CANCELLED):
        assert past.filter(status=status).exists(), status
    assert ours.filter(status=ConsultationStatus.BOOKED, start__gt=now).count() >= 20
    assert ours.filter(status=ConsultationStatus.PROPOSED).exists()
    # inside a planned permanence, held by its professional (a cancelled one keeps its cancelled time)
    assert not ours.exclude(status=ConsultationStatus.CANCELLED).exclude(permanence__status="planned").exists()
    assert not ours.filter(start__lt=F("permanence__start")).exists()
    assert not ours.filter(end__gt=F("permanence__end")).exists()
    assert not ours.exclude(professional=F("permanence__professional_id")).exists()
    # patients whose GP was found had a last consultation saying so, before the declaration
    found = ours.filter(gp_found=True).select_related("patient")
    assert found.count() >= 10
    for consultation in found[:50]:
        assert consultation.patient.status == Patient.Status.GP_FOUND
        assert timezone.localdate(consultation.start) <= consultation.patient.gp_found_date
    # nobody still waiting was seen by the team
    assert not ours.filter(status=ConsultationStatus.DONE, patient__status=Patient.Status.WAITING).exists()


def test_the_booking_tasks_are_on_the_beat_schedule():
    from escorter.celery import app

    tasks = {entry["task"] for entry in settings.CELERY_BEAT_SCHEDULE.values()}
    assert {"staffing.tasks.schedule_consultations", "staffing.tasks.send_reminders"} <= tasks
    app.loader.import_default_modules()
    assert {"staffing.tasks.schedule_consultations", "staffing.tasks.send_reminders"} <= set(app.tasks)
