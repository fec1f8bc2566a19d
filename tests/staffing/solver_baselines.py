"""Baselines and bounds the solver is measured against (tests and bench/scheduler.py)."""

from __future__ import annotations

import numpy as np
from scipy.optimize import linear_sum_assignment

from staffing.solver import UNASSIGNED, Problem, Solution, evaluate, priority_order

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


def lexicographic_bound(problem: Problem, served: Solution) -> float:
    """Least secondary cost of any assignment serving as much priority as `served`, over ALL patients.

    The solver first fixes WHICH patients are served (ties in priority broken by referral
    date), then optimises where they go; its own LP bound only covers the second step. Here
    distance may break priority ties too, so this is the right yardstick for its secondary
    cost. In a transversal matroid every maximum-priority set serves the same number of
    patients at each priority level, so when `served` reaches `priority_bound` (checked
    independently) the levels' counts can be fixed as equalities: one LP, solved by HiGHS's
    dual simplex, where patients with identical rows (class, commune, last practitioner,
    priority) are one variable block.
    """
    from scipy.optimize import linprog
    from scipy.sparse import coo_matrix

    if served.priority_served < priority_bound(problem):
        raise ValueError("the solution does not serve the maximum priority")
    keys = np.stack([problem.cls, problem.location, problem.last_professional, problem.priority], axis=1)
    groups, first, counts = np.unique(keys, axis=0, return_index=True, return_counts=True)
    all_perm = np.arange(problem.n_permanences)
    rows_g, cols_p, cost = [], [], []
    for g, i in enumerate(first):
        patients = np.full(problem.n_permanences, i)
        ok = problem.compatible(patients, all_perm)
        rows_g.append(np.full(int(ok.sum()), g))
        cols_p.append(all_perm[ok])
        cost.append(problem.secondary_cost(patients[ok], all_perm[ok]))
    rows_g, cols_p, cost = np.concatenate(rows_g), np.concatenate(cols_p), np.concatenate(cost)
    n, var = len(cost), np.arange(len(cost))
    a_ub = coo_matrix(
        (np.ones(2 * n), (np.concatenate([rows_g, len(groups) + cols_p]), np.concatenate([var, var]))),
        shape=(len(groups) + problem.n_permanences, n),
    ).tocsr()
    b_ub = np.concatenate([counts, problem.capacity]).astype(float)
    levels, level_of_var = np.unique(groups[rows_g, 3], return_inverse=True)
    taken = problem.priority[served.permanence >= 0]
    per_level = np.array([(taken == level).sum() for level in levels], dtype=float)
    a_eq = coo_matrix((np.ones(n), (level_of_var, var)), shape=(len(levels), n)).tocsr()
    result = linprog(cost, A_ub=a_ub, b_ub=b_ub, A_eq=a_eq, b_eq=per_level, bounds=(0, None), method="highs-ds")
    return float(result.fun)
