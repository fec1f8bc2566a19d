"""Factories of the staffing app (and the premises it staffs): shared with the booking tests."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import factory
from django.utils.text import slugify
from stdnum import luhn

from sites.models import Closure, Premises, Room
from staffing.models import (
    Absence,
    CalendarFeed,
    Consultation,
    ConsultationKind,
    CoverageTarget,
    Permanence,
    Profession,
    Professional,
    RotaRule,
)
from tests.factories import CommuneFactory
from tests.patients.factories import PatientFactory

PARIS = ZoneInfo("Europe/Paris")


def valid_rpps(n: int) -> str:
    """An 11-digit RPPS with a correct Luhn key (demo numbers start with 10, like real ones)."""
    base = f"10{n:08d}"
    return base + luhn.calc_check_digit(base)


class PremisesFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Premises

    name = factory.Sequence(lambda n: f"Local {n}")
    address = "1 place de la Mairie"
    postal_code = "85230"
    commune = factory.SubFactory(CommuneFactory)
    contact_name = "Mme Dupont, mairie"
    contact_phone = "02 51 00 00 00"
    status = Premises.Status.OPEN
    available_from = dt.date(2024, 6, 1)


class RoomFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Room

    premises = factory.SubFactory(PremisesFactory)
    name = factory.Sequence(lambda n: f"Cabinet {n}")
    equipment = "Table d'examen, tensiomètre"
    wheelchair_accessible = True


class ClosureFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Closure

    premises = factory.SubFactory(PremisesFactory)
    start_date = dt.date(2026, 12, 1)
    end_date = dt.date(2026, 12, 1)
    reason = "Élections"


class ProfessionalFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Professional

    first_name = factory.Faker("first_name", locale="fr_FR")
    last_name = factory.Faker("last_name", locale="fr_FR")
    profession = Profession.GP
    rpps = factory.Sequence(valid_rpps)
    practice = "Maison de santé de Challans"
    commune = factory.SubFactory(CommuneFactory)
    phone = "06 00 00 00 00"
    email = factory.LazyAttribute(lambda p: f"{slugify(p.first_name)}.{slugify(p.last_name)}@example.org")
    default_consultation_minutes = 20


class RotaRuleFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = RotaRule

    professional = factory.SubFactory(ProfessionalFactory)
    room = factory.SubFactory(RoomFactory)
    premises = factory.LazyAttribute(lambda r: r.room.premises if r.room else PremisesFactory())
    weekday = RotaRule.Weekday.TUESDAY
    start_time = dt.time(8, 30)
    end_time = dt.time(12, 30)
    recurrence = RotaRule.Recurrence.WEEKLY
    valid_from = dt.date(2024, 6, 1)
    kinds = factory.LazyFunction(lambda: [ConsultationKind.FIRST_VISIT, ConsultationKind.FOLLOW_UP])


def _next_tuesday_morning() -> dt.datetime:
    today = dt.date.today()
    day = today + dt.timedelta(days=(1 - today.weekday()) % 7 or 7)
    return dt.datetime.combine(day, dt.time(8, 30), tzinfo=PARIS)


class PermanenceFactory(factory.django.DjangoModelFactory):
    """A planned half-day next Tuesday morning (in the future), in a room of its premises."""

    class Meta:
        model = Permanence

    professional = factory.SubFactory(ProfessionalFactory)
    room = factory.SubFactory(RoomFactory)
    premises = factory.LazyAttribute(lambda p: p.room.premises if p.room else PremisesFactory())
    start = factory.LazyFunction(_next_tuesday_morning)
    end = factory.LazyAttribute(lambda p: p.start + dt.timedelta(hours=4))
    status = Permanence.Status.PLANNED
    origin = Permanence.Origin.MANUAL
    kinds = factory.LazyFunction(lambda: [ConsultationKind.FIRST_VISIT, ConsultationKind.FOLLOW_UP])


class AbsenceFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Absence

    professional = factory.SubFactory(ProfessionalFactory)
    kind = Absence.Kind.LEAVE
    start_date = dt.date(2026, 12, 21)
    end_date = dt.date(2026, 12, 31)


class CoverageTargetFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = CoverageTarget

    premises = factory.SubFactory(PremisesFactory)
    profession = Profession.GP
    hours_per_week = 12


class CalendarFeedFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = CalendarFeed

    professional = factory.SubFactory(ProfessionalFactory)


class ConsultationFactory(factory.django.DjangoModelFactory):
    """A booked 20-minute first visit at the start of its permanence, with the permanence's professional."""

    class Meta:
        model = Consultation

    patient = factory.SubFactory(PatientFactory)
    permanence = factory.SubFactory(PermanenceFactory)
    professional = factory.LazyAttribute(lambda c: c.permanence.professional)
    start = factory.LazyAttribute(lambda c: c.permanence.start)
    end = factory.LazyAttribute(lambda c: c.start + dt.timedelta(minutes=20))
    kind = ConsultationKind.FIRST_VISIT
    status = Consultation.Status.BOOKED
