"""Demo funders and the funder accounts' memberships, for seed_demo."""

from django.contrib.auth import get_user_model

from escorter.demo import DEMO_USERS
from reporting.models import Funder, FunderMembership

DEMO_FUNDERS = [
    ("ARS Pays de la Loire", Funder.Kind.ARS),
    ("CPAM de la Vendée", Funder.Kind.CPAM),
]


def seed(stdout=None) -> None:
    for name, kind in DEMO_FUNDERS:
        Funder.objects.update_or_create(name=name, defaults={"kind": kind})


def seed_memberships(stdout=None) -> None:
    """Each demo funder account belongs to its organisation (runs after the accounts exist)."""
    users = get_user_model().objects
    for username, _first, _last, _role, funder_name in DEMO_USERS:
        if funder_name:
            FunderMembership.objects.update_or_create(
                user=users.get(username=username), defaults={"funder": Funder.objects.get(name=funder_name)}
            )


def seed_data(stdout=None) -> None:
    from reporting import demo_data

    demo_data.seed(stdout=stdout)


def seed_month_ends(stdout=None) -> None:
    """The closed months' registry snapshots, so the demo's dashboard reads them from its first view."""
    from reporting.services.month_ends import refresh_month_ends

    refresh_month_ends()


DEMO_STEPS = [
    (15, seed, "financeurs"),
    (21, seed_memberships, "comptes des financeurs"),
    (70, seed_data, "financements, dépenses et rapports mensuels"),
    (90, seed_month_ends, "registre en fin de mois (tableau de bord)"),
]
