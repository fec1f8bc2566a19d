"""Fifty secretaries booking the same time at the same moment: one booking, 49 clean refusals."""

from __future__ import annotations

import threading

import pytest
from django.db import connection

from escorter.roles import Role
from staffing.models import Consultation, ConsultationKind
from staffing.services import SlotUnavailable, book_consultation
from tests.factories import make_user
from tests.staffing.booking_helpers import patient, permanence

THREADS = 50


@pytest.mark.django_db(transaction=True)
def test_fifty_concurrent_bookings_of_one_time_give_exactly_one_consultation():
    perm = permanence()
    user = make_user(Role.SECRETARY)
    patients = [patient() for _ in range(THREADS)]
    barrier = threading.Barrier(THREADS)
    booked, refused, errors = [], [], []

    def worker(who):
        try:
            barrier.wait(timeout=30)
            booked.append(
                book_consultation(
                    patient=who, permanence=perm, start=perm.start, kind=ConsultationKind.FIRST_VISIT, user=user
                )
            )
        except SlotUnavailable as exc:
            refused.append(str(exc))
        except Exception as exc:  # anything else is a defect the test must show
            errors.append(repr(exc))
        finally:
            connection.close()

    threads = [threading.Thread(target=worker, args=(who,)) for who in patients]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)

    assert errors == []
    assert len(booked) == 1
    assert len(refused) == THREADS - 1
    assert all("vient d'être pris" in message for message in refused)
    assert Consultation.objects.filter(permanence=perm).count() == 1


@pytest.mark.django_db(transaction=True)
def test_one_patient_booked_twice_at_once_with_two_professionals_gets_one_booking():
    first, second = permanence(), permanence()
    user = make_user(Role.SECRETARY)
    who = patient()
    barrier = threading.Barrier(2)
    outcomes = []

    def worker(perm):
        try:
            barrier.wait(timeout=10)
            book_consultation(
                patient=who, permanence=perm, start=perm.start, kind=ConsultationKind.FIRST_VISIT, user=user
            )
            outcomes.append("booked")
        except SlotUnavailable as exc:
            outcomes.append(str(exc))
        finally:
            connection.close()

    threads = [threading.Thread(target=worker, args=(p,)) for p in (first, second)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    assert sorted(outcomes) == ["Ce patient a déjà un rendez-vous à cette heure-là.", "booked"]
