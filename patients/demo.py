"""Demo registry for seed_demo: ~2,000 deterministic fake patients of the CPTS territory, 260 with an ALD."""

from __future__ import annotations

import datetime as dt
import random

from django.utils import timezone
from faker import Faker

from patients.models import Patient, PatientStatusChange
from patients.services.priority import active_rule
from sites.models import Commune

SEED = 2024
PATIENTS = 2000
WITH_ALD = 260
# where the GPs left, and how the orphans spread over the territory
MAIN_COMMUNES = {"85018": 0.32, "85029": 0.14, "85221": 0.14, "85095": 0.10, "85012": 0.12}
NEIGHBOURS_SHARE = 1 - sum(MAIN_COMMUNES.values())
# age bands of a rural coastal population (weights), oldest over-represented
AGE_BANDS = [((0, 5), 6), ((6, 17), 11), ((18, 39), 17), ((40, 59), 22), ((60, 69), 15), ((70, 79), 16), ((80, 97), 13)]
GPS = ["Dr Anne Lefebvre", "Dr Thomas Giraud", "Dr Lucie Bonnet", "Dr Marc Rousseau", "Dr Élise Marchand"]
# the demo team's first visits: the scheduler's share of the week, and the reserve phone bookings take
QUEUE_VISITS_PER_WEEK = 6
PHONE_VISITS_PER_WEEK = 2
GP_FOUND_SHARE = 0.6
LEFT_UNSEEN = 0.04  # moved, deceased or declined while waiting
SOURCES = [("cpam", 60), ("hospital", 10), ("pharmacy", 10), ("town_hall", 8), ("self", 7), ("other", 5)]


def _nir(rng: random.Random, sex: str, birth: dt.date, insee: str) -> str:
    body = f"{1 if sex == 'M' else 2}{birth.year % 100:02d}{birth.month:02d}{insee}{rng.randint(1, 999):03d}"
    return body + f"{97 - int(body) % 97:02d}"


def _pick(rng: random.Random, weighted):
    values, weights = zip(*weighted, strict=True)
    return rng.choices(values, weights=weights)[0]


def build_patients(today: dt.date) -> list[tuple[Patient, list[tuple[str, str, dt.datetime, str]]]]:
    rng = random.Random(SEED)
    fake = Faker("fr_FR")
    fake.seed_instance(SEED)
    communes = {c.insee_code: c for c in Commune.objects.filter(in_territory=True)}
    main = [(communes[code], weight) for code, weight in MAIN_COMMUNES.items() if code in communes]
    others = [c for code, c in sorted(communes.items()) if code not in MAIN_COMMUNES]
    if others:
        share = NEIGHBOURS_SHARE / len(others)
        main += [(c, share) for c in others]
    ages = [_pick(rng, AGE_BANDS) for _ in range(PATIENTS)]
    ages = [rng.randint(low, high) for low, high in ages]
    # ALD is mostly a matter of age: draw the 260 with weights rising with age
    ald_weights = [0.2 if a < 18 else 1 if a < 50 else 3 if a < 70 else 5 for a in ages]
    ald_indices: set[int] = set()
    while len(ald_indices) < WITH_ALD:
        ald_indices.add(rng.choices(range(PATIENTS), weights=ald_weights)[0])
    now = timezone.now()
    built = []
    for index, age in enumerate(ages):
        sex = "F" if rng.random() < 0.52 else "M"
        first = fake.first_name_female() if sex == "F" else fake.first_name_male()
        if rng.random() < 0.25:
            first += " " + (fake.first_name_female() if sex == "F" else fake.first_name_male())
        last = fake.last_name()
        birth = today - dt.timedelta(days=age * 365 + rng.randint(0, 364))
        commune = _pick(rng, main) if main else None
        referral = today - dt.timedelta(days=rng.randint(0, 548))
        ald = index in ald_indices
        codes = []
        if ald:
            codes = sorted(
                {str(rng.choice([1, 3, 5, 8, 12, 13, 14, 19, 23, 30])) for _ in range(rng.randint(1, 2))}, key=int
            )
            if rng.random() < 0.08:
                codes = ["HL"]
        pregnancy = sex == "F" and 20 <= age <= 40 and rng.random() < 0.06
        married = sex == "F" and age >= 25 and rng.random() < 0.4
        patient = Patient(
            last_name=fake.last_name() if married else last,
            birth_name=last if married else "",
            first_names=first,
            sex=sex,
            birth_date=birth,
            nir=_nir(rng, sex, birth, commune.insee_code if commune else "85018") if rng.random() < 0.6 else "",
            address=fake.street_address(),
            commune=commune,
            phone=("06" if rng.random() < 0.6 else "02") + f"{rng.randint(0, 99_999_999):08d}",
            email=f"{simple(first)}.{simple(last)}{index}@example.org" if rng.random() < 0.3 else "",
            sms_consent=rng.random() < 0.5,
            referral_date=referral,
            referral_source=("hospital" if rng.random() < 0.5 else _pick(rng, SOURCES))
            if age >= 80
            else _pick(rng, SOURCES),
            ald=ald,
            ald_codes=codes,
            disability=rng.random() < (0.12 if age >= 70 else 0.04),
            pregnancy=pregnancy,
            hospital_discharge_date=today - dt.timedelta(days=rng.randint(1, 60)) if rng.random() < 0.04 else None,
            lives_alone=rng.random() < (0.35 if age >= 70 else 0.12) and age >= 18,
            status_changed_at=now,
        )
        history = [("", "waiting", timezone.make_aware(dt.datetime.combine(referral, dt.time(9, 0))), "Signalement")]
        if rng.random() < LEFT_UNSEEN:
            # moved, deceased or declined before anyone could see them
            closing = _pick(rng, [("moved", 2), ("deceased", 1), ("declined", 1)])
            days = (today - referral).days
            at_day = min(today, referral + dt.timedelta(days=rng.randint(min(7, days), max(7, days))))
            at = timezone.make_aware(dt.datetime.combine(at_day, dt.time(14, 0)))
            patient.status, patient.status_changed_at = closing, at
            history.append(("waiting", closing, at, ""))
        built.append((patient, history))
    _first_visits_by_policy(built, today, rng)
    return built


def _first_visits_by_policy(built, today: dt.date, rng: random.Random) -> None:
    """Who was seen, and when: the team's policy replayed week by week since the first referral.

    Each week the scheduler's share of the first-visit time goes to the waiting patients in
    queue order under the rule in force (tier from fragility, then score with capped ageing:
    the code of the real waiting list), and the reserve left for phone bookings to patients
    who called, whoever they are. So the demo's history, and its monthly reports, show what
    the policy does: the most fragile seen first.
    """
    rule = active_rule()
    pending = sorted(range(len(built)), key=lambda i: built[i][0].referral_date)
    waiting: list[int] = []
    left = {
        i: timezone.localtime(p.status_changed_at).date() for i, (p, _) in enumerate(built) if p.status != "waiting"
    }
    week = built[pending[0]][0].referral_date if pending else today
    while week <= today - dt.timedelta(days=7):
        while pending and built[pending[0]][0].referral_date <= week:
            waiting.append(pending.pop(0))
        waiting = [i for i in waiting if i not in left or left[i] > week]
        scored = {i: rule.evaluate(built[i][0], week) for i in waiting}
        waiting.sort(key=lambda i: (scored[i][1], -scored[i][0], built[i][0].referral_date, i))
        chosen = waiting[:QUEUE_VISITS_PER_WEEK]
        rest = waiting[QUEUE_VISITS_PER_WEEK:]
        chosen += rng.sample(rest, k=min(len(rest), PHONE_VISITS_PER_WEEK))
        for i in chosen:
            _enter_care(built[i], week + dt.timedelta(days=rng.randint(1, 5)), today, rng)
        waiting = [i for i in waiting if i not in set(chosen)]
        week += dt.timedelta(days=7)


def _enter_care(item, seen: dt.date, today: dt.date, rng: random.Random) -> None:
    """First consultation on `seen`: in the team's care, and for many a GP found some months later."""
    patient, history = item
    at = timezone.make_aware(dt.datetime.combine(seen, dt.time(12, 0)))
    patient.status, patient.status_changed_at = "in_care", at
    history.append(("waiting", "in_care", at, "Première consultation"))
    found = seen + dt.timedelta(days=rng.randint(30, 240))
    if found < today and rng.random() < GP_FOUND_SHARE:
        found_at = timezone.make_aware(dt.datetime.combine(found, dt.time(14, 0)))
        patient.status, patient.status_changed_at = "gp_found", found_at
        patient.new_gp_name = rng.choice(GPS)
        patient.gp_found_date = found
        history.append(("in_care", "gp_found", found_at, "Médecin traitant déclaré"))


def simple(text: str) -> str:
    from patients.normalise import simplify

    return simplify(text).replace(" ", "-")


def seed(stdout=None) -> None:
    if Patient.objects.exists():
        if stdout:
            stdout.write(f"Patients : {Patient.objects.count()} déjà présents, rien à ajouter.")
        return
    today = timezone.localdate()
    rule = active_rule()
    built = build_patients(today)
    for patient, _ in built:
        patient.apply_priority(rule, today)
    Patient.objects.bulk_create([p for p, _ in built], batch_size=1000)
    PatientStatusChange.objects.bulk_create(
        [
            PatientStatusChange(patient=patient, from_status=src, to_status=dst, at=at, note=note)
            for patient, history in built
            for src, dst, at, note in history
        ],
        batch_size=2000,
    )
    if stdout:
        ald = sum(1 for p, _ in built if p.ald)
        stdout.write(f"Patients : {len(built)} créés dont {ald} en ALD.")


DEMO_STEPS = [(30, seed, "patients signalés et leur historique")]
