"""seed_demo loads the real Vendée communes and the demo accounts, idempotently."""

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command

from escorter.roles import Role, user_role
from sites.models import Commune

pytestmark = pytest.mark.django_db


def _counts():
    from django.apps import apps

    return {
        m._meta.label: m.objects.count()
        for m in apps.get_models()
        if m._meta.app_label in {"sites", "patients", "staffing", "reporting", "auth"}
    }


def test_seed_demo_twice_changes_nothing():
    call_command("seed_demo", verbosity=0)
    first = _counts()
    call_command("seed_demo", verbosity=0)
    assert _counts() == first


def test_communes_load_including_those_without_coordinates():
    call_command("seed_demo", verbosity=0)
    assert Commune.objects.count() == 253
    assert set(Commune.objects.filter(latitude__isnull=True).values_list("insee_code", flat=True)) == {"85165", "85212"}
    assert Commune.objects.filter(in_territory=True).values("epci_code").distinct().count() == 3
    assert Commune.objects.get(insee_code="85018").name == "Beauvoir-sur-Mer"


def test_one_demo_login_per_role():
    call_command("seed_demo", verbosity=0)
    roles = {user_role(u) for u in get_user_model().objects.all()}
    assert set(Role) <= roles
    ars = get_user_model().objects.get(username="ars")
    assert ars.funder_membership.funder.name == "ARS Pays de la Loire"
