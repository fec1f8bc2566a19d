"""The scheduling run on the database: proposals, explanations, idempotence, lock, expiry."""

from __future__ import annotations

import datetime as dt
import threading

import pytest
from django.db import connection, transaction
from django.utils import timezone

from escorter.models import TaskRun
from escorter.roles import Role
from escorter.taskruns import enqueue
from patients.models import Patient
from staffing.models import Consultation, ConsultationKind, Profession
from staffing.services import confirm_proposal
from staffing.services.scheduler.run import LOCK_KEY, schedule_consultations
from staffing.tasks import schedule_consultations as schedule_task
from tests.factories import CommuneFactory, make_user
from tests.staffing.booking_helpers import at, patient, permanence
from tests.staffing.factories import ConsultationFactory

pytestmark = pytest.mark.django_db
PROPOSED = Consultation.Status.PROPOSED


@pytest.fixture(autouse=True)
def _no_reserve(settings):
    settings.SCHEDULER_RESERVE_SHARE = 0  # most tests count every slot; one test checks the reserve


def _done(who, perm, *, next_needed=True, offset=0):
    start = perm.start + dt.timedelta(minutes=offset)
    return ConsultationFactory(
        patient=who, permanence=perm, start=start, status=Consultation.Status.DONE, next_appointment_needed=next_needed
    )


def test_the_most_fragile_waiting_patient_gets_the_only_free_time():
    perm = permanence(hours=1)
    perm.end = perm.start + dt.timedelta(minutes=20)
    perm.save()
    fragile = patient(ald=True, birth_date=dt.date(1938, 1, 1))
    patient()
    report = schedule_consultations()
    assert report.proposed == 1
    proposal = Consultation.objects.get(status=PROPOSED)
    assert proposal.patient == fragile
    assert proposal.kind == ConsultationKind.FIRST_VISIT
    assert proposal.expires_at > timezone.now() + dt.timedelta(days=2)


def test_each_patient_is_proposed_the_nearest_site_and_the_reason_is_written():
    home_a = CommuneFactory(latitude=46.90, longitude=-2.10)
    home_b = CommuneFactory(latitude=47.05, longitude=-2.25)
    perm_a = permanence(hours=1, **at(home_a))
    perm_b = permanence(hours=1, **at(home_b))
    someone_a = patient(commune=home_a, ald=True)
    someone_b = patient(commune=home_b)
    schedule_consultations()
    assert Consultation.objects.get(patient=someone_a).permanence == perm_a
    assert Consultation.objects.get(patient=someone_b).permanence == perm_b
    explanation = Consultation.objects.get(patient=someone_a).explanation
    assert explanation.startswith(f"{someone_a.priority_tier}, ALD") and "0 km" in explanation


def test_ipa_and_nurse_time_serves_the_follow_up_and_prevention_they_may_give():
    gp_past = permanence(days=-10)
    ipa = permanence(profession=Profession.IPA, hours=1)  # two 30-minute slots
    nurse = permanence(profession=Profession.NURSE, hours=1)
    ald = patient(ald=True, status=Patient.Status.IN_CARE)
    other = patient(status=Patient.Status.IN_CARE)
    newcomer = patient()  # a first visit needs a GP: none has time
    _done(ald, gp_past)
    _done(other, gp_past, offset=20)
    schedule_consultations()
    follow_up = Consultation.objects.get(patient=ald, status=PROPOSED)
    assert follow_up.professional == ipa.professional and follow_up.kind == ConsultationKind.FOLLOW_UP
    prevention = Consultation.objects.get(patient=other, status=PROPOSED)
    assert prevention.professional in (ipa.professional, nurse.professional)
    assert prevention.kind == ConsultationKind.PREVENTION
    assert not Consultation.objects.filter(patient=newcomer).exists()


def test_continuity_prefers_the_practitioner_seen_last_time():
    past = permanence(days=-10)
    same_doctor = permanence(professional=past.professional, days=8, hours=1)
    permanence(days=7, hours=1)  # another GP, one day sooner, same distance
    who = patient(ald=True, status=Patient.Status.IN_CARE)
    _done(who, past)
    schedule_consultations()
    proposal = Consultation.objects.get(patient=who, status=PROPOSED)
    assert proposal.permanence == same_doctor
    assert "même médecin que la dernière fois" in proposal.explanation


def test_in_care_patients_are_only_proposed_when_a_next_appointment_was_asked():
    past = permanence(days=-10)
    permanence()
    who = patient(status=Patient.Status.IN_CARE)
    _done(who, past, next_needed=False)
    assert schedule_consultations().proposed == 0


def test_running_twice_proposes_the_same_set_and_never_duplicates():
    for _ in range(3):
        permanence(hours=1)
    for _ in range(12):
        patient()
    first = schedule_consultations()
    ids = set(Consultation.objects.filter(status=PROPOSED).values_list("patient_id", "start"))
    second = schedule_consultations()
    assert first.proposed == 9 and second.proposed == 0
    assert set(Consultation.objects.filter(status=PROPOSED).values_list("patient_id", "start")) == ids


def test_a_patient_with_a_booked_consultation_is_not_proposed_again():
    perm = permanence()
    who = patient()
    ConsultationFactory(patient=who, permanence=perm)
    assert schedule_consultations().proposed == 0


def test_expired_proposals_are_withdrawn_and_the_time_proposed_again():
    permanence(hours=1)
    patient()
    schedule_consultations()
    later = timezone.now() + dt.timedelta(days=4)
    report = schedule_consultations(now=later - dt.timedelta(days=3, hours=23))
    assert report.expired == 0
    report = schedule_consultations(now=timezone.now() + dt.timedelta(days=3, minutes=1))
    assert report.expired == 1 and report.proposed == 1
    assert Consultation.objects.filter(cancel_reason="Proposition expirée").count() == 1


def test_a_secretary_confirms_a_proposal_in_one_step():
    permanence()
    patient()
    schedule_consultations()
    proposal = Consultation.objects.get(status=PROPOSED)
    confirm_proposal(consultation=proposal, user=make_user(Role.SECRETARY))
    proposal.refresh_from_db()
    assert proposal.status == Consultation.Status.BOOKED


@pytest.mark.django_db(transaction=True)
def test_a_run_while_another_holds_the_lock_does_nothing():
    permanence()
    patient()
    held, release = threading.Event(), threading.Event()

    def holder():
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [LOCK_KEY])
            held.set()
            release.wait(20)
        connection.close()

    thread = threading.Thread(target=holder)
    thread.start()
    try:
        assert held.wait(10)
        report = schedule_consultations()
        assert report.skipped and report.proposed == 0
        assert "déjà en cours" in report.summary
    finally:
        release.set()
        thread.join(20)
    assert schedule_consultations().proposed == 1


def test_the_task_records_its_progress_and_summary(django_capture_on_commit_callbacks):
    permanence()
    patient()
    with django_capture_on_commit_callbacks(execute=True):
        run = enqueue(schedule_task, user=make_user(Role.COORDINATOR))
    run.refresh_from_db()
    assert run.status == TaskRun.Status.SUCCESS and run.progress == 100
    assert "1 proposition" in run.message and run.result["proposed"] == 1


def test_the_scheduler_leaves_a_share_of_each_permanence_to_phone_bookings(settings):
    settings.SCHEDULER_RESERVE_SHARE = 0.25
    perm = permanence(hours=2)  # six 20-minute starts: two stay free
    for _ in range(10):
        patient()
    assert schedule_consultations().proposed == 4
    taken = set(Consultation.objects.filter(status=PROPOSED).values_list("start", flat=True))
    assert taken == {perm.start + dt.timedelta(minutes=20 * i) for i in range(4)}
