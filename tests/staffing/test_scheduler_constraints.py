"""The scheduler offers only time that can really happen, to patients who can reach it, and refills
freed time at once."""

from __future__ import annotations

import datetime as dt
import threading

import pytest
from django.db import connection, transaction
from django.utils import timezone

from sites.models import Closure, Premises
from staffing.models import Absence, Consultation, ConsultationKind
from staffing.selectors.booking import booking_options
from staffing.services import book_consultation, cancel_consultation, reject_proposal
from staffing.services.scheduler.run import LOCK_KEY, refill_freed_time, schedule_consultations
from tests.staffing.booking_helpers import patient, permanence
from tests.staffing.factories import PremisesFactory, RoomFactory

pytestmark = pytest.mark.django_db
PROPOSED = Consultation.Status.PROPOSED


@pytest.fixture(autouse=True)
def _no_reserve(settings):
    settings.SCHEDULER_RESERVE_SHARE = 0


def _day(perm) -> dt.date:
    return timezone.localdate(perm.start)


def test_no_proposal_in_the_time_of_an_absent_professional():
    perm = permanence(days=3)
    Absence.objects.create(professional=perm.professional, start_date=_day(perm), end_date=_day(perm))
    patient()
    assert schedule_consultations().proposed == 0


def test_no_proposal_on_a_closed_day_nor_in_a_closed_room():
    closed_premises = permanence(days=3)
    Closure.objects.create(
        premises=closed_premises.premises,
        start_date=_day(closed_premises),
        end_date=_day(closed_premises),
        reason="Élections",
    )
    room = RoomFactory()
    closed_room = permanence(days=3, room=room, premises=room.premises)
    Closure.objects.create(
        premises=room.premises, room=room, start_date=_day(closed_room), end_date=_day(closed_room), reason="Peinture"
    )
    patient()
    assert schedule_consultations().proposed == 0


def test_premises_still_being_prepared_are_neither_proposed_nor_offered_on_the_booking_page():
    preparing = PremisesFactory(status=Premises.Status.PREPARING, available_from=dt.date(2024, 1, 1))
    permanence(days=3, premises=preparing)
    who = patient()
    assert schedule_consultations().proposed == 0
    assert booking_options(patient=who, kind=ConsultationKind.FIRST_VISIT) == []


def test_a_patient_with_a_mobility_need_is_only_proposed_a_step_free_room():
    stairs = RoomFactory(wheelchair_accessible=False)
    permanence(days=2, room=stairs, premises=stairs.premises)
    step_free = RoomFactory(wheelchair_accessible=True)
    accessible = permanence(days=9, room=step_free, premises=step_free.premises, hours=1)
    accessible.end = accessible.start + dt.timedelta(minutes=20)
    accessible.save()
    in_wheelchair = patient(mobility_need=True)
    walking = patient(ald=True, birth_date=dt.date(1930, 1, 1))  # more fragile, could take the step-free slot
    schedule_consultations()
    assert Consultation.objects.get(patient=in_wheelchair, status=PROPOSED).permanence == accessible
    assert Consultation.objects.get(patient=walking, status=PROPOSED).permanence.room == stairs


# --- Refill ---------------------------------------------------------------------------------------


def test_a_cancelled_booking_is_proposed_to_the_most_fragile_waiting_patient_at_once(
    django_capture_on_commit_callbacks,
):
    perm = permanence(days=3, hours=1)
    perm.end = perm.start + dt.timedelta(minutes=20)
    perm.save()
    booked = book_consultation(
        patient=patient(), permanence=perm, start=perm.start, kind=ConsultationKind.FIRST_VISIT, user=None
    )
    fragile = patient(ald=True, birth_date=dt.date(1935, 1, 1))
    patient()
    with django_capture_on_commit_callbacks(execute=True):
        cancel_consultation(consultation=booked, reason="Annulée par le patient", user=None)
    proposal = Consultation.objects.get(status=PROPOSED)
    assert proposal.patient == fragile and proposal.permanence == perm and proposal.start == perm.start


def test_a_refused_proposal_goes_to_the_next_patient_not_back_to_who_refused(django_capture_on_commit_callbacks):
    perm = permanence(days=3, hours=1)
    perm.end = perm.start + dt.timedelta(minutes=20)
    perm.save()
    first, second = patient(ald=True, birth_date=dt.date(1935, 1, 1)), patient()
    schedule_consultations()
    offered = Consultation.objects.get(status=PROPOSED)
    assert offered.patient == first
    with django_capture_on_commit_callbacks(execute=True):
        reject_proposal(consultation=offered, user=None)
    assert Consultation.objects.get(status=PROPOSED).patient == second


@pytest.mark.django_db(transaction=True)
def test_a_refill_waits_its_turn_while_the_nightly_run_holds_the_lock():
    perm = permanence(days=3)
    patient()
    held, release = threading.Event(), threading.Event()

    def nightly():
        with transaction.atomic():
            with connection.cursor() as cursor:
                cursor.execute("SELECT pg_advisory_xact_lock(%s)", [LOCK_KEY])
            held.set()
            release.wait(10)
        connection.close()

    thread = threading.Thread(target=nightly)
    thread.start()
    held.wait(10)
    assert refill_freed_time(permanence_ids=[perm.pk]).skipped
    release.set()
    thread.join(10)
    assert refill_freed_time(permanence_ids=[perm.pk]).proposed == 1
