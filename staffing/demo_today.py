"""Demo "today" for seed_demo, whatever the date: the practitioner's half-day with patients, the
secretary's arrivals and calls received this morning.

The rota follows weekdays, so on some days Dr Martin holds no permanence and nobody calls at
6 a.m.: a demo opened then would look dead. This step tops today up, relative to the current
time, and does nothing when today already has it (safe to run again, and on a later day it
fills that day).
"""

from __future__ import annotations

import datetime as dt
import random

from django.core.exceptions import ValidationError
from django.utils import timezone

from patients.models import Call, CallCategory, CallerKind, CallOutcome, Patient
from staffing.demo_bookings import day_consultation
from staffing.models import Consultation, ConsultationKind, Permanence, Professional, RotaRule
from staffing.selectors.booking import free_starts
from staffing.services.rota import create_permanence

PRACTITIONER = "dr.martin"
PATIENTS_TODAY = 6
CALLS_THIS_MORNING = [  # minutes ago, category, reason, outcome ("" = the call being handled)
    (12, CallCategory.FEVER, "Fièvre à 39 depuis hier soir, courbatures", ""),
    (48, CallCategory.CHILD, "Enfant de 4 ans, otite probable", CallOutcome.SAME_DAY),
    (95, CallCategory.PRESCRIPTION, "Traitement pour la tension terminé, plus de médecin", CallOutcome.WITHIN_48H),
    (140, CallCategory.PAIN, "Lombalgie après un effort, marche possible", CallOutcome.ADVICE_GIVEN),
]


def _day_bounds(day: dt.date) -> tuple[dt.datetime, dt.datetime]:
    start = timezone.make_aware(dt.datetime.combine(day, dt.time.min))
    return start, start + dt.timedelta(days=1)


def _half_day(day: dt.date, now: dt.datetime) -> tuple[dt.datetime, dt.datetime]:
    """The morning, or the afternoon once the morning is mostly over: some patients seen, some to come."""
    morning = timezone.make_aware(dt.datetime.combine(day, dt.time(8, 30)))
    if timezone.localtime(now).hour < 11:
        return morning, morning + dt.timedelta(hours=4)
    afternoon = timezone.make_aware(dt.datetime.combine(day, dt.time(14, 0)))
    return afternoon, afternoon + dt.timedelta(hours=4)


def _practitioner_permanence(professional: Professional, day: dt.date, now: dt.datetime) -> Permanence | None:
    start, end = _day_bounds(day)
    existing = (
        Permanence.objects.active()
        .filter(professional=professional, start__gte=start, start__lt=end)
        .select_related("professional", "premises")
        .order_by("start")
        .first()
    )
    if existing is not None:
        return existing
    rule = RotaRule.objects.filter(professional=professional, active=True).select_related("premises", "room").first()
    if rule is None:
        return None
    begin, finish = _half_day(day, now)
    for room in (rule.room, None):  # the usual room may be taken that day
        try:
            return create_permanence(
                professional=professional, premises=rule.premises, room=room, start=begin, end=finish, kinds=rule.kinds
            )
        except ValidationError:
            continue
    return None


def _fill(permanence: Permanence, now: dt.datetime, rng: random.Random) -> int:
    booked = Consultation.objects.active().filter(permanence=permanence).count()
    wanted = PATIENTS_TODAY - booked
    if wanted <= 0:
        return 0
    starts = free_starts([permanence], now=now)[permanence.pk]
    day_start, day_end = _day_bounds(timezone.localdate(permanence.start))
    busy_today = Consultation.objects.active().filter(start__gte=day_start, start__lt=day_end).values("patient_id")
    in_care = list(
        Patient.objects.filter(status=Patient.Status.IN_CARE, anonymised_at__isnull=True)
        .exclude(pk__in=busy_today)
        .order_by("-priority_score")[:PATIENTS_TODAY]
    )
    waiting = list(
        Patient.objects.filter(Patient.AWAITING_CALL)
        .exclude(pk__in=busy_today)
        .order_by("-priority_score")[:PATIENTS_TODAY]
    )
    rows = []
    for start in starts[: wanted * 2 : 2]:  # every other slot: the day keeps room for calls
        seen = start + dt.timedelta(minutes=20) <= now
        pool = in_care if (seen and in_care) or not waiting else waiting
        if not pool:
            break
        patient = pool.pop(0)
        first = patient.status == Patient.Status.WAITING
        kind = ConsultationKind.FIRST_VISIT if first else ConsultationKind.FOLLOW_UP
        if kind not in permanence.kinds:
            kind = permanence.kinds[0]
        done = seen and not first and rng.random() < 0.7
        rows.append(day_consultation(patient, permanence, start, kind, done=done, now=now, rng=rng, early=6))
    for row in rows:
        row.confirmed_at = row.created_at
        row.save()  # one by one: the database re-checks every overlap guard
    return len(rows)


def _calls(now: dt.datetime, rng: random.Random) -> int:
    recent = Call.objects.received_between(now - dt.timedelta(hours=3), now + dt.timedelta(seconds=1)).count()
    if recent >= len(CALLS_THIS_MORNING):
        return 0
    from django.contrib.auth import get_user_model

    secretary = get_user_model().objects.filter(username="secretariat").first()
    communes = list(Patient.objects.filter(commune__in_territory=True).values_list("commune_id", flat=True)[:50])
    created = 0
    for minutes, category, reason, outcome in CALLS_THIS_MORNING:
        received = now - dt.timedelta(minutes=minutes)
        duration = rng.randint(120, 300)
        Call.objects.create(
            received_at=received,
            handled_by=secretary,
            caller_kind=CallerKind.RELATIVE if category == CallCategory.CHILD else CallerKind.PATIENT,
            caller_phone=f"06{rng.randrange(10**8):08d}",
            commune_id=rng.choice(communes) if communes else None,
            category=category,
            reason=reason,
            outcome=outcome,
            duration_seconds=duration if outcome else None,
            closed_at=received + dt.timedelta(seconds=duration) if outcome else None,
        )
        created += 1
    return created


def seed(stdout=None, now: dt.datetime | None = None) -> None:
    now = now or timezone.now()
    rng = random.Random(now.date().toordinal())
    professional = Professional.objects.filter(user__username=PRACTITIONER).first()
    patients = 0
    if professional is not None:
        permanence = _practitioner_permanence(professional, timezone.localdate(now), now)
        if permanence is not None:
            patients = _fill(permanence, now, rng)
    calls = _calls(now, rng)
    if stdout:
        stdout.write(f"Aujourd'hui : {patients} patient(s) pour Dr Martin, {calls} appel(s) ce matin.")
