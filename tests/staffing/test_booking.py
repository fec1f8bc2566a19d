"""Booking services: the database refuses double bookings, the services say why in French."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import IntegrityError, transaction
from django.utils import timezone

from escorter.roles import Role
from patients.models import Patient
from staffing.models import Consultation, ConsultationKind, Profession
from staffing.selectors.booking import booking_options, free_starts
from staffing.selectors.bookings import booked_permanence_ids
from staffing.services import (
    BookingError,
    SlotUnavailable,
    book_consultation,
    cancel_consultation,
    confirm_proposal,
    expire_proposals,
    mark_no_show,
    move_consultation,
    record_outcome,
)
from staffing.services.booking import confirmation_text
from tests.factories import CommuneFactory, make_user
from tests.staffing.booking_helpers import at, patient, permanence
from tests.staffing.factories import ConsultationFactory

pytestmark = pytest.mark.django_db
FIRST = ConsultationKind.FIRST_VISIT


@pytest.fixture
def secretary():
    return make_user(Role.SECRETARY)


def test_booking_creates_a_booked_consultation_of_the_professionals_length(secretary):
    perm = permanence()
    consultation = book_consultation(patient=patient(), permanence=perm, start=perm.start, kind=FIRST, user=secretary)
    assert consultation.status == Consultation.Status.BOOKED
    assert consultation.end - consultation.start == dt.timedelta(minutes=20)
    assert consultation.professional == perm.professional
    assert consultation.created_by == secretary and consultation.confirmed_by == secretary


def test_booking_a_taken_time_raises_slot_unavailable_in_french(secretary):
    perm = permanence()
    book_consultation(patient=patient(), permanence=perm, start=perm.start, kind=FIRST, user=secretary)
    with pytest.raises(SlotUnavailable, match="vient d'être pris"):
        book_consultation(
            patient=patient(), permanence=perm, start=perm.start + dt.timedelta(minutes=10), kind=FIRST, user=secretary
        )
    assert Consultation.objects.count() == 1


def test_back_to_back_consultations_are_allowed_half_open_ranges(secretary):
    perm = permanence()
    book_consultation(patient=patient(), permanence=perm, start=perm.start, kind=FIRST, user=secretary)
    book_consultation(
        patient=patient(), permanence=perm, start=perm.start + dt.timedelta(minutes=20), kind=FIRST, user=secretary
    )
    assert Consultation.objects.count() == 2


def test_a_patient_cannot_be_booked_twice_at_the_same_time_with_two_professionals(secretary):
    someone = patient()
    first, second = permanence(), permanence()
    book_consultation(patient=someone, permanence=first, start=first.start, kind=FIRST, user=secretary)
    with pytest.raises(SlotUnavailable, match="déjà un rendez-vous"):
        book_consultation(patient=someone, permanence=second, start=second.start, kind=FIRST, user=secretary)


def test_a_cancelled_consultation_frees_its_time(secretary):
    perm = permanence()
    booked = book_consultation(patient=patient(), permanence=perm, start=perm.start, kind=FIRST, user=secretary)
    cancel_consultation(consultation=booked, reason="Annulée par le patient", user=secretary)
    again = book_consultation(patient=patient(), permanence=perm, start=perm.start, kind=FIRST, user=secretary)
    assert again.status == Consultation.Status.BOOKED


def test_the_database_refuses_a_consultation_outside_its_permanence():
    perm = permanence()
    with pytest.raises(IntegrityError), transaction.atomic():
        Consultation.objects.create(
            patient=patient(),
            permanence=perm,
            professional=perm.professional,
            start=perm.end - dt.timedelta(minutes=10),
            end=perm.end + dt.timedelta(minutes=10),
            kind=FIRST,
            status=Consultation.Status.BOOKED,
        )


def test_the_database_refuses_a_consultation_with_another_professional_than_the_permanence():
    perm, other = permanence(), permanence()
    with pytest.raises(IntegrityError), transaction.atomic():
        Consultation.objects.create(
            patient=patient(),
            permanence=perm,
            professional=other.professional,
            start=perm.start,
            end=perm.start + dt.timedelta(minutes=20),
            kind=FIRST,
            status=Consultation.Status.BOOKED,
        )


def test_the_database_refuses_overlapping_active_consultations_for_one_professional():
    perm = permanence()
    values = dict(permanence=perm, professional=perm.professional, kind=FIRST, status=Consultation.Status.BOOKED)
    Consultation.objects.create(
        patient=patient(), start=perm.start, end=perm.start + dt.timedelta(minutes=20), **values
    )
    with pytest.raises(IntegrityError), transaction.atomic():
        Consultation.objects.create(
            patient=patient(),
            start=perm.start + dt.timedelta(minutes=5),
            end=perm.start + dt.timedelta(minutes=25),
            **values,
        )


def test_a_permanence_cannot_shrink_away_from_its_consultations(secretary):
    perm = permanence()
    book_consultation(
        patient=patient(), permanence=perm, start=perm.end - dt.timedelta(minutes=20), kind=FIRST, user=secretary
    )
    perm.end -= dt.timedelta(minutes=30)
    with pytest.raises(IntegrityError), transaction.atomic():
        perm.save()


def test_booking_a_kind_the_permanence_does_not_offer_is_refused(secretary):
    perm = permanence(kinds=[ConsultationKind.FOLLOW_UP])
    with pytest.raises(BookingError, match="ne propose pas"):
        book_consultation(patient=patient(), permanence=perm, start=perm.start, kind=FIRST, user=secretary)


def test_a_first_visit_needs_a_gp(secretary):
    perm = permanence(profession=Profession.IPA)
    with pytest.raises(BookingError, match="ne peut pas assurer"):
        book_consultation(patient=patient(), permanence=perm, start=perm.start, kind=FIRST, user=secretary)


def test_booking_in_the_past_is_refused(secretary):
    perm = permanence(days=-2)
    with pytest.raises(SlotUnavailable, match="déjà passé"):
        book_consultation(patient=patient(), permanence=perm, start=perm.start, kind=FIRST, user=secretary)


def test_a_closed_file_cannot_be_booked(secretary):
    perm = permanence()
    closed = patient(status=Patient.Status.MOVED)
    with pytest.raises(BookingError, match="clos"):
        book_consultation(patient=closed, permanence=perm, start=perm.start, kind=FIRST, user=secretary)


def test_moving_books_the_new_time_and_cancels_the_old_one(secretary):
    perm = permanence()
    old = book_consultation(patient=patient(), permanence=perm, start=perm.start, kind=FIRST, user=secretary)
    new = move_consultation(consultation=old, permanence=perm, start=perm.start + dt.timedelta(hours=1), user=secretary)
    old.refresh_from_db()
    assert old.status == Consultation.Status.CANCELLED and old.cancel_reason == "Déplacée"
    assert new.rescheduled_from == old and new.status == Consultation.Status.BOOKED


def test_moving_to_a_taken_time_changes_nothing(secretary):
    perm = permanence()
    mine = book_consultation(patient=patient(), permanence=perm, start=perm.start, kind=FIRST, user=secretary)
    other_start = perm.start + dt.timedelta(hours=1)
    book_consultation(patient=patient(), permanence=perm, start=other_start, kind=FIRST, user=secretary)
    with pytest.raises(SlotUnavailable):
        move_consultation(consultation=mine, permanence=perm, start=other_start, user=secretary)
    mine.refresh_from_db()
    assert mine.status == Consultation.Status.BOOKED


def test_a_patient_can_be_moved_by_a_few_minutes_overlapping_their_own_old_time(secretary):
    perm = permanence()
    mine = book_consultation(patient=patient(), permanence=perm, start=perm.start, kind=FIRST, user=secretary)
    moved = move_consultation(
        consultation=mine, permanence=perm, start=perm.start + dt.timedelta(minutes=20), user=secretary
    )
    assert moved.status == Consultation.Status.BOOKED


def test_cancelling_needs_a_reason(secretary):
    perm = permanence()
    booked = book_consultation(patient=patient(), permanence=perm, start=perm.start, kind=FIRST, user=secretary)
    with pytest.raises(BookingError):
        cancel_consultation(consultation=booked, reason="  ", user=secretary)


def _proposal(perm, who, *, expires_in_days=3, start=None):
    start = start or perm.start
    return ConsultationFactory(
        patient=who,
        permanence=perm,
        start=start,
        status=Consultation.Status.PROPOSED,
        expires_at=timezone.now() + dt.timedelta(days=expires_in_days),
    )


def test_confirming_a_proposal_books_it(secretary):
    proposal = _proposal(permanence(), patient())
    confirmed = confirm_proposal(consultation=proposal, user=secretary)
    assert confirmed.status == Consultation.Status.BOOKED and confirmed.confirmed_by == secretary


def test_an_expired_proposal_cannot_be_confirmed_and_its_time_is_free_again(secretary):
    perm = permanence()
    proposal = _proposal(perm, patient(), expires_in_days=-1)
    with pytest.raises(SlotUnavailable, match="expiré"):
        confirm_proposal(consultation=proposal, user=secretary)
    assert perm.start in free_starts([perm])[perm.pk]
    # booking over it flips the stale proposal instead of failing
    book_consultation(patient=patient(), permanence=perm, start=perm.start, kind=FIRST, user=secretary)
    proposal.refresh_from_db()
    assert proposal.status == Consultation.Status.CANCELLED and proposal.cancel_reason == "Proposition expirée"


def test_expire_proposals_withdraws_only_expired_ones():
    perm = permanence()
    stale = _proposal(perm, patient(), expires_in_days=-1)
    live = _proposal(perm, patient(), start=perm.start + dt.timedelta(hours=1))
    assert expire_proposals() == 1
    stale.refresh_from_db(), live.refresh_from_db()
    assert stale.status == Consultation.Status.CANCELLED and live.status == Consultation.Status.PROPOSED


def test_free_time_is_the_permanence_minus_active_consultations(secretary):
    perm = permanence(hours=1)  # three 20-minute starts
    book_consultation(
        patient=patient(), permanence=perm, start=perm.start + dt.timedelta(minutes=20), kind=FIRST, user=secretary
    )
    starts = free_starts([perm])[perm.pk]
    assert starts == [perm.start, perm.start + dt.timedelta(minutes=40)]


def test_booked_permanence_ids_reports_permanences_with_bookings(secretary):
    booked, empty = permanence(), permanence()
    book_consultation(patient=patient(), permanence=booked, start=booked.start, kind=FIRST, user=secretary)
    assert booked_permanence_ids([booked.pk, empty.pk]) == {booked.pk}


def test_booking_options_list_nearest_sites_first_then_soonest():
    home = CommuneFactory(latitude=46.90, longitude=-2.10)
    near = CommuneFactory(latitude=46.91, longitude=-2.11)
    far = CommuneFactory(latitude=47.10, longitude=-2.30)
    late_near = permanence(days=9, **at(near))
    soon_far = permanence(days=2, **at(far))
    options = booking_options(patient=patient(commune=home), kind=FIRST)
    assert [o.premises for o in options] == [late_near.premises, soon_far.premises]
    assert options[0].distance_km < 2 < options[1].distance_km
    assert options[0].slots[0] == (late_near, late_near.start)


def test_a_commune_without_coordinates_falls_back_to_its_epci_centroid():
    CommuneFactory(epci_code="X1", latitude=46.90, longitude=-2.10)
    CommuneFactory(epci_code="X1", latitude=46.92, longitude=-2.12)
    blank = CommuneFactory(epci_code="X1", latitude=None, longitude=None)
    site = permanence(**at(CommuneFactory(latitude=46.91, longitude=-2.11)))
    options = booking_options(patient=patient(commune=blank), kind=FIRST)
    assert options[0].premises == site.premises and options[0].distance_km < 0.1


def test_record_outcome_new_gp_found_moves_the_patient_to_gp_found(secretary):
    perm = permanence(days=0, start=timezone.now().replace(second=0, microsecond=0) - dt.timedelta(minutes=30))
    doctor = make_user(Role.PRACTITIONER)
    who = patient()
    booked = ConsultationFactory(patient=who, permanence=perm)
    record_outcome(consultation=booked, user=doctor, seen=True, gp_found=True, new_gp_name="Dr Lemoine")
    who.refresh_from_db(), booked.refresh_from_db()
    assert booked.status == Consultation.Status.DONE and booked.gp_found
    assert who.status == Patient.Status.GP_FOUND and who.new_gp_name == "Dr Lemoine"


def test_record_outcome_without_gp_name_changes_nothing(secretary):
    perm = permanence(days=0, start=timezone.now().replace(second=0, microsecond=0) - dt.timedelta(minutes=30))
    who = patient()
    booked = ConsultationFactory(patient=who, permanence=perm)
    with pytest.raises(Exception, match="nom du nouveau médecin"):
        record_outcome(consultation=booked, user=secretary, seen=True, gp_found=True, new_gp_name="")
    booked.refresh_from_db(), who.refresh_from_db()
    assert booked.status == Consultation.Status.BOOKED and who.status == Patient.Status.WAITING


def test_a_first_consultation_seen_puts_a_waiting_patient_in_care(secretary):
    perm = permanence(days=0, start=timezone.now().replace(second=0, microsecond=0) - dt.timedelta(minutes=30))
    who = patient()
    booked = ConsultationFactory(patient=who, permanence=perm)
    record_outcome(consultation=booked, user=secretary, seen=True, next_appointment_needed=True)
    who.refresh_from_db()
    assert who.status == Patient.Status.IN_CARE


def test_no_show_only_once_the_consultation_has_started(secretary):
    perm = permanence()
    booked = book_consultation(patient=patient(), permanence=perm, start=perm.start, kind=FIRST, user=secretary)
    with pytest.raises(BookingError, match="pas encore commencé"):
        mark_no_show(consultation=booked, user=secretary)


def test_confirmation_text_gives_time_place_and_access(secretary):
    perm = permanence()
    perm.premises.notes = "Entrée par la cour, à gauche de la mairie."
    perm.premises.save()
    booked = book_consultation(patient=patient(), permanence=perm, start=perm.start, kind=FIRST, user=secretary)
    text = confirmation_text(booked)
    local = timezone.localtime(perm.start)
    assert f"{local:%d/%m/%Y} à {local:%H:%M}" in text
    assert perm.premises.address in text and "Entrée par la cour" in text
    assert len(confirmation_text(booked, short=True)) <= 320
