"""Demo territory for seed_demo: the Vendée communes and the CPTS Loire-Vendée-Océan's three EPCIs."""

from __future__ import annotations

from sites import services

TERRITORY_EPCIS = {
    "200071629": "CC Challans-Gois Communauté",
    "248500191": "CC de l'Ile de Noirmoutier",
    "248500258": "CC Océan Marais de Monts",
}


def seed(stdout=None) -> None:
    created, updated = services.load_communes()
    in_territory = services.mark_territory(list(TERRITORY_EPCIS))
    if stdout:
        stdout.write(f"Communes : {created} créées, {updated} mises à jour, {in_territory} dans le territoire.")
