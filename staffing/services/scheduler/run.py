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

import numpy as np
from django.conf import settings
from django.db import IntegrityError, connection, transaction
from django.db.models import Exists, OuterRef, Q, Subquery
from django.utils import timezone

from patients.models.priority import queue_priority
from sites.selectors import commune_centroids, great_circle_km
from staffing.models import Consultation, ConsultationKind, ConsultationStatus, Permanence, Profession
from staffing.selectors.booking import consultation_minutes, free_starts
from staffing.services.booking import expire_proposals
from staffing.solver import Problem, Weights, solve

LOCK_KEY = 6_060_001  # pg advisory lock id of the scheduler (arbitrary, unique in the project)
DEFAULT_HORIZON_DAYS = 28
UNKNOWN_DISTANCE_KM = 20.0  # patient without a commune: neither favoured nor excluded

# What each patient needs from the scheduler, and who may provide it (stricter than booking by hand).
NEEDS: list[tuple[str, tuple[str, ...]]] = [
    (ConsultationKind.FIRST_VISIT, (Profession.GP,)),
    (ConsultationKind.FOLLOW_UP, (Profession.GP,)),  # ALD follow-up: a GP
    (ConsultationKind.PREVENTION, (Profession.IPA,)),  # prevention: the IPA
]
NEED_INDEX = {kind: i for i, (kind, _) in enumerate(NEEDS)}


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
) -> SchedulerReport:
    """Propose consultations to waiting patients over the next `horizon_days`. Safe to run twice."""
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
        report.expired = expire_proposals(now=now)
        step(10, "Lecture de la liste d'attente…")
        patients = list(candidate_patients(now))
        report.candidates = len(patients)
        step(25, "Calcul du temps de consultation libre…")
        permanences = list(
            Permanence.objects.active()
            .filter(
                start__gte=now,
                start__lt=now + dt.timedelta(days=horizon_days),
                professional__active=True,
                kinds__overlap=[kind for kind, _ in NEEDS],
            )
            .select_related("professional", "premises__commune")
            .order_by("start", "pk")
        )
        free = free_starts(permanences, after=now, now=now)
        free = {p.pk: proposable(p, free.get(p.pk, [])) for p in permanences}
        permanences = [p for p in permanences if free.get(p.pk)]
        report.free_slots = sum(len(free[p.pk]) for p in permanences)
        if not patients or not permanences:
            report.seconds = time.perf_counter() - started
            step(100, report.summary)
            return report

        step(40, "Optimisation des affectations…")
        problem, locations, centroids = _build_problem(patients, permanences, free, now, weights or Weights())
        solution = solve(problem)

        step(75, "Enregistrement des propositions…")
        _write_proposals(patients, permanences, free, problem, solution, locations, centroids, now, user, report)
    report.seconds = time.perf_counter() - started
    step(100, report.summary)
    return report


def _build_problem(patients, permanences, free, now, weights: Weights):
    communes = {p.commune_id: p.commune for p in patients if p.commune_id}
    communes.update({perm.premises.commune_id: perm.premises.commune for perm in permanences})
    centroids = commune_centroids(communes.values())
    sites = sorted({perm.premises_id for perm in permanences})
    site_index = {pk: i for i, pk in enumerate(sites)}
    site_commune = {perm.premises_id: perm.premises.commune_id for perm in permanences}
    patient_communes = sorted({p.commune_id for p in patients if p.commune_id})
    locations = {pk: i for i, pk in enumerate(patient_communes)}
    unknown = len(patient_communes)
    distance = np.full((unknown + 1, len(sites)), UNKNOWN_DISTANCE_KM)
    for commune_id, row in locations.items():
        for premises_id, col in site_index.items():
            a, b = centroids.get(commune_id), centroids.get(site_commune[premises_id])
            if a and b:
                distance[row, col] = round(great_circle_km(*a, *b), 1)
    types: dict[tuple, int] = {}
    ptype = []
    for perm in permanences:
        key = (perm.professional.profession, frozenset(perm.kinds))
        ptype.append(types.setdefault(key, len(types)))
    allowed = np.zeros((len(NEEDS), max(1, len(types))), dtype=bool)
    for (profession, kinds), t in types.items():
        for i, (kind, professions) in enumerate(NEEDS):
            allowed[i, t] = kind in kinds and profession in professions
    today = timezone.localdate(now)
    problem = Problem(
        # tier first, then score: a more fragile tier is always served before a less fragile one
        priority=np.array([queue_priority(p.priority_tier, p.priority_score) for p in patients]),
        rank=np.arange(len(patients)),  # the queryset is already in waiting-list order
        cls=np.array([NEED_INDEX[patient_need(p)] for p in patients]),
        location=np.array([locations.get(p.commune_id, unknown) for p in patients]),
        last_professional=np.array([p.last_professional_id or -1 for p in patients]),
        site=np.array([site_index[perm.premises_id] for perm in permanences]),
        ptype=np.array(ptype),
        professional=np.array([perm.professional_id for perm in permanences]),
        day=np.array([float((timezone.localdate(perm.start) - today).days) for perm in permanences]),
        capacity=np.array([len(free[perm.pk]) for perm in permanences]),
        distance_km=distance,
        allowed=allowed,
        weights=weights,
    )
    return problem, locations, centroids


def _write_proposals(patients, permanences, free, problem, solution, locations, centroids, now, user, report):
    expires = now + dt.timedelta(days=proposal_days())
    by = user if user is not None and getattr(user, "is_authenticated", False) else None
    rows: list[tuple[Consultation, float, float, bool]] = []
    for k, perm in enumerate(permanences):
        chosen = np.flatnonzero(solution.permanence == k)
        if not len(chosen):
            continue
        # within a permanence the most fragile get the earliest times
        chosen = chosen[np.lexsort((problem.rank[chosen], -problem.priority[chosen]))]
        length = dt.timedelta(minutes=consultation_minutes(perm.professional))
        for i, start in zip(chosen, free[perm.pk], strict=False):
            patient = patients[i]
            kind = NEEDS[problem.cls[i]][0]
            distance = None
            if patient.commune_id in locations:
                distance = float(problem.distance_km[problem.location[i], problem.site[k]])
            same = bool(patient.last_professional_id and patient.last_professional_id == perm.professional_id)
            proposal = Consultation(
                patient=patient,
                permanence=perm,
                professional=perm.professional,
                start=start,
                end=start + length,
                kind=kind,
                status=ConsultationStatus.PROPOSED,
                created_at=now,
                created_by=by,
                expires_at=expires,
                explanation=explain(patient, distance=distance, same=same, kind=kind),
            )
            rows.append((proposal, float(patient.priority_score or 0), distance or 0.0, same))
    try:
        with transaction.atomic():
            Consultation.objects.bulk_create([row[0] for row in rows])
        created = rows
    except IntegrityError:
        # a secretary booked some of this time (or one of these patients) meanwhile:
        # keep every proposal that still fits, one savepoint each
        created = []
        for row in rows:
            try:
                with transaction.atomic():
                    row[0].save()
                created.append(row)
            except IntegrityError:
                report.conflicts += 1
    report.proposed = len(created)
    report.proposal_ids = [row[0].pk for row in created]
    report.priority_served = sum(row[1] for row in created)
    report.total_km = sum(row[2] for row in created)
    report.same_practitioner = sum(int(row[3]) for row in created)
