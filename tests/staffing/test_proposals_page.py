"""The scheduler's proposals page: paginated, filtered by premises, tier and day, constant query count."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from escorter.roles import Role
from staffing.models import Consultation, ConsultationKind
from tests.staffing.booking_helpers import patient, permanence

pytestmark = pytest.mark.django_db
URL = reverse("staffing:scheduler")


def _proposals(perm, count: int, first: int = 0, **patient_fields) -> list[Consultation]:
    minutes = perm.professional.default_consultation_minutes
    return [
        Consultation.objects.create(
            patient=patient(**patient_fields),
            permanence=perm,
            professional=perm.professional,
            start=perm.start + dt.timedelta(minutes=minutes * n),
            end=perm.start + dt.timedelta(minutes=minutes * (n + 1)),
            kind=ConsultationKind.FIRST_VISIT,
            status=Consultation.Status.PROPOSED,
            expires_at=timezone.now() + dt.timedelta(days=3),
            explanation="proposé",
        )
        for n in range(first, first + count)
    ]


def test_proposals_are_paginated_with_a_constant_query_count(client, login_as, django_assert_num_queries):
    near, far = permanence(days=7, hours=10), permanence(days=8, hours=10)
    _proposals(near, 1)
    login_as(Role.SECRETARY)
    client.get(URL)
    with django_assert_num_queries(len(_captured(client))) as one:
        response = client.get(URL)
    assert len(response.context["page"].object_list) == 1
    _proposals(near, 29, first=1)
    _proposals(far, 21)
    with django_assert_num_queries(len(one.captured_queries)):
        response = client.get(URL)
    page = response.context["page"]
    assert (len(page.object_list), page.paginator.count, page.paginator.num_pages) == (50, 51, 2)
    assert len(client.get(URL, {"page": 2}).context["page"].object_list) == 1


def _captured(client):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as queries:
        client.get(URL)
    return queries.captured_queries


def test_proposals_filter_by_premises_tier_and_day(client, login_as):
    near, far = permanence(days=7), permanence(days=8)
    ald = _proposals(near, 2, ald=True)
    plain = _proposals(far, 3)
    login_as(Role.SECRETARY)

    def shown(**params):
        return {c.pk for c in client.get(URL, params).context["page"].object_list}

    assert shown(premises=near.premises_id) == {c.pk for c in ald}
    assert shown(tier="P2") == {c.pk for c in ald} and shown(tier="P1") == set()
    day = timezone.localtime(far.start).date()
    assert shown(day=day.isoformat()) == {c.pk for c in plain}
    assert shown(day=day.strftime("%d/%m/%Y"), premises=near.premises_id) == set()
    response = client.get(URL, {"day": "31/02/2030", "tier": "P9"})
    assert response.status_code == 200 and not response.context["page"].object_list
