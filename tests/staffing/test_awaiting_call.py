"""One definition of "waiting to be called": the list, its counts, the dashboard and the scheduler agree.

`Patient.next_consultation_at` is kept by a database trigger on consultations, so every
write path (booking, the scheduler's bulk insert, cancellation, expiry, outcome) is covered.
"""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from escorter.roles import Role
from patients.models import Patient
from patients.selectors import awaiting_call_by_tier, waiting_list_figures
from reporting.selectors.dashboard import coordinator_dashboard
from staffing.models import Consultation, ConsultationKind
from staffing.services import cancel_consultation, record_outcome
from staffing.services.booking import book_consultation, expire_proposals
from staffing.services.scheduler.run import candidate_patients, schedule_consultations
from tests.factories import make_user
from tests.staffing.booking_helpers import patient, permanence
from tests.staffing.factories import ConsultationFactory

pytestmark = pytest.mark.django_db


def _awaiting() -> set[int]:
    return set(Patient.objects.awaiting_call().values_list("pk", flat=True))


def _book(who, perm, offset=0):
    return book_consultation(
        patient=who,
        permanence=perm,
        start=perm.start + dt.timedelta(minutes=offset),
        kind=ConsultationKind.FIRST_VISIT,
        user=make_user(Role.SECRETARY),
    )


def test_booking_takes_the_patient_off_and_cancelling_puts_them_back():
    who, perm = patient(), permanence()
    assert who.pk in _awaiting()
    consultation = _book(who, perm)
    who.refresh_from_db()
    assert who.next_consultation_at == consultation.start and who.pk not in _awaiting()
    cancel_consultation(consultation=consultation, reason="Annulée par le patient", user=make_user(Role.SECRETARY))
    who.refresh_from_db()
    assert who.next_consultation_at is None and who.pk in _awaiting()


def test_a_scheduler_proposal_takes_the_patient_off_until_it_expires(settings):
    settings.SCHEDULER_RESERVE_SHARE = 0
    who, _ = patient(ald=True), permanence()
    report = schedule_consultations()
    assert report.proposed == 1 and who.pk not in _awaiting()
    proposal = Consultation.objects.get(patient=who)
    expire_proposals(now=proposal.expires_at)
    assert who.pk in _awaiting()


def test_the_earliest_of_two_appointments_is_the_next_one():
    who = patient()
    later = _book(who, permanence(days=14))
    sooner = _book(who, permanence(days=7))
    who.refresh_from_db()
    assert who.next_consultation_at == sooner.start
    cancel_consultation(consultation=sooner, reason="Annulée par l'équipe", user=make_user(Role.SECRETARY))
    who.refresh_from_db()
    assert who.next_consultation_at == later.start


def test_a_no_show_puts_the_patient_back_and_a_first_visit_moves_them_to_care():
    perm = permanence(days=-1)
    absent, seen = patient(), patient()
    now = perm.start + dt.timedelta(hours=3)
    practitioner = make_user(Role.PRACTITIONER)
    for who, was_seen, offset in ((absent, False, 0), (seen, True, 20)):
        start = perm.start + dt.timedelta(minutes=offset)
        consultation = ConsultationFactory(patient=who, permanence=perm, start=start)
        assert who.pk not in _awaiting()
        record_outcome(consultation=consultation, user=practitioner, seen=was_seen, now=now)
    assert _awaiting() == {absent.pk}
    seen.refresh_from_db()
    assert (seen.status, seen.next_consultation_at) == (Patient.Status.IN_CARE, None)


def test_saving_a_patient_loaded_before_a_booking_keeps_the_appointment():
    who = patient()
    stale = Patient.objects.get(pk=who.pk)
    consultation = _book(who, permanence())
    stale.notes = "Appeler plutôt le matin"
    stale.save()
    who.refresh_from_db()
    assert (who.notes, who.next_consultation_at) == ("Appeler plutôt le matin", consultation.start)


def test_list_header_dashboard_and_scheduler_count_the_same_patients(client, login_as):
    fragile = [patient(ald=True, birth_date=dt.date(1940, 1, 1)) for _ in range(3)]
    patient(pregnancy=True, birth_date=dt.date(1995, 1, 1), sex="F", lives_alone=True)
    patient()
    perm = permanence()
    _book(fragile[0], perm)
    in_care = patient(status=Patient.Status.IN_CARE)
    assert in_care.pk not in _awaiting()

    figures = waiting_list_figures()
    assert (figures["total"], figures["p1"], figures["p2"], figures["p3"]) == (4, 2, 1, 1)
    assert awaiting_call_by_tier() == {"P1": 2, "P2": 1, "P3": 1}
    assert coordinator_dashboard(today=timezone.localdate())["waiting_now"] == {"P1": 2, "P2": 1, "P3": 1}
    waiting_candidates = [p.pk for p in candidate_patients(timezone.now()) if p.status == Patient.Status.WAITING]
    assert sorted(waiting_candidates) == sorted(_awaiting())
    login_as(Role.SECRETARY)
    page = client.get("/patients/")
    assert page.context["count"] == 4 and not page.context["count_capped"]
    assert fragile[0] not in list(page.context["page"])
    scheduled = client.get("/patients/?status=scheduled")
    assert [p.pk for p in scheduled.context["page"]] == [fragile[0].pk]


def test_the_scheduler_serves_every_p1_before_any_p2_however_long_the_p2_waited(settings):
    settings.SCHEDULER_RESERVE_SHARE = 0
    perm = permanence(hours=1)  # three 20-minute slots
    fresh_p1 = [patient(ald=True, lives_alone=True) for _ in range(3)]
    patient(ald=True, referral_date=dt.date(2020, 1, 1))  # P2, 40 + 26 = 66 points
    schedule_consultations()
    proposed = set(Consultation.objects.filter(permanence=perm).values_list("patient_id", flat=True))
    assert proposed == {p.pk for p in fresh_p1}
