"""Factories of the reporting tests (funding) and a minimal registry for indicator tests."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import factory
from django.utils import timezone

from reporting.models import Expense, FundingLine, FundingObjective, Indicator
from tests.factories import CommuneFactory, FunderFactory


class FundingLineFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = FundingLine

    funder = factory.SubFactory(FunderFactory)
    label = factory.Sequence(lambda n: f"Ligne {n}")
    purpose = FundingLine.Purpose.ENGINEERING
    amount_granted = Decimal("100000.00")
    period_start = dt.date(2026, 1, 1)
    period_end = dt.date(2026, 12, 31)


class FundingObjectiveFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = FundingObjective

    line = factory.SubFactory(FundingLineFactory)
    indicator = Indicator.PATIENTS_REFERRED
    target = 100


class ExpenseFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Expense

    line = factory.SubFactory(FundingLineFactory)
    date = dt.date(2026, 3, 15)
    amount = Decimal("1000.00")
    category = Expense.Category.COORDINATION
    supplier = "CPTS"


def make_patient(
    *,
    commune=None,
    referral_date=dt.date(2026, 9, 10),
    status="waiting",
    tier="P3",
    ald=False,
    source="cpam",
    changes=(),
    gp_found_date=None,
):
    """A registry patient with a status history: `changes` = [(to_status, aware datetime), …]."""
    from patients.models import Patient, PatientStatusChange

    patient = Patient.objects.create(
        last_name="Durand",
        first_names="Alice",
        birth_date=dt.date(1950, 5, 1),
        commune=commune or CommuneFactory(),
        referral_date=referral_date,
        referral_source=source,
        ald=ald,
        priority_tier=tier,
        status=status,
        gp_found_date=gp_found_date,
        status_changed_at=changes[-1][1] if changes else timezone.now(),
    )
    start = timezone.make_aware(dt.datetime.combine(referral_date, dt.time(9)))
    PatientStatusChange.objects.create(patient=patient, from_status="", to_status="waiting", at=start)
    previous = "waiting"
    for to_status, at in changes:
        PatientStatusChange.objects.create(patient=patient, from_status=previous, to_status=to_status, at=at)
        previous = to_status
    return patient
