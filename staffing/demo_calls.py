"""Demo calls to the unscheduled-care line for seed_demo: six months of plausible calls, a third ending in a visit.

The figures follow seed 002 (CPTS Beauce-Gâtinais: 5,800 calls and 2,000 consultations a
year for ~80,000 inhabitants), scaled to the population of our territory. Consultations
are booked in the demo SNP permanences with bulk_create; when no SNP time is left within
48 hours the caller is sent elsewhere, as happens on a real line.
"""

from __future__ import annotations

import datetime as dt
import math
import random
from dataclasses import dataclass
from zoneinfo import ZoneInfo

import holidays

PARIS = ZoneInfo("Europe/Paris")
CALLS_PER_YEAR = 5800
REFERENCE_POPULATION = 80_000
HISTORY_DAYS = 183
SEED = 20_260_008
HANG_UP_RATE = 0.02
# Share of a permanence still to come that the demo fills, so a demo call can still book.
OPEN_PERMANENCE_SHARE = 0.5

# relative volume per weekday (Monday rush after the weekend, Saturday morning only, closed on Sunday)
WEEKDAY_WEIGHT = (1.35, 1.0, 1.0, 0.95, 1.05, 0.45, 0.0)
# calls per opening hour on weekdays (morning rush, lull at lunch); Saturday: 8-12 only
HOUR_WEIGHT = {8: 14, 9: 14, 10: 11, 11: 9, 12: 5, 13: 8, 14: 10, 15: 8, 16: 7, 17: 6, 18: 4}
SATURDAY_HOURS = (8, 9, 10, 11)
# winter epidemics, and the coast's summer visitors (Noirmoutier, Saint-Jean-de-Monts)
MONTH_WEIGHT = {
    1: 1.25, 2: 1.2, 3: 1.05, 4: 0.95, 5: 0.9, 6: 0.95, 7: 1.15, 8: 1.2, 9: 0.9, 10: 0.95, 11: 1.05, 12: 1.2,
}  # fmt: skip

CALLER_KINDS = (("patient", 58), ("relative", 30), ("professional", 7), ("unknown", 5))

# category -> (weight, outcome weights, plausible reasons)
OUTCOMES = (
    "vital_emergency",
    "same_day",
    "within_48h",
    "advice_given",
    "redirected_pharmacy",
    "redirected_other",
    "no_action",
)
CATEGORIES = {
    "fever": (
        17,
        (1, 34, 8, 30, 12, 5, 10),
        ["Fièvre à 39 depuis deux jours", "Fièvre et courbatures", "Angine, mal à la gorge", "Otite probable"],
    ),
    "respiratory": (
        13,
        (7, 36, 8, 22, 10, 8, 9),
        ["Toux grasse depuis une semaine", "Gêne respiratoire, asthmatique", "Bronchite, essoufflé"],
    ),
    "pain": (
        13,
        (8, 30, 9, 22, 8, 12, 11),
        ["Douleur lombaire aiguë", "Douleur thoracique à l'effort", "Mal de dents", "Douleur abdominale"],
    ),
    "trauma": (9, (3, 33, 6, 12, 4, 33, 9), ["Entorse de la cheville", "Plaie à la main, coupure", "Chute à domicile"]),
    "digestive": (8, (1, 28, 8, 34, 14, 4, 11), ["Gastro-entérite, vomissements", "Diarrhée depuis trois jours"]),
    "skin": (6, (0, 22, 14, 30, 16, 5, 13), ["Éruption cutanée", "Piqûre de tique", "Brûlure légère"]),
    "urinary": (5, (1, 40, 10, 22, 12, 3, 12), ["Brûlures urinaires", "Cystite récidivante"]),
    "child": (9, (2, 38, 8, 30, 8, 5, 9), ["Enfant fiévreux de 3 ans", "Bébé qui tousse", "Enfant avec éruption"]),
    "mental_health": (3, (6, 20, 12, 26, 0, 26, 10), ["Angoisse, ne dort plus", "Proche très agité"]),
    "prescription": (
        10,
        (0, 14, 14, 34, 22, 3, 13),
        ["Renouvellement de traitement, plus de médecin", "Ordonnance de l'insuline"],
    ),
    "administrative": (4, (0, 4, 8, 40, 2, 16, 30), ["Certificat de sport", "Arrêt de travail", "Certificat de décès"]),
    "other": (3, (2, 20, 8, 34, 8, 12, 16), ["Question sur un traitement", "Résultats de prise de sang"]),
}
FOLLOW_UPS = {
    "vital_emergency": "Appel transféré au 15.",
    "redirected_other": "Orienté vers les urgences de Challans ou le dentiste de garde.",
    "redirected_pharmacy": "Conseil pharmacien.",
}


@dataclass(frozen=True)
class DemoCall:
    received_at: dt.datetime
    caller_kind: str
    category: str
    reason: str
    outcome: str
    duration_seconds: int
    identified: bool
    commune_id: int | None
    follow_up_note: str


def _weighted(rng: random.Random, pairs):
    values, weights = zip(*pairs, strict=True)
    return rng.choices(values, weights=weights, k=1)[0]


def _poisson(rng: random.Random, mean: float) -> int:
    """Knuth's method; fine for the small daily means of the line."""
    if mean <= 0:
        return 0
    limit, k, p = math.exp(-mean), 0, 1.0
    while True:
        p *= rng.random()
        if p <= limit:
            return k
        k += 1


def generate_calls(
    *,
    rng: random.Random,
    first_day: dt.date,
    last_day: dt.date,
    communes: list[tuple[int, int]],
    population: int,
    until: dt.datetime | None = None,
) -> list[DemoCall]:
    """Calls received from first_day to last_day (inclusive), none after `until`. Pure: no database.

    `communes` is [(id, population)]: callers come from a commune in proportion to its population.
    """
    yearly = CALLS_PER_YEAR * population / REFERENCE_POPULATION
    month_mean = sum(MONTH_WEIGHT.values()) / 12
    # ~11 weekday public holidays a year, when the line is closed (the 15 and the on-call GP answer)
    per_weight_unit = yearly / ((52.18 * sum(WEEKDAY_WEIGHT) - 11) * month_mean)
    closed = holidays.France(years=range(first_day.year, last_day.year + 1))
    commune_ids = [c for c, _ in communes]
    commune_weights = [max(p or 0, 1) for _, p in communes]
    categories = list(CATEGORIES.items())
    calls: list[DemoCall] = []
    day = first_day
    while day <= last_day:
        mean = 0 if day in closed else per_weight_unit * WEEKDAY_WEIGHT[day.weekday()] * MONTH_WEIGHT[day.month]
        hours = SATURDAY_HOURS if day.weekday() == 5 else tuple(HOUR_WEIGHT)
        hour_weights = [HOUR_WEIGHT[h] for h in hours]
        for _ in range(_poisson(rng, mean)):
            hour = rng.choices(hours, weights=hour_weights, k=1)[0]
            received = dt.datetime.combine(
                day, dt.time(hour, rng.randrange(60), rng.randrange(60)), tzinfo=PARIS
            ).astimezone(dt.UTC)
            if until is not None and received >= until:
                continue
            category, (_, outcome_weights, reasons) = rng.choices(
                categories, weights=[c[1][0] for c in categories], k=1
            )[0]
            outcome = rng.choices(OUTCOMES, weights=outcome_weights, k=1)[0]
            if rng.random() < HANG_UP_RATE:
                outcome = ""  # hung up before anything was decided: the call is still on record
            caller_kind = _weighted(rng, CALLER_KINDS)
            if category == "child" and caller_kind == "patient":
                caller_kind = "relative"
            median = 90 if outcome == "vital_emergency" else 170
            duration = int(min(1200, max(30, rng.lognormvariate(math.log(median), 0.45))))
            if not outcome:
                duration = rng.randint(5, 40)
            identified = bool(outcome) and (outcome in ("same_day", "within_48h") or rng.random() < 0.4)
            calls.append(
                DemoCall(
                    received_at=received,
                    caller_kind=caller_kind if outcome else "unknown",
                    category=category if outcome else "",
                    reason=rng.choice(reasons) if outcome else "",
                    outcome=outcome,
                    duration_seconds=duration,
                    identified=identified,
                    commune_id=rng.choices(commune_ids, weights=commune_weights, k=1)[0] if commune_ids else None,
                    follow_up_note=FOLLOW_UPS.get(outcome, ""),
                )
            )
        day += dt.timedelta(days=1)
    calls.sort(key=lambda c: c.received_at)
    return calls


def seed(stdout=None) -> None:
    from django.contrib.auth import get_user_model
    from django.utils import timezone

    from patients.models import Call, Patient
    from sites.models import Commune

    if Call.objects.exists():
        if stdout:
            stdout.write("Appels SNP : déjà présents, rien à ajouter.")
        return
    rng = random.Random(SEED)
    now = timezone.now()
    today = timezone.localdate()
    communes = list(Commune.objects.filter(in_territory=True).values_list("pk", "population"))
    population = sum(p or 0 for _, p in communes)
    generated = generate_calls(
        rng=rng,
        first_day=today - dt.timedelta(days=HISTORY_DAYS),
        last_day=today,
        communes=communes,
        population=population,
        until=now,
    )
    patients_by_commune: dict[int | None, list[tuple[int, int | None]]] = {}
    callers = Patient.objects.filter(anonymised_at__isnull=True, status__in=Patient.ACTIVE_STATUSES)
    for pk, commune_id in callers.values_list("pk", "commune_id"):
        patients_by_commune.setdefault(commune_id, []).append((pk, commune_id))
    everyone = [p for group in patients_by_commune.values() for p in group]
    User = get_user_model()
    handlers = list(User.objects.filter(username__in=["secretariat", "coordination"]).order_by("-username"))
    calls = []
    for demo in generated:
        patient_id, commune_id = None, demo.commune_id
        if demo.identified and everyone:
            patient_id, commune_id = rng.choice(patients_by_commune.get(demo.commune_id) or everyone)
        closed_at = demo.received_at + dt.timedelta(seconds=demo.duration_seconds) if demo.outcome else None
        calls.append(
            Call(
                received_at=demo.received_at,
                handled_by=(handlers[0] if rng.random() < 0.8 else handlers[-1]) if handlers else None,
                caller_kind=demo.caller_kind,
                caller_name="",
                caller_phone=f"06{rng.randrange(10**8):08d}" if demo.caller_kind != "unknown" else "",
                patient_id=patient_id,
                commune_id=commune_id,
                category=demo.category,
                reason=demo.reason,
                outcome=demo.outcome,
                duration_seconds=demo.duration_seconds,
                follow_up_note=demo.follow_up_note,
                closed_at=closed_at,
            )
        )
    Call.objects.bulk_create(calls, batch_size=1000)
    booked = _book_consultations(rng, calls)
    if stdout:
        share = 100 * booked / len(calls) if calls else 0
        stdout.write(
            f"Appels SNP : {len(calls)} appels sur {HISTORY_DAYS} jours, "
            f"{booked} consultations réservées ({share:.0f} %)."
        )


def _book_consultations(rng: random.Random, calls) -> int:
    """SNP consultations for the calls triaged "same day" / "within 48 h", in the demo SNP permanences.

    Walks the calls in order and gives each the first free time after the call (at least 30
    minutes later, within two days); a call that finds none is sent elsewhere, as on a real line.
    Rows go in with bulk_create, so the overlaps the database forbids are checked here first.
    """
    from django.db.models import Q
    from django.utils import timezone

    from patients.models import Call
    from sites.models import Premises
    from staffing.models import Consultation, ConsultationKind, Permanence

    wanted = [c for c in calls if c.outcome in ("same_day", "within_48h") and c.patient_id]
    if not wanted:
        return 0
    now = timezone.now()
    first = wanted[0].received_at
    last = wanted[-1].received_at + dt.timedelta(days=3)
    permanences = list(
        Permanence.objects.active()
        .filter(kinds__contains=[ConsultationKind.SNP], start__gte=first, start__lt=last)
        .filter(premises__status=Premises.Status.OPEN)  # the booking trigger refuses premises not open yet
        .select_related("professional")
        .order_by("start")
    )
    busy_professional: dict[int, list[tuple[dt.datetime, dt.datetime]]] = {}
    busy_patient: dict[int, list[tuple[dt.datetime, dt.datetime]]] = {}
    taken = Consultation.objects.active().filter(
        Q(professional__in={p.professional_id for p in permanences}) | Q(patient__in={c.patient_id for c in wanted}),
        start__lt=last,
        end__gt=first,
    )
    for professional_id, patient_id, start, end in taken.values_list("professional", "patient", "start", "end"):
        busy_professional.setdefault(professional_id, []).append((start, end))
        busy_patient.setdefault(patient_id, []).append((start, end))

    def free(intervals, start, end):
        return all(end <= s or start >= e for s, e in intervals)

    consultations, updated = [], []
    demo_booked: dict[int, int] = {}
    for call in wanted:
        earliest = call.received_at + dt.timedelta(minutes=30)
        call_day = call.received_at.astimezone(PARIS).date()
        found = None
        for permanence in permanences:
            if permanence.end <= earliest:
                continue
            if permanence.end > now and demo_booked.get(permanence.pk, 0) >= OPEN_PERMANENCE_SHARE * (
                (permanence.end - permanence.start) / dt.timedelta(minutes=20)
            ):
                continue  # leave today's and tomorrow's SNP time partly free for the demo's calls
            if (permanence.start.astimezone(PARIS).date() - call_day).days > 2:
                break
            minutes = permanence.professional.default_consultation_minutes or 20
            step = dt.timedelta(minutes=minutes)
            start = permanence.start
            while start + step <= permanence.end:
                end = start + step
                if (
                    start >= earliest
                    and free(busy_professional.get(permanence.professional_id, ()), start, end)
                    and free(busy_patient.get(call.patient_id, ()), start, end)
                ):
                    found = (permanence, start, end)
                    break
                start = end
            if found:
                break
        if found is None:
            call.outcome = "redirected_other"
            call.follow_up_note = "Aucun créneau SNP libre sous 48 h : orienté vers le médecin de garde."
            updated.append(call)
            continue
        permanence, start, end = found
        demo_booked[permanence.pk] = demo_booked.get(permanence.pk, 0) + 1
        busy_professional.setdefault(permanence.professional_id, []).append((start, end))
        busy_patient.setdefault(call.patient_id, []).append((start, end))
        call.outcome = "same_day" if start.astimezone(PARIS).date() == call_day else "within_48h"
        updated.append(call)
        if end <= now:
            status = Consultation.Status.NO_SHOW if rng.random() < 0.04 else Consultation.Status.DONE
        else:
            status = Consultation.Status.BOOKED
        consultations.append(
            Consultation(
                patient_id=call.patient_id,
                permanence=permanence,
                professional_id=permanence.professional_id,
                start=start,
                end=end,
                kind=ConsultationKind.SNP,
                status=status,
                created_at=call.closed_at or call.received_at,
                created_by_id=call.handled_by_id,
                confirmed_at=call.closed_at or call.received_at,
                confirmed_by_id=call.handled_by_id,
                arrived_at=start if status == Consultation.Status.DONE else None,
                call=call,
            )
        )
    Call.objects.bulk_update(updated, ["outcome", "follow_up_note"], batch_size=1000)
    Consultation.objects.bulk_create(consultations, batch_size=1000)
    return len(consultations)
