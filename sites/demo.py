"""Demo territory for seed_demo: the CPTS Loire-Vendée-Océan's three EPCIs, the premises lent."""

from __future__ import annotations

import datetime as dt

from sites import services
from sites.models import Commune, Premises, Room
from sites.reference import load_if_empty

TERRITORY_EPCIS = {
    "200071629": "CC Challans-Gois Communauté",
    "248500191": "CC de l'Ile de Noirmoutier",
    "248500258": "CC Océan Marais de Monts",
}

# (INSEE code, name, address, status, available from, contact, phone, keys, rooms: (name, equipment, wheelchair))
DEMO_PREMISES = [
    (
        "85018",
        "Cabinet municipal de Beauvoir-sur-Mer",
        "12 rue du Général Leclerc",
        Premises.Status.OPEN,
        dt.date(2024, 6, 3),
        "Mme Nadia Renaudin, services techniques",
        "02 51 68 70 32",
        "Clés à l'accueil de la mairie ; boîte à clés n° 2 pour le samedi.",
        [
            ("Cabinet 1", "Table d'examen électrique, ECG, otoscope, tensiomètre", True),
            ("Cabinet 2", "Table d'examen, matériel de téléconsultation", True),
            ("Salle de soins", "Chariot de soins, réfrigérateur à vaccins", True),
        ],
    ),
    (
        "85106",
        "Salle médicale de La Guérinière",
        "Place de la Mairie",
        Premises.Status.OPEN,
        dt.date(2024, 9, 2),
        "M. Éric Burgaud, secrétaire général de mairie",
        "02 51 39 81 40",
        "Badge à retirer en mairie (horaires d'ouverture).",
        [
            ("Cabinet", "Table d'examen, tensiomètre, pèse-personne", True),
            ("Salle polyvalente", "Tables et chaises : ateliers de prévention", True),
        ],
    ),
    (
        "85095",
        "Ancien cabinet médical de Froidfond",
        "3 rue de la Mairie",
        Premises.Status.OPEN,
        dt.date(2024, 10, 7),
        "Mme Sylvie Durand, adjointe aux affaires sociales",
        "02 51 68 20 11",
        "Clé chez la secrétaire de mairie ; double au bar-tabac en cas d'absence.",
        [("Cabinet médical", "Table d'examen, ECG, défibrillateur", False)],
    ),
    (
        "85012",
        "Maison des associations de La Barre-de-Monts",
        "Rue de la Grande Côte",
        Premises.Status.PREPARING,
        dt.date(2026, 12, 1),
        "M. Julien Ordonneau, directeur des services",
        "02 51 68 52 67",
        "Travaux d'accessibilité en cours ; remise des clés prévue fin novembre 2026.",
        [("Cabinet 1", "En cours d'équipement", True)],
    ),
]


def seed_premises() -> int:
    for insee, name, address, status, since, contact, phone, keys, rooms in DEMO_PREMISES:
        commune = Commune.objects.get(insee_code=insee)
        premises, _ = Premises.objects.update_or_create(
            commune=commune,
            name=name,
            defaults={
                "address": address,
                "postal_code": (commune.postal_codes or [""])[0],
                "lending_commune": commune,
                "status": status,
                "available_from": since,
                "contact_name": contact,
                "contact_phone": phone,
                "key_notes": keys,
            },
        )
        for room_name, equipment, accessible in rooms:
            Room.objects.update_or_create(
                premises=premises,
                name=room_name,
                defaults={"equipment": equipment, "wheelchair_accessible": accessible},
            )
    return len(DEMO_PREMISES)


def seed(stdout=None) -> None:
    # the communes themselves are reference data, loaded by migrate: the demo only picks its territory
    load_if_empty()
    in_territory = services.mark_territory(list(TERRITORY_EPCIS))
    premises = seed_premises()
    if stdout:
        stdout.write(f"Territoire de démonstration : {in_territory} communes ; {premises} locaux.")


DEMO_STEPS = [(10, seed, "communes du territoire et lieux de consultation")]
