"""Every disruption path ends the same way: nothing left on lost time, each patient re-proposed
or queued "à rappeler" with the reason, one SMS to consenting booked patients, no reminder."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from escorter.roles import Role
from sites.models import Closure, Premises
from staffing.models import (
    Absence,
    CallBack,
    Consultation,
    ConsultationKind,
    Permanence,
    Profession,
    Reminder,
)
from staffing.services import SlotUnavailable, book_consultation, disruptions
from staffing.services.reminders import send_due_reminders, send_move_notices
from staffing.services.rota import cancel_permanence, record_absence
from tests.factories import make_user
from tests.staffing.booking_helpers import patient, permanence
from tests.staffing.factories import PremisesFactory, ProfessionalFactory, RoomFactory

pytestmark = pytest.mark.django_db
FIRST = ConsultationKind.FIRST_VISIT


@pytest.fixture(autouse=True)
def _own_sms_file(settings, tmp_path):
    settings.SMS_FILE_PATH = tmp_path / "sms.log"


def _sms(settings) -> list[dict]:
    path = settings.SMS_FILE_PATH
    if not path.exists():
        return []
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


def _now() -> dt.datetime:
    """10:00 today, Paris: inside the SMS sending hours whatever the hour the test runs."""
    return timezone.make_aware(dt.datetime.combine(timezone.localdate(), dt.time(10, 0)))


def _book(perm, who, *, minutes=0):
    start = perm.start + dt.timedelta(minutes=minutes)
    return book_consultation(patient=who, permanence=perm, start=start, kind=FIRST, user=None, now=_now())


def _propose(perm, who, *, minutes=0, expires_in=dt.timedelta(days=3)):
    return Consultation.objects.create(
        patient=who,
        permanence=perm,
        professional=perm.professional,
        start=perm.start + dt.timedelta(minutes=minutes),
        end=perm.start + dt.timedelta(minutes=minutes + 20),
        kind=FIRST,
        status=Consultation.Status.PROPOSED,
        expires_at=_now() + expires_in,
    )


def _active_on(perm) -> int:
    return Consultation.objects.filter(permanence=perm, status__in=["proposed", "booked"]).count()


def _new_time_of(consultation) -> Consultation | None:
    return Consultation.objects.filter(rescheduled_from=consultation).first()


def test_cancelling_a_permanence_moves_every_patient_and_texts_the_booked_ones_once(
    settings, django_capture_on_commit_callbacks
):
    doctor = ProfessionalFactory(profession=Profession.GP)
    lost = permanence(days=7, professional=doctor)
    same_doctor_later = permanence(days=9, professional=doctor, hours=2)
    booked = _book(lost, patient(sms_consent=True), minutes=0)
    silent = _book(lost, patient(sms_consent=False), minutes=20)
    proposed = _propose(lost, patient(sms_consent=True), minutes=40)
    coordinator = make_user(Role.COORDINATOR)

    with django_capture_on_commit_callbacks(execute=True):
        result = cancel_permanence(permanence=lost, reason="Médecin malade", user=coordinator, now=_now())

    lost.refresh_from_db()
    assert lost.status == Permanence.Status.CANCELLED and lost.cancel_reason == "Médecin malade"
    assert _active_on(lost) == 0
    assert len(result.moved) == 3 and result.queued == []
    for old in (booked, silent, proposed):
        old.refresh_from_db()
        assert old.status == Consultation.Status.CANCELLED and old.cancel_reason == "Médecin malade"
        new = _new_time_of(old)
        assert new.status == Consultation.Status.PROPOSED and new.kind == FIRST
        assert new.permanence == same_doctor_later  # the same practitioner, the soonest time
        assert new.explanation.startswith("Reprogrammée")
    # one SMS, to the booked patient who accepts them, naming the new time; never a second one
    texts = _sms(settings)
    assert [t["to"] for t in texts] == [booked.patient.phone]
    new_start = timezone.localtime(_new_time_of(booked).start)
    assert f"{new_start:%d/%m/%Y} à {new_start:%H:%M}" in texts[0]["text"]
    send_move_notices(now=_now())
    send_due_reminders(now=_now())
    assert len(_sms(settings)) == 1
    assert Reminder.objects.filter(purpose=Reminder.Purpose.MOVED).count() == 1


def test_a_patient_with_no_free_time_in_the_horizon_lands_in_the_call_back_queue_with_the_reason(
    settings, django_capture_on_commit_callbacks
):
    lost = permanence(days=3)
    booked = _book(lost, patient(sms_consent=True))

    with django_capture_on_commit_callbacks(execute=True):
        result = cancel_permanence(permanence=lost, reason="Grève des transports", user=None, now=_now())

    assert result.moved == [] and len(result.queued) == 1
    line = CallBack.objects.get()
    assert line.patient == booked.patient and line.is_open and line.kind == FIRST
    assert "Grève des transports" in line.reason and "aucun créneau libre" in line.reason
    assert line.professional == booked.professional
    assert "Le secrétariat vous rappelle" in _sms(settings)[0]["text"]
    assert "Grève" not in _sms(settings)[0]["text"]  # the reason stays in the team


def test_booking_the_patient_again_closes_their_call_back_line():
    lost = permanence(days=3)
    booked = _book(lost, patient())
    cancel_permanence(permanence=lost, reason="Salle inondée", user=None, now=_now())
    other = permanence(days=5)
    _book(other, booked.patient)
    line = CallBack.objects.get()
    assert line.status == CallBack.Status.DONE and line.outcome_note == "Nouveau rendez-vous réservé"


def test_the_preview_names_the_same_outcome_and_writes_nothing():
    doctor = ProfessionalFactory(profession=Profession.GP)
    lost = permanence(days=7, professional=doctor)
    later = permanence(days=8, professional=doctor)
    booked = _book(lost, patient())
    seen = disruptions.preview(disruptions.for_permanence(lost, "Grève"), now=_now())
    assert [m.consultation for m in seen.moves] == [booked]
    assert seen.moves[0].permanence == later and "Nouvelle proposition le" in seen.moves[0].outcome
    lost.refresh_from_db()
    assert lost.status == Permanence.Status.PLANNED and _active_on(lost) == 1
    assert not CallBack.objects.exists() and Consultation.objects.count() == 1


def test_an_expired_proposal_on_lost_time_is_withdrawn_without_moving_anyone():
    lost = permanence(days=7)
    permanence(days=8, professional=lost.professional)
    stale = _propose(lost, patient(), expires_in=-dt.timedelta(hours=1))
    result = cancel_permanence(permanence=lost, reason="Grève", user=None, now=_now())
    stale.refresh_from_db()
    assert stale.status == Consultation.Status.CANCELLED and stale.cancel_reason == "Proposition expirée"
    assert result.moves == [] and result.expired == 1


def test_recording_an_absence_cancels_that_time_and_moves_patients_to_a_colleague():
    absent = ProfessionalFactory(profession=Profession.GP)
    lost = permanence(days=4, professional=absent)
    also_absent = permanence(days=5, professional=absent)  # inside the absence: not a new time
    colleague = permanence(days=6)
    booked = _book(lost, patient())
    day = timezone.localtime(lost.start).date()

    result = record_absence(
        absence=Absence(professional=absent, kind=Absence.Kind.SICK, start_date=day, end_date=day + dt.timedelta(1)),
        now=_now(),
    )

    for perm in (lost, also_absent):
        perm.refresh_from_db()
        assert perm.status == Permanence.Status.CANCELLED and perm.cancel_reason.startswith("Absence du praticien")
    assert _new_time_of(booked).permanence == colleague
    assert len(result.permanences) == 2


def test_closing_premises_moves_patients_and_a_room_closure_spares_the_other_rooms():
    premises = PremisesFactory()
    room_a, room_b = RoomFactory(premises=premises), RoomFactory(premises=premises)
    in_a = permanence(days=4, premises=premises, room=room_a)
    in_b = permanence(days=4, premises=premises, room=room_b)
    elsewhere = permanence(days=6)
    booked = _book(in_a, patient())
    day = timezone.localtime(in_a.start).date()

    disruptions.record_closure(
        closure=Closure(premises=premises, room=room_a, start_date=day, end_date=day, reason="Travaux"),
        user=None,
        now=_now(),
    )
    in_a.refresh_from_db()
    in_b.refresh_from_db()
    assert in_a.status == Permanence.Status.CANCELLED and in_a.cancel_reason == "Salle fermée (Travaux)"
    assert in_b.status == Permanence.Status.PLANNED
    assert _new_time_of(booked).permanence in (in_b, elsewhere)

    other = _book(in_b, patient(), minutes=100)
    disruptions.record_closure(
        closure=Closure(premises=premises, start_date=day, end_date=day, reason="Élections"), user=None, now=_now()
    )
    in_b.refresh_from_db()
    assert in_b.status == Permanence.Status.CANCELLED and _active_on(in_b) == 0
    assert _new_time_of(other).permanence == elsewhere
    # moved a second time if the first move had put them in room B
    assert Consultation.objects.get(patient=booked.patient, status="proposed").permanence == elsewhere


def test_deactivating_a_professional_moves_every_future_patient():
    leaving = ProfessionalFactory(profession=Profession.GP)
    first, second = permanence(days=3, professional=leaving), permanence(days=10, professional=leaving)
    colleague = permanence(days=4, hours=3)
    patients = [_book(first, patient()), _book(second, patient())]

    result = disruptions.deactivate_professional(professional=leaving, user=None, now=_now())

    leaving.refresh_from_db()
    assert not leaving.active and len(result.permanences) == 2
    assert {_new_time_of(c).permanence for c in patients} == {colleague}


def test_shortening_a_permanence_moves_only_the_appointments_outside_the_new_hours():
    perm = permanence(days=5, hours=2)
    kept = _book(perm, patient(), minutes=0)
    outside = _book(perm, patient(), minutes=100)
    later = permanence(days=6)

    disruptions.shorten_permanence(
        permanence=perm,
        start=perm.start,
        end=perm.start + dt.timedelta(hours=1),
        reason="Départ à 10h",
        user=None,
        now=_now(),
    )
    perm.refresh_from_db()
    kept.refresh_from_db()
    outside.refresh_from_db()
    assert perm.end == perm.start + dt.timedelta(hours=1)
    assert kept.status == Consultation.Status.BOOKED
    assert outside.status == Consultation.Status.CANCELLED and outside.cancel_reason.startswith("Permanence raccourcie")
    assert _new_time_of(outside).permanence == later


def test_shortening_must_stay_inside_the_permanence():
    perm = permanence(days=5, hours=2)
    with pytest.raises(ValidationError):
        disruptions.shorten_permanence(
            permanence=perm, start=perm.start - dt.timedelta(hours=1), end=perm.end, reason="x", user=None
        )


def test_a_patient_with_a_mobility_need_is_only_moved_to_a_step_free_room():
    lost = permanence(days=3)
    stairs = RoomFactory(wheelchair_accessible=False)
    permanence(days=4, room=stairs, premises=stairs.premises)
    step_free = RoomFactory(wheelchair_accessible=True)
    accessible = permanence(days=9, room=step_free, premises=step_free.premises)
    booked = _book(lost, patient(mobility_need=True))
    cancel_permanence(permanence=lost, reason="Grève", user=None, now=_now())
    assert _new_time_of(booked).permanence == accessible


# --- The database keeps it true -----------------------------------------------------------------


def test_the_database_refuses_a_booking_on_a_cancelled_permanence():
    perm = permanence(days=3)
    cancel_permanence(permanence=perm, reason="Grève", user=None, now=_now())
    with pytest.raises(SlotUnavailable, match="annulée"):
        _book(Permanence.objects.get(pk=perm.pk), patient())


def test_the_database_refuses_to_cancel_a_permanence_that_still_has_patients():
    from django.db import IntegrityError, transaction

    perm = permanence(days=3)
    _book(perm, patient())
    with pytest.raises(IntegrityError), transaction.atomic():
        Permanence.objects.filter(pk=perm.pk).update(status=Permanence.Status.CANCELLED, cancel_reason="x")


def test_premises_still_being_prepared_take_no_booking():
    preparing = PremisesFactory(status=Premises.Status.PREPARING)
    perm = permanence(days=3, premises=preparing)
    with pytest.raises(SlotUnavailable, match="pas ouvert"):
        book_consultation(patient=patient(), permanence=perm, start=perm.start, kind=FIRST, user=None, now=_now())


def test_a_closed_day_takes_no_booking():
    perm = permanence(days=3)
    day = timezone.localtime(perm.start).date()
    Closure.objects.create(premises=perm.premises, start_date=day, end_date=day, reason="Élections")
    with pytest.raises(SlotUnavailable, match="pas ouvert"):
        _book(perm, patient())
