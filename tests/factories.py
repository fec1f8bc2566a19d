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
