"""Demo funders for seed_demo."""

from reporting.models import Funder

DEMO_FUNDERS = [
    ("ARS Pays de la Loire", Funder.Kind.ARS),
    ("CPAM de la Vendée", Funder.Kind.CPAM),
]


def seed(stdout=None) -> None:
    for name, kind in DEMO_FUNDERS:
        Funder.objects.update_or_create(name=name, defaults={"kind": kind})
