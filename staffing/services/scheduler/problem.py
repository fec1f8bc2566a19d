"""From rows to the solver's arrays: patients with what they need, permanences with what they offer.

Shared by the nightly run, the refill of freed time and the re-proposal after a disruption,
so that all three place patients by the same rules.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np
from django.utils import timezone

from patients.models.priority import queue_priority
from sites.selectors import commune_centroids, great_circle_km
from staffing.solver import Problem, Weights

UNKNOWN_DISTANCE_KM = 20.0  # patient without a commune: neither favoured nor excluded


@dataclass(frozen=True)
class Need:
    """What one patient needs from a permanence: a kind of care, and step-free access or not."""

    kind: str
    step_free: bool = False


def step_free(permanence) -> bool:
    """A permanence is step-free when it is held in a room known to be wheelchair accessible."""
    return bool(permanence.room_id and permanence.room.wheelchair_accessible)


@dataclass
class Built:
    problem: Problem
    needs: list[Need]  # the class of each row of `problem.allowed`
    locations: dict[int, int]  # commune id -> row of `distance_km`

    def kind_of(self, i: int) -> str:
        return self.needs[self.problem.cls[i]].kind

    def distance(self, patient, i: int, k: int) -> float | None:
        if patient.commune_id not in self.locations:
            return None
        return float(self.problem.distance_km[self.problem.location[i], self.problem.site[k]])


def build_problem(
    *,
    patients: Sequence,
    needs: Sequence[Need],
    last_professionals: Sequence[int | None],
    permanences: Sequence,
    free: Mapping[int, list[dt.datetime]],
    now: dt.datetime,
    professions: Mapping[str, Sequence[str]],
    weights: Weights | None = None,
) -> Built:
    """`patients` in waiting-list order (their rank); `professions` says who may give each kind of care."""
    communes = {p.commune_id: p.commune for p in patients if p.commune_id}
    communes.update({perm.premises.commune_id: perm.premises.commune for perm in permanences})
    centroids = commune_centroids(communes.values())
    sites = sorted({perm.premises_id for perm in permanences})
    site_index = {pk: i for i, pk in enumerate(sites)}
    site_commune = {perm.premises_id: perm.premises.commune_id for perm in permanences}
    patient_communes = sorted({p.commune_id for p in patients if p.commune_id})
    locations = {pk: i for i, pk in enumerate(patient_communes)}
    unknown = len(patient_communes)
    distance = np.full((unknown + 1, max(1, len(sites))), UNKNOWN_DISTANCE_KM)
    for commune_id, row in locations.items():
        for premises_id, col in site_index.items():
            a, b = centroids.get(commune_id), centroids.get(site_commune[premises_id])
            if a and b:
                distance[row, col] = round(great_circle_km(*a, *b), 1)
    classes = sorted(set(needs), key=lambda n: (n.kind, n.step_free))
    class_index = {need: i for i, need in enumerate(classes)}
    types: dict[tuple, int] = {}
    ptype = []
    for perm in permanences:
        key = (perm.professional.profession, frozenset(perm.kinds), step_free(perm))
        ptype.append(types.setdefault(key, len(types)))
    allowed = np.zeros((max(1, len(classes)), max(1, len(types))), dtype=bool)
    for (profession, kinds, accessible), t in types.items():
        for c, need in enumerate(classes):
            allowed[c, t] = (
                need.kind in kinds
                and profession in professions.get(need.kind, ())
                and (accessible or not need.step_free)
            )
    today = timezone.localdate(now)
    problem = Problem(
        # tier first, then score: a more fragile tier is always served before a less fragile one
        priority=np.array([queue_priority(p.priority_tier, p.priority_score) for p in patients]),
        rank=np.arange(len(patients)),
        cls=np.array([class_index[need] for need in needs], dtype=np.int64),
        location=np.array([locations.get(p.commune_id, unknown) for p in patients], dtype=np.int64),
        last_professional=np.array([pk or -1 for pk in last_professionals], dtype=np.int64),
        site=np.array([site_index[perm.premises_id] for perm in permanences], dtype=np.int64),
        ptype=np.array(ptype, dtype=np.int64),
        professional=np.array([perm.professional_id for perm in permanences], dtype=np.int64),
        day=np.array([float((timezone.localdate(perm.start) - today).days) for perm in permanences]),
        capacity=np.array([len(free[perm.pk]) for perm in permanences], dtype=np.int64),
        distance_km=distance,
        allowed=allowed,
        weights=weights or Weights(),
    )
    return Built(problem=problem, needs=classes, locations=locations)


def placements(built: Built, solution, permanences, free) -> list[tuple[int, object, dt.datetime]]:
    """(patient index, permanence, start) for every patient served; within a permanence the most
    fragile get the earliest times."""
    problem = built.problem
    result = []
    for k, perm in enumerate(permanences):
        chosen = np.flatnonzero(solution.permanence == k)
        if not len(chosen):
            continue
        chosen = chosen[np.lexsort((problem.rank[chosen], -problem.priority[chosen]))]
        for i, start in zip(chosen, free[perm.pk], strict=False):
            result.append((int(i), perm, start))
    return result
