"""Factories shared by every app's tests (apps add theirs in tests/<app>/factories.py)."""

from __future__ import annotations

import factory
from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password
from django.contrib.auth.models import Group

from escorter.roles import Role
from reporting.models import Funder, FunderMembership
from sites.models import Commune

PASSWORD = "Test-Passw0rd"
_HASH = {}


def _password_hash() -> str:
    # computed once: hashing per user would dominate the suite's run time
    if "hash" not in _HASH:
        _HASH["hash"] = make_password(PASSWORD, hasher="md5")
    return _HASH["hash"]


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = get_user_model()
        django_get_or_create = ("username",)
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    first_name = factory.Faker("first_name", locale="fr_FR")
    last_name = factory.Faker("last_name", locale="fr_FR")
    email = factory.LazyAttribute(lambda u: f"{u.username}@example.org")
    password = factory.LazyFunction(_password_hash)

    @factory.post_generation
    def role(self, create, extracted, **kwargs):
        if extracted:
            group, _ = Group.objects.get_or_create(name=Role(extracted).value)
            self.groups.add(group)


class FunderFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Funder
        django_get_or_create = ("name",)

    name = factory.Sequence(lambda n: f"Financeur {n}")
    kind = Funder.Kind.ARS


def make_user(role: Role | str | None, *, funder: Funder | None = None, **kwargs):
    """A user in `role`; a funder user gets a funder organisation."""
    user = UserFactory(role=role, **kwargs)
    if role == Role.FUNDER:
        FunderMembership.objects.create(user=user, funder=funder or FunderFactory())
    return user


class CommuneFactory(factory.django.DjangoModelFactory):
    """A commune as the test describes it. `migrate` already loaded every real commune: the
    test's values replace those of the real commune with the same code."""

    class Meta:
        model = Commune

    insee_code = factory.Sequence(lambda n: f"85{n % 1000:03d}")
    name = factory.Sequence(lambda n: f"Commune {n}")
    postal_codes = factory.LazyFunction(lambda: ["85230"])
    population = 3000
    epci_code = "200071629"
    epci_name = "CC Challans-Gois Communauté"
    department_code = "85"
    region_code = "52"
    latitude = 46.91
    longitude = -2.04
    in_territory = True

    @classmethod
    def _create(cls, model_class, *args, **kwargs):
        commune, _ = model_class.objects.update_or_create(insee_code=kwargs.pop("insee_code"), defaults=kwargs)
        return commune


def make_world() -> dict:
    """One object of every kind a URL names, each reachable by the personas of the role table.

    The practitioner holds the booked consultation (so they may open its patient's file), the
    funder belongs to the organisation of the published report, the API client holds every scope.
    """
    import datetime as dt

    from django.core.files.base import ContentFile
    from django.utils import timezone

    from escorter.models import TaskRun
    from interop.models import SasAppointment
    from interop.services import create_api_client
    from patients.models import Call, PatientImport
    from reporting.models import MonthlyReport
    from sites.models import Department
    from staffing.models import CallBack, Consultation, ConsultationKind
    from staffing.tasks import project_capacity
    from tests.patients.factories import PatientFactory
    from tests.reporting.factories import ExpenseFactory
    from tests.staffing.booking_helpers import permanence
    from tests.staffing.factories import CalendarFeedFactory, ClosureFactory, RotaRuleFactory

    # reference data, absent after a `transaction=True` test's flush: the territory page needs it
    Department.objects.get_or_create(
        code="85", defaults={"name": "Vendée", "region_code": "52", "region_name": "Pays de la Loire"}
    )
    practitioner = make_user(Role.PRACTITIONER, username="persona-practitioner")
    funder = FunderFactory(name="ARS des Pays de la Loire")
    perm = permanence(days=2)
    perm.professional.user = practitioner
    perm.professional.save(update_fields=["user"])
    patient = PatientFactory(sms_consent=True, phone="06 12 34 56 78")

    def consultation(who, minutes, status, **extra):
        return Consultation.objects.create(
            patient=who,
            permanence=perm,
            professional=perm.professional,
            start=perm.start + dt.timedelta(minutes=minutes),
            end=perm.start + dt.timedelta(minutes=minutes + 20),
            kind=ConsultationKind.FIRST_VISIT,
            status=status,
            **extra,
        )

    booked = consultation(patient, 0, Consultation.Status.BOOKED)
    proposal = consultation(
        PatientFactory(), 40, Consultation.Status.PROPOSED, expires_at=timezone.now() + dt.timedelta(days=2)
    )
    api_client, token = create_api_client(name="SAS")
    sas_booked = consultation(PatientFactory(), 60, Consultation.Status.BOOKED)
    sas_appointment = SasAppointment.objects.create(
        client=api_client, consultation=sas_booked, identifier_system="urn:sas", identifier_value="rdv-1"
    )
    report = MonthlyReport(audience=funder, month=dt.date(2026, 10, 1))
    for fmt in ("pdf", "xlsx", "csv"):
        report.file_for(fmt).save(f"rapport.{fmt}", ContentFile(b"rapport"), save=False)
    report.status, report.generated_at, report.checksum = MonthlyReport.Status.PUBLISHED, timezone.now(), "0" * 64
    report.save()
    expense = ExpenseFactory()
    upload = PatientImport.objects.create(file="imports/liste.csv", original_name="liste.csv", summary={})
    return {
        "users": {
            Role.COORDINATOR: make_user(Role.COORDINATOR, username="persona-coordinator"),
            Role.SECRETARY: make_user(Role.SECRETARY, username="persona-secretary"),
            Role.PRACTITIONER: practitioner,
            Role.FUNDER: make_user(Role.FUNDER, username="persona-funder", funder=funder),
        },
        "token": token,
        "task_run": TaskRun.objects.create(task_name="x"),
        "premises": perm.premises,
        "room": perm.room,
        "closure": ClosureFactory(premises=perm.premises),
        "patient": patient,
        "import": upload,
        "call": Call.objects.create(patient=patient),
        "professional": perm.professional,
        "rule": RotaRuleFactory(professional=perm.professional),
        "permanence": perm,
        "slot": (perm.start + dt.timedelta(minutes=100)).isoformat(),
        "day": timezone.localdate(perm.start).isoformat(),
        "feed": CalendarFeedFactory(professional=perm.professional),
        "premises_feed": CalendarFeedFactory(professional=None, premises=perm.premises),
        "consultation": booked,
        "proposal": proposal,
        "sas_appointment": sas_appointment,
        "report": report,
        "funding_line": expense.line,
        "expense": expense,
        "call_back": CallBack.objects.create(
            patient=patient, kind=ConsultationKind.FOLLOW_UP, reason="Permanence annulée"
        ),
        "planner_run": TaskRun.objects.create(task_name=project_capacity.name),
    }
