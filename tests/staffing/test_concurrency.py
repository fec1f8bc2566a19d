"""Two coordinators saving overlapping permanences at the same moment: PostgreSQL lets exactly one through."""

from __future__ import annotations

import datetime as dt
import threading

import pytest
from django.db import connection

from staffing.models import Permanence
from staffing.services import rota
from tests.staffing.factories import PARIS, ProfessionalFactory, RoomFactory


def _race(make_kwargs) -> tuple[list, list]:
    barrier = threading.Barrier(2)
    successes, failures = [], []

    def worker(kwargs):
        try:
            barrier.wait(timeout=10)
            successes.append(rota.create_permanence(**kwargs))
        except rota.PermanenceConflict as exc:
            failures.append(exc.message)
        finally:
            connection.close()

    threads = [threading.Thread(target=worker, args=(make_kwargs(i),)) for i in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    return successes, failures


@pytest.mark.django_db(transaction=True)
def test_two_transactions_booking_one_professional_twice_only_one_succeeds():
    professional = ProfessionalFactory()
    rooms = [RoomFactory(), RoomFactory()]
    start = dt.datetime(2030, 3, 5, 8, 30, tzinfo=PARIS)

    def kwargs(i):
        return {
            "professional": professional,
            "premises": rooms[i].premises,
            "room": rooms[i],
            "start": start + dt.timedelta(hours=i),
            "end": start + dt.timedelta(hours=4 + i),
            "kinds": ["follow_up"],
        }

    successes, failures = _race(kwargs)
    assert len(successes) == 1 and len(failures) == 1
    assert "déjà une permanence" in failures[0]
    assert Permanence.objects.active().count() == 1


@pytest.mark.django_db(transaction=True)
def test_two_transactions_filling_one_room_twice_only_one_succeeds():
    room = RoomFactory()
    professionals = [ProfessionalFactory(), ProfessionalFactory()]
    start = dt.datetime(2030, 3, 5, 14, 0, tzinfo=PARIS)

    def kwargs(i):
        return {
            "professional": professionals[i],
            "premises": room.premises,
            "room": room,
            "start": start,
            "end": start + dt.timedelta(hours=3),
            "kinds": ["snp"],
        }

    successes, failures = _race(kwargs)
    assert len(successes) == 1 and len(failures) == 1
    assert "salle est déjà occupée" in failures[0]
    assert Permanence.objects.count() == 1
