"""Cancelling a permanence while secretaries book into it: no consultation survives on cancelled time."""

from __future__ import annotations

import datetime as dt
import threading

import pytest
from django.db import connection

from staffing.models import Consultation, ConsultationKind, Permanence
from staffing.services import SlotUnavailable, book_consultation
from staffing.services.rota import cancel_permanence
from tests.staffing.booking_helpers import patient, permanence

BOOKERS = 8


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("round_", range(3))
def test_cancel_permanence_racing_bookings_leaves_no_active_consultation_on_it(round_):
    perm = permanence(days=3, hours=3)
    permanence(days=5, hours=3)  # somewhere to move the patients who got in first
    patients = [patient() for _ in range(BOOKERS)]
    barrier = threading.Barrier(BOOKERS + 1)
    booked, refused, errors = [], [], []

    def book(i, who):
        try:
            barrier.wait(timeout=30)
            booked.append(
                book_consultation(
                    patient=who,
                    permanence=perm,
                    start=perm.start + dt.timedelta(minutes=20 * i),
                    kind=ConsultationKind.FIRST_VISIT,
                    user=None,
                )
            )
        except SlotUnavailable as exc:
            refused.append(str(exc))
        except Exception as exc:  # anything else is a defect the test must show
            errors.append(repr(exc))
        finally:
            connection.close()

    def cancel():
        try:
            barrier.wait(timeout=30)
            cancel_permanence(permanence=perm, reason="Médecin malade", user=None)
        except Exception as exc:
            errors.append(repr(exc))
        finally:
            connection.close()

    threads = [threading.Thread(target=book, args=(i, who)) for i, who in enumerate(patients)]
    threads.insert(round_ * 3, threading.Thread(target=cancel))
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)

    assert errors == []
    assert len(booked) + len(refused) == BOOKERS
    assert all("annulée" in message for message in refused)
    assert Permanence.objects.get(pk=perm.pk).status == Permanence.Status.CANCELLED
    assert not Consultation.objects.filter(permanence=perm, status__in=["proposed", "booked"]).exists()
    # every booking that got in before the cancellation was cancelled with the reason and moved on
    for consultation in booked:
        consultation.refresh_from_db()
        assert consultation.status == Consultation.Status.CANCELLED
        assert consultation.cancel_reason == "Médecin malade"
        assert Consultation.objects.filter(rescheduled_from=consultation).exists() or consultation.call_backs.exists()
