"""Demo team and rota for seed_demo: ~12 professionals, a rota close to the source articles, history since June 2024.

Runs after the demo users exist, so the practitioner account "dr.martin" gets linked to Dr Paul Martin.
"""

from __future__ import annotations

import datetime as dt

from django.contrib.auth import get_user_model
from django.utils import timezone
from stdnum import luhn

from sites.models import Closure, Commune, Premises, Room
from staffing.models import (
    RPPS_REQUIRED,
    Absence,
    ConsultationKind,
    CoverageTarget,
    Permanence,
    Profession,
    Professional,
    RotaRule,
)
from staffing.services import rota

K = ConsultationKind
HISTORY_START = dt.date(2024, 6, 3)

BEAUVOIR = "Cabinet municipal de Beauvoir-sur-Mer"
GUERINIERE = "Salle médicale de La Guérinière"
FROIDFOND = "Ancien cabinet médical de Froidfond"
BARRE = "Maison des associations de La Barre-de-Monts"


def demo_rpps(n: int) -> str:
    """A fictitious but well-formed RPPS (11 digits, Luhn key from python-stdnum)."""
    base = f"1000{n:06d}"
    return base + luhn.calc_check_digit(base)


# key, first name, last name, profession, practice, commune INSEE, minutes, user
PROFESSIONALS = [
    ("martin", "Paul", "Martin", Profession.GP, "Maison de santé de Challans", "85047", 20, "dr.martin"),
    ("rousseau", "Anne", "Rousseau", Profession.GP, "Cabinet médical de Bouin", "85031", 20, None),
    ("bernard", "Jean-Luc", "Bernard", Profession.GP, "Pôle santé de Saint-Gervais", "85221", 20, None),
    ("pineau", "Isabelle", "Pineau", Profession.GP, "Maison de santé de Challans", "85047", 20, None),
    ("charrier", "Olivier", "Charrier", Profession.GP, "Cabinet du Perrier", "85172", 20, None),
    ("gaborit", "Camille", "Gaborit", Profession.GP, "Maison de santé de Saint-Jean-de-Monts", "85234", 20, None),
    ("renaud", "Thomas", "Renaud", Profession.GP, "Cabinet de Noirmoutier-en-l'Île", "85163", 20, None),
    ("loiseau", "Marc", "Loiseau", Profession.GP, "Cabinet médical de Sallertaine", "85280", 20, None),
    ("boucard", "Nathalie", "Boucard", Profession.IPA, "Maison de santé de Challans", "85047", 30, None),
    ("tessier", "Émilie", "Tessier", Profession.NURSE, "Cabinet infirmier de Barbâtre", "85011", 30, None),
    (
        "perrocheau",
        "Julie",
        "Perrocheau",
        Profession.MEDICAL_ASSISTANT,
        "Maison de santé de Challans",
        "85047",
        20,
        None,
    ),
    ("girard", "Martine", "Girard", Profession.SECRETARY, "CPTS Loire-Vendée-Océan", "85047", 20, None),
]

AM, PM, DAY = (dt.time(8, 30), dt.time(12, 30)), (dt.time(14, 0), dt.time(18, 0)), (dt.time(9, 0), dt.time(17, 0))
CARE = [K.FIRST_VISIT, K.FOLLOW_UP]

# professional, premises, room, weekday, hours, kinds, recurrence extras
RULES = [
    ("martin", BEAUVOIR, "Cabinet 1", 0, AM, CARE, {}),
    ("rousseau", BEAUVOIR, "Cabinet 1", 0, PM, [K.SNP, K.FOLLOW_UP], {}),
    ("bernard", BEAUVOIR, "Cabinet 1", 1, AM, CARE + [K.PREVENTION], {}),
    ("perrocheau", BEAUVOIR, "Salle de soins", 1, AM, [K.FOLLOW_UP, K.PREVENTION], {}),
    ("pineau", BEAUVOIR, "Cabinet 1", 2, AM, CARE, {}),
    ("martin", BEAUVOIR, "Cabinet 1", 2, PM, [K.SNP], {"recurrence": "every_n_weeks", "interval_weeks": 2}),
    ("charrier", BEAUVOIR, "Cabinet 1", 3, AM, CARE, {}),
    ("boucard", BEAUVOIR, "Cabinet 2", 3, DAY, [K.FOLLOW_UP, K.PREVENTION, K.TELECONSULTATION], {}),
    ("perrocheau", BEAUVOIR, "Salle de soins", 3, AM, [K.FOLLOW_UP], {}),
    ("gaborit", BEAUVOIR, "Cabinet 1", 4, AM, CARE, {}),
    ("renaud", BEAUVOIR, "Cabinet 1", 4, PM, [K.SNP], {}),
    ("girard", BEAUVOIR, None, 0, AM, [K.FOLLOW_UP], {}),
    ("girard", BEAUVOIR, None, 3, AM, [K.FOLLOW_UP], {}),
    ("renaud", GUERINIERE, "Cabinet", 2, AM, CARE, {}),
    ("loiseau", GUERINIERE, "Cabinet", 0, PM, CARE, {"recurrence": "every_n_weeks", "interval_weeks": 2}),
    ("tessier", GUERINIERE, "Salle polyvalente", 4, AM, [K.PREVENTION], {}),
    ("loiseau", FROIDFOND, "Cabinet médical", 1, PM, CARE, {}),
    ("boucard", FROIDFOND, "Cabinet médical", 1, DAY, [K.FOLLOW_UP, K.PREVENTION], {"room": None}),
    ("rousseau", FROIDFOND, "Cabinet médical", 3, (dt.time(14, 0), dt.time(17, 30)), [K.SNP], {}),
    (
        "martin",
        FROIDFOND,
        "Cabinet médical",
        4,
        AM,
        [K.PREVENTION, K.FIRST_VISIT],
        {"recurrence": "monthly_nth", "week_of_month": 1},
    ),
    ("gaborit", BARRE, "Cabinet 1", 2, PM, [K.SNP, K.FIRST_VISIT], {}),
]

TARGETS = [
    (BEAUVOIR, Profession.GP, 32),
    (BEAUVOIR, Profession.IPA, 8),
    (BEAUVOIR, Profession.MEDICAL_ASSISTANT, 8),
    (GUERINIERE, Profession.GP, 8),
    (GUERINIERE, Profession.NURSE, 4),
    (FROIDFOND, Profession.GP, 12),
    (FROIDFOND, Profession.IPA, 8),
    (BARRE, Profession.GP, 8),
]


def _professionals() -> dict[str, Professional]:
    users = {u.username: u for u in get_user_model().objects.filter(username__in=[p[7] for p in PROFESSIONALS if p[7]])}
    communes = {c.insee_code: c for c in Commune.objects.filter(insee_code__in=[p[5] for p in PROFESSIONALS])}
    team = {}
    for n, (key, first, last, profession, practice, insee, minutes, username) in enumerate(PROFESSIONALS, start=1):
        needs_rpps = profession in RPPS_REQUIRED
        team[key], _ = Professional.objects.update_or_create(
            first_name=first,
            last_name=last,
            defaults={
                "profession": profession,
                "rpps": demo_rpps(n) if needs_rpps else "",
                "practice": practice,
                "commune": communes.get(insee),
                "phone": f"06 12 34 {n:02d} {n * 7 % 100:02d}",
                "email": f"{key}@demo.escorter.fr",
                "default_consultation_minutes": minutes,
                "user": users.get(username) if username else None,
            },
        )
    return team


def _rules(team: dict[str, Professional]) -> int:
    premises = {p.name: p for p in Premises.objects.all()}
    rooms = {(r.premises.name, r.name): r for r in Room.objects.select_related("premises")}
    for key, premises_name, room_name, weekday, (start, end), kinds, extra in RULES:
        extra = dict(extra)
        place = premises[premises_name]
        room = rooms.get((premises_name, room_name)) if room_name else None
        if "room" in extra:
            room = extra.pop("room")
        RotaRule.objects.update_or_create(
            professional=team[key],
            premises=place,
            weekday=weekday,
            start_time=start,
            defaults={
                "room": room,
                "end_time": end,
                "kinds": list(kinds),
                "valid_from": max(place.available_from, HISTORY_START),
                "recurrence": extra.get("recurrence", RotaRule.Recurrence.WEEKLY),
                "interval_weeks": extra.get("interval_weeks", 1),
                "week_of_month": extra.get("week_of_month"),
            },
        )
    return len(RULES)


def _absences_and_closures(team: dict[str, Professional]) -> None:
    today = timezone.localdate()
    Absence.objects.get_or_create(
        professional=team["pineau"],
        start_date=dt.date(2025, 8, 4),
        end_date=dt.date(2025, 8, 22),
        defaults={"kind": Absence.Kind.LEAVE},
    )
    Absence.objects.get_or_create(
        professional=team["charrier"],
        start_date=today + dt.timedelta(days=14),
        end_date=today + dt.timedelta(days=20),
        defaults={"kind": Absence.Kind.TRAINING, "note": "DU de soins palliatifs"},
    )
    guerin = Premises.objects.get(name=GUERINIERE)
    day = today + dt.timedelta(days=(2 - today.weekday()) % 7 + 21)  # a Wednesday three weeks ahead
    Closure.objects.get_or_create(
        premises=guerin, start_date=day, end_date=day, defaults={"reason": "Salle réquisitionnée : repas des aînés"}
    )


def _cancellations() -> int:
    """A few cancelled half-days in the history and one ahead, as a real rota has."""
    reasons = ["Médecin malade", "Intempéries : route du Gois fermée", "Formation DPC", "Panne de chauffage"]
    cancelled = 0
    rules = {
        (r.professional.last_name, r.premises.name, r.weekday): r
        for r in RotaRule.objects.select_related("professional", "premises")
    }
    picks = [
        (("Bernard", BEAUVOIR, 1), dt.date(2024, 11, 12)),
        (("Rousseau", FROIDFOND, 3), dt.date(2025, 2, 6)),
        (("Renaud", GUERINIERE, 2), dt.date(2025, 3, 19)),
        (
            ("Gaborit", BEAUVOIR, 4),
            timezone.localdate() + dt.timedelta(days=(4 - timezone.localdate().weekday()) % 7 + 7),
        ),
    ]
    for n, (key, day) in enumerate(picks):
        rule = rules.get(key)
        permanence = rule and rule.permanences.filter(occurrence_date=day, status=Permanence.Status.PLANNED).first()
        if permanence:
            rota.cancel_permanence(permanence=permanence, reason=reasons[n % len(reasons)], user=None)
            cancelled += 1
    return cancelled


def seed(stdout=None) -> None:
    team = _professionals()
    rules = _rules(team)
    _absences_and_closures(team)
    for premises_name, profession, hours in TARGETS:
        CoverageTarget.objects.update_or_create(
            premises=Premises.objects.get(name=premises_name), profession=profession, defaults={"hours_per_week": hours}
        )
    today = timezone.localdate()
    report = rota.generate_permanences(start=HISTORY_START, end=today + dt.timedelta(weeks=rota.DEFAULT_WEEKS))
    cancelled = _cancellations()
    if stdout:
        stdout.write(
            f"Équipe : {len(team)} professionnels, {rules} règles ; permanences depuis juin 2024 : "
            f"{report.summary} {cancelled} annulation(s) de démonstration."
        )


def seed_bookings(stdout=None) -> None:
    from staffing import demo_bookings

    demo_bookings.seed(stdout=stdout)


def seed_calls(stdout=None) -> None:
    from staffing import demo_calls

    demo_calls.seed(stdout=stdout)


def seed_disruptions(stdout=None) -> None:
    from staffing import demo_disruptions

    demo_disruptions.seed(stdout=stdout)


def seed_today(stdout=None) -> None:
    from staffing import demo_today

    demo_today.seed(stdout=stdout)


# the team and rota, then consultation history and upcoming bookings, then the line's calls,
# then disruptions handled the one way (a past cancelled permanence, an absence ahead),
# then today whatever the date (the practitioner's patients, calls of the last hours)
DEMO_STEPS = [
    (40, seed, "professionnels, planning et consultations passées"),
    (50, seed_bookings, "rendez-vous à venir"),
    (60, seed_calls, "appels de la ligne de soins non programmés"),
    (65, seed_disruptions, "imprévus : permanence annulée, absence"),
    (70, seed_today, "la journée d'aujourd'hui"),
]
