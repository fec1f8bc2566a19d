"""Demo consultations for seed_demo: history since June 2024 and upcoming bookings, consistent with the rota.

Runs after the registry (patients.demo) and the rota (staffing.demo). Every consultation
sits on the free grid of a planned permanence, is held by that permanence's professional,
and matches what the permanence offers; a patient's visits are weeks apart. Patients in
care had their first visit around the day they entered care and follow-ups since; the
ones whose GP was found had their last consultation before that date (marked "médecin
traitant trouvé"). A few waiting patients missed or cancelled a first appointment.
Upcoming: follow-ups of patients in care and first visits of the most fragile waiting
patients over the next three weeks, today's arrivals, then one scheduler run (a week
ahead) for proposals. Idempotent: does nothing when consultations exist. bulk_create only.
"""

from __future__ import annotations

import bisect
import datetime as dt
import random

from django.utils import timezone

from patients.models import Patient, PatientStatusChange
from sites.models import Premises
from sites.selectors import commune_centroids, great_circle_km
from staffing.models import (
    KIND_PROFESSIONS,
    Consultation,
    ConsultationKind,
    ConsultationStatus,
    Orientation,
    Permanence,
)
from staffing.selectors.booking import consultation_minutes, grid_starts

SEED = 606
K = ConsultationKind
S = ConsultationStatus
CANCEL_REASONS = ["Annulée par le patient", "Patient hospitalisé", "Annulée par l'équipe"]
ORIENTATIONS = [Orientation.GP_TEAM] * 6 + [Orientation.SPECIALIST, Orientation.PARAMEDICAL, Orientation.SOCIAL, ""]


class Grid:
    """Free starts of every planned permanence, searchable by date."""

    def __init__(self, permanences: list[Permanence]):
        self.permanences = permanences
        self.starts = [p.start for p in permanences]
        self.free = {p.pk: grid_starts(p, consultation_minutes(p.professional)) for p in permanences}

    def take(self, after: dt.datetime, kind: str, *, rank, window: int = 12, before: dt.datetime | None = None):
        """The best (by `rank`) of the next `window` permanences after `after` offering `kind` with a free start."""
        i = bisect.bisect_left(self.starts, after)
        options = []
        while i < len(self.permanences) and len(options) < window:
            p = self.permanences[i]
            i += 1
            if before is not None and p.start >= before:
                break
            if kind in p.kinds and p.professional.profession in KIND_PROFESSIONS[kind] and self.free[p.pk]:
                options.append(p)
        if not options:
            return None
        best = min(options, key=rank)
        return best, self.free[best.pk].pop(0)


def _kind_for(patient: Patient, first: bool) -> str:
    if first:
        return K.FIRST_VISIT
    return K.FOLLOW_UP if patient.ald else K.PREVENTION


def _consultation(patient, permanence, start, kind, status, *, now, rng, **extra) -> Consultation:
    minutes = consultation_minutes(permanence.professional)
    values = dict(
        patient=patient,
        permanence=permanence,
        professional=permanence.professional,
        start=start,
        end=start + dt.timedelta(minutes=minutes),
        kind=kind,
        status=status,
        created_at=min(now, start - dt.timedelta(days=rng.randint(2, 20))),
    )
    if status == S.CANCELLED:
        values["cancel_reason"] = rng.choice(CANCEL_REASONS)
        values["cancelled_at"] = start - dt.timedelta(days=1)
    if status in (S.DONE, S.NO_SHOW):
        values["outcome_recorded_at"] = start + dt.timedelta(minutes=minutes)
    if status == S.DONE:
        values["orientation"] = rng.choice(ORIENTATIONS)
        values["arrived_at"] = start - dt.timedelta(minutes=rng.randint(0, 15))
    values.update(extra)
    return Consultation(**values)


def day_consultation(patient, permanence, start, kind, *, done: bool, now, rng, early: int) -> Consultation:
    """One consultation of the day as the day goes: done if `done`, else booked, the patient already
    arrived (`early` minutes ahead) once it has begun, waiting for the practitioner's outcome."""
    if done:
        return _consultation(patient, permanence, start, kind, S.DONE, now=now, rng=rng)
    if start <= now:
        arrived_at = start - dt.timedelta(minutes=early)
        return _consultation(patient, permanence, start, kind, S.BOOKED, now=now, rng=rng, arrived_at=arrived_at)
    return _consultation(patient, permanence, start, kind, S.BOOKED, now=now, rng=rng)


def seed(stdout=None) -> None:
    if Consultation.objects.exists():
        if stdout:
            stdout.write("Consultations : déjà présentes, rien à faire.")
        return
    rng = random.Random(SEED)
    now = timezone.now()
    today = timezone.localdate()
    permanences = list(
        Permanence.objects.active()
        .filter(start__lt=now + dt.timedelta(weeks=3), premises__status=Premises.Status.OPEN)
        .select_related("professional", "premises__commune")
        .order_by("start", "pk")
    )
    if not permanences:
        return
    grid = Grid(permanences)
    patients = list(Patient.objects.filter(anonymised_at__isnull=True).select_related("commune").in_queue_order())
    communes = {p.commune_id: p.commune for p in patients if p.commune_id}
    communes.update({p.premises.commune_id: p.premises.commune for p in permanences})
    centroids = commune_centroids(communes.values())
    distance_cache: dict[tuple[int, int], float] = {}

    def distance(patient, permanence) -> float:
        key = (patient.commune_id or 0, permanence.premises.commune_id)
        if key not in distance_cache:
            a, b = centroids.get(key[0]), centroids.get(key[1])
            distance_cache[key] = great_circle_km(*a, *b) if a and b else 20.0
        return distance_cache[key]

    def nearest(patient):
        return lambda p: (round(distance(patient, p) / 5), p.start)  # 5 km bands, then soonest

    rows: list[Consultation] = []
    history_start = permanences[0].start

    # --- history: patients in care and patients whose GP was found
    seen = [p for p in patients if p.status in (Patient.Status.IN_CARE, Patient.Status.GP_FOUND)]
    # the first visit falls when the registry's history says the patient entered care
    # (patients.demo replays the team's policy to decide who was seen first, and when)
    entered_care = dict(
        PatientStatusChange.objects.filter(to_status=Patient.Status.IN_CARE)
        .order_by("patient_id", "at")
        .distinct("patient_id")
        .values_list("patient_id", "at")
    )
    for patient in seen:
        entered = timezone.localtime(entered_care.get(patient.pk, patient.status_changed_at))
        end = now
        if patient.status == Patient.Status.GP_FOUND:
            end = timezone.make_aware(dt.datetime.combine(patient.gp_found_date or today, dt.time(8, 0)))
        first_day = max(history_start, entered - dt.timedelta(days=3))
        if first_day >= end:
            continue
        when, first, last_done = first_day, True, None
        while when < end:
            kind = _kind_for(patient, first)
            taken = grid.take(when, kind, rank=nearest(patient), before=end)
            if taken is None:
                break
            permanence, start = taken
            roll = rng.random()
            status = S.DONE if roll < 0.86 else (S.NO_SHOW if roll < 0.93 else S.CANCELLED)
            row = _consultation(
                patient, permanence, start, kind, status, now=now, rng=rng, next_appointment_needed=status == S.DONE
            )
            rows.append(row)
            if status == S.DONE:
                first, last_done = False, row
                when = start + dt.timedelta(days=rng.randint(35, 100))
            else:
                when = start + dt.timedelta(days=rng.randint(3, 10))
        if last_done is not None and patient.status == Patient.Status.GP_FOUND:
            last_done.gp_found = True
            last_done.next_appointment_needed = False
    # a few waiting patients missed or cancelled a first appointment
    waiting = [p for p in patients if p.status == Patient.Status.WAITING]
    for patient in rng.sample(waiting, k=min(len(waiting), 90)):
        day = max(history_start, timezone.make_aware(dt.datetime.combine(patient.referral_date, dt.time(8, 0))))
        taken = grid.take(day + dt.timedelta(days=rng.randint(3, 30)), K.FIRST_VISIT, rank=nearest(patient), before=now)
        if taken:
            status = S.NO_SHOW if rng.random() < 0.5 else S.CANCELLED
            rows.append(_consultation(patient, *taken, K.FIRST_VISIT, status, now=now, rng=rng))

    # --- today and the next three weeks
    has_history = {row.patient_id for row in rows}
    today_start = timezone.make_aware(dt.datetime.combine(today, dt.time.min))
    in_care = [p for p in patients if p.status == Patient.Status.IN_CARE]
    done_before = {r.patient_id for r in rows if r.status == S.DONE}
    upcoming = [(p, _kind_for(p, p.pk not in done_before)) for p in in_care]
    upcoming = [item for item in upcoming if rng.random() < 0.45]
    fragile = [p for p in waiting if p.pk not in has_history][:70]
    upcoming += [(p, K.FIRST_VISIT) for p in fragile]
    rng.shuffle(upcoming)
    for patient, kind in upcoming:
        after = today_start + dt.timedelta(hours=rng.randint(0, 20 * 24))
        taken = grid.take(after, kind, rank=nearest(patient))
        if taken is None:
            continue
        permanence, start = taken
        done = start < now and patient.status == Patient.Status.IN_CARE and rng.random() < 0.5
        rows.append(day_consultation(patient, permanence, start, kind, done=done, now=now, rng=rng, early=5))
    for row in rows:
        row.confirmed_at = row.created_at if row.status != S.PROPOSED else None
    Consultation.objects.bulk_create(rows, batch_size=2000)

    # --- the scheduler's proposals for the coming week
    from staffing.services.scheduler.run import schedule_consultations

    report = schedule_consultations(horizon_days=7)
    if stdout:
        counts = {s: sum(1 for r in rows if r.status == s) for s in (S.DONE, S.NO_SHOW, S.CANCELLED, S.BOOKED)}
        stdout.write(
            f"Consultations : {counts[S.DONE]} réalisées, {counts[S.NO_SHOW]} absences, {counts[S.CANCELLED]} annulées "
            f"depuis juin 2024, {counts[S.BOOKED]} à venir ; {report.proposed} propositions du planificateur."
        )
