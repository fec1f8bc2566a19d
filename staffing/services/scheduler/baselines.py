"""Baselines and bounds the solver is measured against (tests and bench/scheduler.py)."""

from __future__ import annotations

import numpy as np
from scipy.optimize import linear_sum_assignment

from staffing.services.scheduler.solver import UNASSIGNED, Problem, Solution, evaluate, priority_order

# --- Baselines and bounds ---------------------------------------------------------------------


def solve_greedy(problem: Problem) -> Solution:
    """Baseline: by priority, each patient takes the cheapest compatible permanence left."""
    left = problem.capacity.astype(np.int64).copy()
    permanence = np.full(problem.n_patients, UNASSIGNED, dtype=np.int64)
    all_perm = np.arange(problem.n_permanences)
    # cost rows only depend on the group key: cache them
    cache: dict[tuple[int, int, int], np.ndarray] = {}
    for i in priority_order(problem):
        key = (int(problem.cls[i]), int(problem.location[i]), int(problem.last_professional[i]))
        row = cache.get(key)
        if row is None:
            patients = np.full(problem.n_permanences, i)
            row = problem.secondary_cost(patients, all_perm)
            row[~problem.compatible(patients, all_perm)] = np.inf
            cache[key] = row
        candidates = np.where(left > 0, row, np.inf)
        best = int(np.argmin(candidates))
        if np.isfinite(candidates[best]):
            permanence[i] = best
            left[best] -= 1
            if not left.any():
                break
    priority, secondary = evaluate(problem, permanence)
    return Solution(permanence, priority, secondary)


def unconstrained_bound(problem: Problem, served: np.ndarray) -> float:
    """Each served patient at their cheapest compatible permanence, capacities ignored."""
    total = 0.0
    all_perm = np.arange(problem.n_permanences)
    for i in np.flatnonzero(served):
        patients = np.full(problem.n_permanences, i)
        row = problem.secondary_cost(patients, all_perm)
        row[~problem.compatible(patients, all_perm)] = np.inf
        total += float(row.min())
    return total


def priority_bound(problem: Problem) -> float:
    """Upper bound on the priority served: the best `total slots` priorities, compatibility ignored."""
    slots = int(problem.capacity.sum())
    return float(np.sort(problem.priority)[::-1][:slots].sum())


def solve_with_lsa(problem: Problem) -> Solution:
    """Reference: one linear_sum_assignment over the slot-expanded matrix (small instances).

    The priority weight makes the objective exactly lexicographic: one priority point
    outweighs any possible difference in total secondary cost.
    """
    slots = np.repeat(np.arange(problem.n_permanences), problem.capacity.astype(np.int64))
    n = problem.n_patients
    patients = np.repeat(np.arange(n), len(slots))
    perms = np.tile(slots, n)
    secondary = problem.secondary_cost(patients, perms).reshape(n, len(slots))
    spread = float(secondary.max() - min(secondary.min(), 0.0)) + 1.0
    distinct = np.unique(problem.priority)
    step = float(np.diff(distinct).min()) if len(distinct) > 1 else 1.0
    weight = spread * min(n, len(slots)) / min(step, 1.0) + 1.0
    # priority + 1: serving a priority-0 patient still beats leaving the slot empty
    cost = secondary - weight * (problem.priority[:, None] + 1.0)
    cost[~problem.compatible(patients, perms).reshape(n, len(slots))] = np.inf
    # a patient may stay unserved: dummy columns at cost 0
    full = np.hstack([cost, np.zeros((n, n))])
    rows, cols = linear_sum_assignment(full)
    permanence = np.full(n, UNASSIGNED, dtype=np.int64)
    real = cols < len(slots)
    permanence[rows[real]] = slots[cols[real]]
    priority, secondary_total = evaluate(problem, permanence)
    return Solution(permanence, priority, secondary_total)
