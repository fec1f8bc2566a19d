"""Random but territory-shaped scheduling problems for the benchmark and the solver tests."""

from __future__ import annotations

import numpy as np

from staffing.solver import Problem, Weights

# classes: first visit (GP only), ALD follow-up (GP only), prevention (IPA or GP)
ALLOWED = np.array([[True, False], [True, False], [True, True]])


def haversine_matrix(lat_a, lon_a, lat_b, lon_b) -> np.ndarray:
    lat_a, lon_a, lat_b, lon_b = (np.radians(np.asarray(x, dtype=float)) for x in (lat_a, lon_a, lat_b, lon_b))
    dlat = lat_b[None, :] - lat_a[:, None]
    dlon = lon_b[None, :] - lon_a[:, None]
    h = np.sin(dlat / 2) ** 2 + np.cos(lat_a[:, None]) * np.cos(lat_b[None, :]) * np.sin(dlon / 2) ** 2
    return 2 * 6371.0088 * np.arcsin(np.sqrt(np.clip(h, 0, 1)))


def random_problem(
    n_patients: int,
    n_slots: int,
    *,
    seed: int = 0,
    n_communes: int = 40,
    n_sites: int = 8,
    n_professionals: int = 14,
    slots_per_permanence: int = 12,
    horizon_days: int = 28,
    distinct_priorities: bool = False,
) -> Problem:
    rng = np.random.default_rng(seed)
    lat = 46.85 + rng.normal(0, 0.08, n_communes)
    lon = -2.05 + rng.normal(0, 0.12, n_communes)
    sites = rng.choice(n_communes, n_sites, replace=False)
    distance = np.round(haversine_matrix(lat, lon, lat[sites], lon[sites]), 1)
    # professionals: about a quarter are IPAs (type 1), the others GPs (type 0)
    pro_type = (rng.random(n_professionals) < 0.25).astype(np.int64)
    pro_type[0] = 0
    n_perm = max(1, -(-n_slots // slots_per_permanence))
    capacity = np.full(n_perm, slots_per_permanence, dtype=np.int64)
    capacity[-1] = n_slots - slots_per_permanence * (n_perm - 1)
    professional = rng.integers(0, n_professionals, n_perm)
    if distinct_priorities:
        priority = rng.permutation(n_patients).astype(float)
    else:
        # ALD +40, age +20/+30, weeks waiting...: a lumpy integer score between 0 and ~150
        priority = (
            40 * (rng.random(n_patients) < 0.13)
            + rng.choice([0, 20, 30], n_patients, p=[0.6, 0.25, 0.15])
            + 30 * (rng.random(n_patients) < 0.05)
            + rng.integers(0, 60, n_patients)
        ).astype(float)
    has_last = rng.random(n_patients) < 0.3
    return Problem(
        priority=priority,
        rank=rng.permutation(n_patients),
        cls=rng.choice(3, n_patients, p=[0.45, 0.15, 0.40]),
        location=rng.integers(0, n_communes, n_patients),
        last_professional=np.where(has_last, rng.integers(0, n_professionals, n_patients), -1),
        site=rng.integers(0, n_sites, n_perm),
        ptype=pro_type[professional],
        professional=professional,
        day=np.sort(rng.integers(0, horizon_days, n_perm)).astype(float),
        capacity=capacity,
        distance_km=distance,
        allowed=ALLOWED,
        weights=Weights(),
    )
