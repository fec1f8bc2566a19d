"""Factories of the patients app: shared with the booking, calls and reporting tests."""

from __future__ import annotations

import datetime as dt

import factory
from django.utils import timezone

from patients.models import Patient, PatientStatusChange
from tests.factories import CommuneFactory


def valid_nir(sex: str = "F", birth: dt.date = dt.date(1950, 3, 2), place: str = "85018", serial: int = 1) -> str:
    """A NIR with a correct key (97 - n mod 97); `place` may be a Corsican 2A/2B code."""
    body = f"{1 if sex == 'M' else 2}{birth:%y%m}{place}{serial:03d}"
    numeric = body.replace("2A", "19").replace("2B", "18")
    return body + f"{97 - int(numeric) % 97:02d}"


class PatientFactory(factory.django.DjangoModelFactory):
    """A waiting patient with its priority computed by the rule in force (as the services do)."""

    class Meta:
        model = Patient

    last_name = factory.Faker("last_name", locale="fr_FR")
    first_names = factory.Faker("first_name", locale="fr_FR")
    sex = Patient.Sex.FEMALE
    birth_date = dt.date(1960, 5, 17)
    commune = factory.SubFactory(CommuneFactory)
    phone = factory.Sequence(lambda n: f"06{n:08d}")
    referral_date = factory.LazyFunction(timezone.localdate)
    referral_source = Patient.ReferralSource.CPAM

    @classmethod
    def _create(cls, model_class, *args, **kwargs):
        from patients.services import active_rule

        patient = model_class(*args, **kwargs)
        patient.apply_priority(active_rule())
        patient.save()
        return patient


class StatusChangeFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = PatientStatusChange

    patient = factory.SubFactory(PatientFactory)
    from_status = ""
    to_status = Patient.Status.WAITING
