"""The capacity planner's gaps on the territory map: where the waiting patients' projected wait
is longest (the last projection the coordinator ran, per commune), and the communes with
waiting patients far from any premises that still has free consultation times."""

from __future__ import annotations

import math
from dataclasses import dataclass, field

from django.core.cache import cache

from reporting.secrecy import is_small
from sites.selectors import great_circle_km
from staffing.selectors.capacity import free_times_by_premises, latest_projection_summary

FAR_KM = 15  # beyond this, a waiting patient without a car is unlikely to make the trip
FREE_WEEKS = 4
CACHE_SECONDS = 600
WAIT_CLASSES = [  # (upper bound in days from today, CSS class, legend)
    (28, "wait-1", "vus sous 4 semaines"),
    (84, "wait-2", "4 à 12 semaines"),
    (math.inf, "wait-3", "plus de 12 semaines"),
]


@dataclass
class CommuneGap:
    commune: object
    path: str
    wait_css: str  # "wait-0".."wait-4", "masked", "none"
    wait_text: str
    free_km: float | None  # distance to the nearest premises with free times (None: none anywhere)
    free_premises: object = None
    far: bool = False


@dataclass
class CapacityGaps:
    communes: list[CommuneGap]
    legend: list[tuple[str, str]]
    run: object = None  # the projection's TaskRun
    weeks: int = 0
    premises_free: list = field(default_factory=list)  # (premises, free times within FREE_WEEKS)
    far: list[CommuneGap] = field(default_factory=list)
    far_km: int = FAR_KM
    free_weeks: int = FREE_WEEKS


def cached_free_times() -> dict[int, int]:
    free = cache.get("territory-map-free-times")
    if free is None:
        free = free_times_by_premises(weeks=FREE_WEEKS)
        cache.set("territory-map-free-times", free, CACHE_SECONDS)
    return free


def _wait(data: dict | None, weeks: int) -> tuple[str, str]:
    if not data or not data["waiting"]:
        return "wait-0", "aucun patient en attente d'une première consultation"
    if is_small(data["waiting"]):
        return "masked", "1 à 4 patients : non publié"
    median = data["median_from_today"]
    if median is None or median < 0:
        return "wait-4", f"la moitié des patients pas encore vus dans {weeks} semaines"
    for bound, css, _label in WAIT_CLASSES:
        if median < bound:
            return css, f"{data['waiting']} patients, vus en {median:.0f} jours médians"
    return "wait-3", ""


def capacity_gaps(outlines, sites, centroids: dict, waiting: dict[int, int]) -> CapacityGaps:
    """`outlines`: the map's CommuneShade rows; `sites`: [(premises, centroid)]; `waiting`: per commune id."""
    run = latest_projection_summary()
    baseline = ((run.result or {}).get("baseline") or {}) if run else {}
    projected = baseline.get("communes")
    weeks = baseline.get("weeks", 0)
    free = cached_free_times()
    with_free = [(p, c) for p, c in sites if free.get(p.pk, 0) > 0]
    rows = []
    for shade in outlines:
        commune = shade.commune
        css, text = _wait(projected.get(str(commune.pk)), weeks) if projected is not None else ("none", "")
        centroid = centroids.get(commune.pk)
        nearest, km = None, None
        if centroid and with_free:
            nearest, site = min(with_free, key=lambda pc: great_circle_km(*centroid, *pc[1]))
            km = great_circle_km(*centroid, *site)
        far = waiting.get(commune.pk, 0) > 0 and (km is None or km > FAR_KM)
        rows.append(CommuneGap(commune, shade.path, css, text, km, nearest, far))
    legend = [("aucune première consultation en attente", "wait-0")]
    legend += [(label, css) for _bound, css, label in WAIT_CLASSES]
    legend += [(f"pas vus avant l'horizon ({weeks} semaines)", "wait-4"), ("1 à 4 patients : non publié", "masked")]
    far = sorted((r for r in rows if r.far), key=lambda r: -(waiting.get(r.commune.pk, 0)))
    premises_free = [(p, free.get(p.pk, 0)) for p, _centroid in sites]
    return CapacityGaps(rows, legend, run if projected is not None else None, weeks, premises_free, far)
