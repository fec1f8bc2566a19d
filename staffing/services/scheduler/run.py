"""The scheduling run: waiting patients + free consultation time -> proposals a secretary confirms.

Reads the registry and the rota into arrays, lets `solver.solve` find the optimal
assignment, and writes one `proposed` consultation per chosen patient, with the reason
in words. Runs under a PostgreSQL advisory lock (two runs never overlap; the second one
returns at once) and is idempotent: patients who already have a future consultation or
a live proposal are not candidates and proposed time is not free, so a second run on
the same data proposes nothing new, and the solver is deterministic.
"""

from __future__ import annotations

import datetime as dt
import math
import time
from dataclasses import asdict, dataclass, field

from django.conf import settings
from django.db import IntegrityError, connection, transaction
from django.db.models import Exists, OuterRef, Q, Subquery
from django.utils import timezone

from staffing.models import KIND_PROFESSIONS, Consultation, ConsultationKind, ConsultationStatus
from staffing.selectors.booking import consultation_minutes, free_starts
from staffing.selectors.supply import schedulable_permanences
from staffing.services.booking import expire_proposals
from staffing.services.scheduler.problem import Need, build_problem, placements
from staffing.solver import Weights, solve

LOCK_KEY = 6_060_001  # pg advisory lock id of the scheduler (arbitrary, unique in the project)
DEFAULT_HORIZON_DAYS = 28

# What the scheduler proposes; who may give each kind is KIND_PROFESSIONS (staffing.models), the one place.
SCHEDULED_KINDS = (ConsultationKind.FIRST_VISIT, ConsultationKind.FOLLOW_UP, ConsultationKind.PREVENTION)
REFILL_CANDIDATES = 500  # a refill weighs the most fragile suitable patients, not the whole registry


def proposal_days() -> int:
    return int(getattr(settings, "SCHEDULER_PROPOSAL_DAYS", 3))


def reserve_share() -> float:
    """Share of each permanence the scheduler leaves to phone bookings and same-day care."""
    return float(getattr(settings, "SCHEDULER_RESERVE_SHARE", 0.25))


def proposable(permanence, free: list) -> list:
    """The free starts the scheduler may fill: the earliest ones, keeping the reserve free."""
    grid = (permanence.end - permanence.start) // dt.timedelta(minutes=consultation_minutes(permanence.professional))
    keep = math.ceil(reserve_share() * grid)
    return free[: max(0, len(free) - keep)]


@dataclass
class SchedulerReport:
    candidates: int = 0
    free_slots: int = 0
    proposed: int = 0
    priority_served: float = 0.0
    total_km: float = 0.0
    same_practitioner: int = 0
    expired: int = 0
    conflicts: int = 0
    seconds: float = 0.0
    skipped: bool = False
    proposal_ids: list[int] = field(default_factory=list)

    def as_dict(self) -> dict:
        data = asdict(self)
        data.pop("proposal_ids")
        return data

    @property
    def summary(self) -> str:
        if self.skipped:
            return "Une planification est déjà en cours : rien n'a été fait."
        plural = "s" if self.proposed > 1 else ""
        return (
            f"{self.proposed} proposition{plural} pour {self.candidates} patients en attente "
            f"et {self.free_slots} créneaux libres ({self.same_practitioner} avec le même praticien, "
            f"{self.total_km:.0f} km au total)."
        )


def _try_lock() -> bool:
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_try_advisory_xact_lock(%s)", [LOCK_KEY])
        return bool(cursor.fetchone()[0])


def candidate_patients(now: dt.datetime):
    """Patients waiting to be called (`Patient.objects.awaiting_call`, the definition the waiting
    list and the dashboard count), and patients in care whose last consultation asked for
    another one and who hold no proposed or booked consultation; in queue order."""
    from patients.models import Patient

    done = Consultation.objects.filter(patient=OuterRef("pk"), status=ConsultationStatus.DONE).order_by("-start")
    follow_up_due = Q(
        status=Patient.Status.IN_CARE, wants_next=True, anonymised_at__isnull=True, next_consultation_at__isnull=True
    )
    return (
        Patient.objects.annotate(
            seen_before=Exists(done),
            wants_next=Subquery(done.values("next_appointment_needed")[:1]),
            last_professional_id=Subquery(done.values("professional_id")[:1]),
        )
        .filter(Patient.AWAITING_CALL | follow_up_due)
        .select_related("commune")
        .in_queue_order()
    )


def _refill_candidates(now: dt.datetime, permanences) -> list:
    """The most fragile waiting patients whose next care one of these permanences can give."""
    kinds = {
        kind
        for p in permanences
        for kind in p.kinds
        if kind in SCHEDULED_KINDS and p.professional.profession in KIND_PROFESSIONS.get(kind, ())
    }
    wanted = Q(pk__in=[])
    if ConsultationKind.FIRST_VISIT in kinds:
        wanted |= Q(seen_before=False)
    if ConsultationKind.FOLLOW_UP in kinds:
        wanted |= Q(seen_before=True, ald=True)
    if ConsultationKind.PREVENTION in kinds:
        wanted |= Q(seen_before=True, ald=False)
    refused_here = Consultation.objects.filter(
        patient=OuterRef("pk"), permanence__in=[p.pk for p in permanences], status=ConsultationStatus.CANCELLED
    )
    # whoever just cancelled or refused this time is not offered it again
    return list(candidate_patients(now).filter(wanted).exclude(Exists(refused_here))[:REFILL_CANDIDATES])


def patient_need(patient) -> str:
    if not patient.seen_before:
        return ConsultationKind.FIRST_VISIT
    if patient.ald:
        return ConsultationKind.FOLLOW_UP
    return ConsultationKind.PREVENTION


def explain(patient, *, distance: float | None, same: bool, kind: str) -> str:
    """ "P1, ALD, 4 km, même médecin que la dernière fois" — what the secretary reads to decide."""
    parts = [patient.priority_tier or "", "ALD" if patient.ald else ""]
    age = patient.age
    if age is not None and age >= 70:
        parts.append(f"{age} ans")
    parts.append(ConsultationKind(kind).label.lower())
    parts.append(f"{distance:.0f} km" if distance is not None else "commune inconnue")
    if same:
        parts.append("même médecin que la dernière fois")
    return ", ".join(p for p in parts if p)[:250]


def schedule_consultations(
    *,
    now: dt.datetime | None = None,
    horizon_days: int = DEFAULT_HORIZON_DAYS,
    user=None,
    progress=None,
    weights: Weights | None = None,
    permanence_ids: list[int] | None = None,
) -> SchedulerReport:
    """Propose consultations to waiting patients over the next `horizon_days`. Safe to run twice.

    `permanence_ids` limits the run to that time (the refill of freed time after a cancellation).
    """
    now = now or timezone.now()
    report = SchedulerReport()
    started = time.perf_counter()

    def step(pct: int, message: str) -> None:
        if progress is not None:
            progress.step(pct, message)

    with transaction.atomic():
        if not _try_lock():
            report.skipped = True
            return report
        report.expired = expire_proposals(now=now, refill=False)  # this run is the refill
        step(10, "Calcul du temps de consultation libre…")
        permanences = schedulable_permanences(
            now=now, horizon_days=horizon_days, kinds=SCHEDULED_KINDS, only_ids=permanence_ids
        )
        free = free_starts(permanences, after=now, now=now)
        free = {p.pk: proposable(p, free.get(p.pk, [])) for p in permanences}
        permanences = [p for p in permanences if free.get(p.pk)]
        report.free_slots = sum(len(free[p.pk]) for p in permanences)
        step(25, "Lecture de la liste d'attente…")
        if permanence_ids is None:
            patients = list(candidate_patients(now))
        else:
            patients = _refill_candidates(now, permanences) if permanences else []
        report.candidates = len(patients)
        if not patients or not permanences:
            report.seconds = time.perf_counter() - started
            step(100, report.summary)
            return report

        step(40, "Optimisation des affectations…")
        built = build_problem(
            patients=patients,
            needs=[Need(patient_need(p), step_free=p.mobility_need) for p in patients],
            last_professionals=[p.last_professional_id for p in patients],
            permanences=permanences,
            free=free,
            now=now,
            professions=KIND_PROFESSIONS,
            weights=weights,
        )
        solution = solve(built.problem)

        step(75, "Enregistrement des propositions…")
        _write_proposals(patients, permanences, free, built, solution, now, user, report)
    report.seconds = time.perf_counter() - started
    step(100, report.summary)
    return report


def _write_proposals(patients, permanences, free, built, solution, now, user, report):
    expires = now + dt.timedelta(days=proposal_days())
    by = user if user is not None and getattr(user, "is_authenticated", False) else None
    rows: list[tuple[Consultation, float, float, bool]] = []
    for i, perm, start in placements(built, solution, permanences, free):
        patient = patients[i]
        kind = built.kind_of(i)
        distance = built.distance(patient, i, permanences.index(perm))
        same = bool(patient.last_professional_id and patient.last_professional_id == perm.professional_id)
        proposal = Consultation(
            patient=patient,
            permanence=perm,
            professional=perm.professional,
            start=start,
            end=start + dt.timedelta(minutes=consultation_minutes(perm.professional)),
            kind=kind,
            status=ConsultationStatus.PROPOSED,
            created_at=now,
            created_by=by,
            expires_at=expires,
            explanation=explain(patient, distance=distance, same=same, kind=kind),
        )
        rows.append((proposal, float(patient.priority_score or 0), distance or 0.0, same))
    created = insert_proposals([row[0] for row in rows])
    report.conflicts += len(rows) - len(created)
    kept = {id(c) for c in created}
    created_rows = [row for row in rows if id(row[0]) in kept]
    report.proposed = len(created_rows)
    report.proposal_ids = [row[0].pk for row in created_rows]
    report.priority_served = sum(row[1] for row in created_rows)
    report.total_km = sum(row[2] for row in created_rows)
    report.same_practitioner = sum(int(row[3]) for row in created_rows)


def insert_proposals(proposals: list[Consultation]) -> list[Consultation]:
    """Insert in one statement; if a secretary booked some of this time (or one of these patients)
    meanwhile, keep every proposal that still fits, one savepoint each. Returns those inserted."""
    try:
        with transaction.atomic():
            Consultation.objects.bulk_create(proposals)
        return proposals
    except IntegrityError:
        created = []
        for proposal in proposals:
            proposal.pk = None
            try:
                with transaction.atomic():
                    proposal.save()
                created.append(proposal)
            except IntegrityError:
                continue
        return created


def refill_freed_time(*, permanence_ids: list[int], now: dt.datetime | None = None) -> SchedulerReport:
    """Freed time (a cancellation, a rejected or expired proposal, a no-show) offered at once to the
    most fragile suitable waiting patients: a scheduler run limited to those permanences, under the
    nightly run's lock (`skipped` when it is busy: the task tries again a minute later)."""
    return schedule_consultations(now=now, permanence_ids=permanence_ids)
