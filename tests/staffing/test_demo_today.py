"""seed_demo's "today" step: on any date the practitioner has patients today, the secretary has
arrivals and the line has calls from the last hours; a second run adds nothing."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest

from escorter.roles import Role
from patients.models import Call, Patient
from staffing import demo_today
from staffing.models import Consultation, Permanence
from tests.factories import make_user
from tests.patients.factories import PatientFactory
from tests.staffing.factories import ProfessionalFactory, RotaRuleFactory

pytestmark = pytest.mark.django_db
PARIS = ZoneInfo("Europe/Paris")
# a Sunday: no rota rule of the demo practitioner falls on it
SUNDAY_MORNING = dt.datetime(2027, 3, 7, 9, 40, tzinfo=PARIS)


@pytest.fixture
def demo_practitioner():
    user = make_user(Role.PRACTITIONER, username="dr.martin")
    make_user(Role.SECRETARY, username="secretariat")
    professional = ProfessionalFactory(user=user, first_name="Paul", last_name="Martin")
    RotaRuleFactory(professional=professional)
    PatientFactory.create_batch(4, status=Patient.Status.IN_CARE)
    PatientFactory.create_batch(6, status=Patient.Status.WAITING)
    return professional


def test_on_a_sunday_the_practitioner_gets_a_morning_with_patients(demo_practitioner):
    demo_today.seed(now=SUNDAY_MORNING)
    permanence = Permanence.objects.get(professional=demo_practitioner)
    assert permanence.start.astimezone(PARIS).date() == SUNDAY_MORNING.date()
    today = Consultation.objects.filter(permanence=permanence)
    assert today.count() == demo_today.PATIENTS_TODAY
    assert today.filter(start__lt=SUNDAY_MORNING).exists() and today.filter(start__gt=SUNDAY_MORNING).exists()
    assert today.filter(arrived_at__isnull=False).exists()  # the secretary's arrivals


def test_calls_were_received_in_the_last_hours(demo_practitioner):
    demo_today.seed(now=SUNDAY_MORNING)
    recent = Call.objects.received_between(SUNDAY_MORNING - dt.timedelta(hours=3), SUNDAY_MORNING)
    assert recent.count() == len(demo_today.CALLS_THIS_MORNING)
    assert recent.filter(outcome="").count() == 1  # the one being handled


def test_a_second_run_the_same_day_adds_nothing(demo_practitioner):
    demo_today.seed(now=SUNDAY_MORNING)
    counts = (Permanence.objects.count(), Consultation.objects.count(), Call.objects.count())
    demo_today.seed(now=SUNDAY_MORNING + dt.timedelta(minutes=5))
    assert (Permanence.objects.count(), Consultation.objects.count(), Call.objects.count()) == counts
