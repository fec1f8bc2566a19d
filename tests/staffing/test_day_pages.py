"""The day pages are built by selectors whose query count does not grow with the day's patients."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from escorter.roles import Role
from staffing.selectors.day import practitioner_day, secretary_day
from tests.factories import make_user
from tests.staffing.booking_helpers import permanence
from tests.staffing.factories import ConsultationFactory, ProfessionalFactory

pytestmark = pytest.mark.django_db


def _day_with(rows: int):
    professional = ProfessionalFactory(user=make_user(Role.PRACTITIONER), default_consultation_minutes=10)
    perm = permanence(days=3, hours=9, professional=professional)
    for i in range(rows):
        start = perm.start + dt.timedelta(minutes=10 * i)
        ConsultationFactory(permanence=perm, start=start, end=start + dt.timedelta(minutes=10))
    return professional, timezone.localdate(perm.start)


@pytest.mark.parametrize("rows", [1, 50])
def test_practitioner_day_takes_two_queries_whatever_the_number_of_patients(django_assert_num_queries, rows):
    professional, day = _day_with(rows)
    with django_assert_num_queries(2):  # the practitioner's record, the day's consultations
        page = practitioner_day(day=day, user=professional.user)
    assert page.count == rows and page.professional == professional
    forms = [c.form for site in page.sites for c in site.consultations]
    assert len(forms) == rows and forms[0].prefix == f"c{page.sites[0].consultations[0].pk}"


@pytest.mark.parametrize("rows", [1, 50])
def test_secretary_day_takes_two_queries_whatever_the_number_of_patients(django_assert_num_queries, rows):
    _, day = _day_with(rows)
    with django_assert_num_queries(2):  # the sites to choose from, the day's consultations
        page = secretary_day(day=day)
    assert page.count == rows and page.sites[0].expected == rows


def test_a_coordinator_choosing_an_unknown_practitioner_gets_a_404():
    from django.http import Http404

    with pytest.raises(Http404):
        practitioner_day(day=timezone.localdate(), professional_id=999_999)
