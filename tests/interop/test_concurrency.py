"""Twenty SAS regulators book the same slot at the same moment: one 201, nineteen OperationOutcomes."""

from __future__ import annotations

import threading

import pytest
from django.db import connection
from django.test import Client

from interop.models import SasAppointment
from patients.models import Patient
from staffing.models import Consultation
from tests.interop.conftest import appointment, headers, post_appointment, search_url, snp_permanence
from tests.interop.profiles import parse
from tests.staffing.booking_helpers import future_morning

THREADS = 20


@pytest.mark.django_db(transaction=True)
def test_twenty_concurrent_posts_on_one_slot_give_one_201_and_nineteen_outcomes(sas):
    snp_permanence(days=1)
    search = Client().get(search_url(future_morning(1, 0), future_morning(2, 0)), **headers(sas.token))
    slot = next(e["resource"]["id"] for e in search.json()["entry"] if e["resource"]["resourceType"] == "Slot")
    barrier = threading.Barrier(THREADS)
    responses, errors = [], []

    def regulator(n: int):
        body = appointment(slot, identifier=f"sas-{n}", family=f"Patient{n}", given="Test", phone=f"06000000{n:02d}")
        try:
            barrier.wait(timeout=30)
            responses.append(post_appointment(Client(), sas.token, body))
        except Exception as exc:  # anything else is a defect the test must show
            errors.append(repr(exc))
        finally:
            connection.close()

    threads = [threading.Thread(target=regulator, args=(n,)) for n in range(THREADS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(120)

    assert errors == []
    statuses = sorted(r.status_code for r in responses)
    assert statuses == [201] + [409] * (THREADS - 1)
    for response in responses:
        resource = parse(response.json())
        if response.status_code == 409:
            assert resource.get_resource_type() == "OperationOutcome"
            assert "disponible" in resource.issue[0].diagnostics or "pris" in resource.issue[0].diagnostics
    assert Consultation.objects.count() == 1
    assert SasAppointment.objects.count() == 1
    assert Patient.objects.count() == 1  # the losers' registrations rolled back with their bookings
