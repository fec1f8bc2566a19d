"""The scheduler's optimisation core: pure functions over numpy arrays, no Django.

The problem: waiting patients (priority, commune, needed kind of care, last
professional seen) and free consultation slots grouped by permanence (site,
professional, type, day, number of free slots). Each patient gets at most one slot,
each slot at most one patient. Objective, lexicographic:

1. maximise the total priority served (the most fragile first);
2. then minimise the secondary cost: kilometres from the patient's commune to the
   premises, plus a small cost per day of waiting, minus a bonus when the permanence's
   professional is the one who last saw the patient (continuity).

Why not one `linear_sum_assignment` over the slot x patient matrix: measured on
5,000 x 5,000 with our cost structure (few distinct distances, many identical slots)
it takes 14 to 98 s, because ties make its augmenting paths long. The structure gives
an exact and much faster decomposition instead:

- Phase 1 (who is served). Sets of patients that can all be given a slot form a
  transversal matroid, so the greedy rule "take patients by decreasing priority when
  the set stays assignable" maximises the total priority exactly (Edmonds/Rado). Ties
  are broken by referral date, the waiting list's own order. Assignability is Hall's
  condition, which only depends on counts per patient class because compatibility
  depends only on (class, permanence type).
- Phase 2 (where). The chosen patients aggregate into groups with identical cost rows
  (compatible types, commune, last professional) and the slots into permanences. The
  secondary cost splits along a layered network (group -> commune -> (site, type) hub ->
  permanence, plus a continuity layer through (commune, professional)), so the
  assignment is a min-cost flow on a few thousand arcs instead of millions of pairs.
  Its node-arc matrix is totally unimodular: the LP relaxation solved by HiGHS
  (scipy.optimize.linprog) has an integral optimum, and the LP value is the bound
  the solution is measured against.

`tests.staffing.solver_baselines.solve_with_lsa` keeps the textbook formulation (one `linear_sum_assignment` over the
expanded cost matrix with a lexicographic weight); tests use it as an independent
oracle on small instances and the benchmark compares against it.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass, field

import numpy as np
from scipy.optimize import linprog
from scipy.sparse import coo_matrix

UNASSIGNED = -1


@dataclass
class Weights:
    """Secondary-cost weights, in kilometre-equivalents."""

    per_day: float = 0.5  # a week sooner is worth 3.5 km
    continuity_bonus: float = 15.0  # the same practitioner is worth a 15 km detour


@dataclass
class Problem:
    """Arrays describing one scheduling run.

    Patients (n): priority, rank (tie-break, lower first: referral order), cls (index
    into `allowed` rows), location (row of `distance_km`), last_professional (-1: none).
    Permanences (k): site (column of `distance_km`), ptype (column of `allowed`),
    professional, day (days from today), capacity (free slots).
    """

    priority: np.ndarray
    rank: np.ndarray
    cls: np.ndarray
    location: np.ndarray
    last_professional: np.ndarray
    site: np.ndarray
    ptype: np.ndarray
    professional: np.ndarray
    day: np.ndarray
    capacity: np.ndarray
    distance_km: np.ndarray
    allowed: np.ndarray
    weights: Weights = field(default_factory=Weights)

    @property
    def n_patients(self) -> int:
        return len(self.priority)

    @property
    def n_permanences(self) -> int:
        return len(self.capacity)

    def secondary_cost(self, patients: np.ndarray, permanences: np.ndarray) -> np.ndarray:
        """Cost of each (patient, permanence) pair given as two aligned index arrays."""
        w = self.weights
        cost = self.distance_km[self.location[patients], self.site[permanences]] + w.per_day * self.day[permanences]
        same = (self.last_professional[patients] >= 0) & (
            self.last_professional[patients] == self.professional[permanences]
        )
        return cost - w.continuity_bonus * same

    def compatible(self, patients: np.ndarray, permanences: np.ndarray) -> np.ndarray:
        return self.allowed[self.cls[patients], self.ptype[permanences]]


@dataclass
class Solution:
    """permanence[i] is the permanence given to patient i, or UNASSIGNED."""

    permanence: np.ndarray
    priority_served: float
    secondary: float
    bound: float | None = None  # lower bound on `secondary` for the same priority served
    iterations: int = 0

    @property
    def served(self) -> int:
        return int((self.permanence >= 0).sum())

    @property
    def gap(self) -> float | None:
        if self.bound is None:
            return None
        return (self.secondary - self.bound) / max(abs(self.bound), 1e-9)


def evaluate(problem: Problem, permanence: np.ndarray) -> tuple[float, float]:
    """(priority served, secondary cost) of an assignment; checks it is feasible."""
    chosen = np.flatnonzero(permanence >= 0)
    if len(chosen):
        if not problem.compatible(chosen, permanence[chosen]).all():
            raise ValueError("incompatible assignment")
        load = np.bincount(permanence[chosen], minlength=problem.n_permanences)
        if (load > problem.capacity).any():
            raise ValueError("permanence over capacity")
    return (
        float(problem.priority[chosen].sum()),
        float(problem.secondary_cost(chosen, permanence[chosen]).sum()) if len(chosen) else 0.0,
    )


def priority_order(problem: Problem) -> np.ndarray:
    """Patients by decreasing priority, then referral rank."""
    return np.lexsort((problem.rank, -problem.priority))


# --- Phase 1: who is served ------------------------------------------------------------------


def select_patients(problem: Problem) -> np.ndarray:
    """Boolean mask of the patients served: matroid greedy under Hall's condition."""
    n_classes = problem.allowed.shape[0]
    type_capacity = np.bincount(problem.ptype, weights=problem.capacity, minlength=problem.allowed.shape[1])
    subsets = [s for r in range(1, n_classes + 1) for s in itertools.combinations(range(n_classes), r)]
    # slack[t] = slots reachable by the classes of subset t - patients of those classes taken
    slack = np.array(
        [type_capacity[problem.allowed[list(s)].any(axis=0)].sum() for s in subsets],
        dtype=np.int64,
    )
    member = np.zeros((n_classes, len(subsets)), dtype=bool)
    for t, s in enumerate(subsets):
        member[list(s), t] = True
    taken = np.zeros(problem.n_patients, dtype=bool)
    class_open = np.array([slack[member[c]].min() > 0 for c in range(n_classes)])
    for i in priority_order(problem):
        c = problem.cls[i]
        if not class_open[c]:
            continue
        taken[i] = True
        slack[member[c]] -= 1
        if slack.min() <= 0:
            class_open = np.array([slack[member[k]].min() > 0 for k in range(n_classes)])
            if not class_open.any():
                break
    return taken


# --- Phase 2: where (transportation problem, column generation) ------------------------------


def _flow_network(problem: Problem, taken: np.ndarray):
    """The min-cost-flow network of phase 2, with far fewer arcs than groups x permanences.

    Layers: patient groups (supply) -> origin nodes -> hubs -> permanences (capacity).
    - group (compatible-types row, commune, last professional) -> origin (row, commune), 0;
      origin -> hub (site, type) if the type suits the row: distance(commune, site);
      hub (site, type) -> each permanence of that site and type: per_day x day.
    - continuity: group -> (row, commune, professional) if one of the professional's types
      suits the row: -bonus; -> hub (site, professional, type) for each type that suits the
      row: distance; -> that professional's permanences of that type at that site: per_day x day.
    Every path's cost is exactly the secondary cost of the (patient, permanence) pair, and
    every compatible pair has a path, so the min-cost flow is the optimal assignment.
    """
    w = problem.weights
    rows_unique, allowed_row = np.unique(problem.allowed, axis=0, return_inverse=True)
    allowed_row = allowed_row.ravel()
    n_types = problem.allowed.shape[1]
    n_sites = problem.distance_km.shape[1]
    keys = np.stack(
        [allowed_row[problem.cls[taken]], problem.location[taken], problem.last_professional[taken]], axis=1
    )
    group_keys, group_of = np.unique(keys, axis=0, return_inverse=True)
    group_of = group_of.ravel()
    supply = np.bincount(group_of, minlength=len(group_keys))

    nodes: dict[tuple, int] = {}

    def node(key: tuple) -> int:
        return nodes.setdefault(key, len(nodes))

    tails: list[int] = []
    heads: list[int] = []
    costs: list[float] = []

    def arc(tail: int, head: int, cost: float) -> None:
        tails.append(tail)
        heads.append(head)
        costs.append(cost)

    for g in range(len(group_keys)):
        node(("group", g))
    # a professional may hold permanences of several types (kinds offered differ by site or
    # day): continuity only reaches those of a type the group may use
    pro_site_types: dict[int, set[tuple[int, int]]] = {}
    for k in range(problem.n_permanences):
        pro_site_types.setdefault(int(problem.professional[k]), set()).add(
            (int(problem.site[k]), int(problem.ptype[k]))
        )
    for g, (row, location, last) in enumerate(group_keys.tolist()):
        arc(node(("group", g)), node(("origin", row, location)), 0.0)
        if last >= 0 and any(rows_unique[row, t] for _, t in pro_site_types.get(last, ())):
            arc(node(("group", g)), node(("continuity", row, location, last)), -w.continuity_bonus)
    for key in [k for k in nodes if k[0] == "origin"]:
        _, row, location = key
        for site in range(n_sites):
            for t in range(n_types):
                if rows_unique[row, t]:
                    arc(nodes[key], node(("hub", site, t)), float(problem.distance_km[location, site]))
    for key in [k for k in nodes if k[0] == "continuity"]:
        _, row, location, pro = key
        for site, t in sorted(pro_site_types[pro]):
            if rows_unique[row, t]:
                arc(nodes[key], node(("pro_hub", site, pro, t)), float(problem.distance_km[location, site]))
    first_permanence = len(nodes)
    for k in range(problem.n_permanences):
        nodes[("permanence", k)] = first_permanence + k
    for k in range(problem.n_permanences):
        late = w.per_day * float(problem.day[k])
        hub = nodes.get(("hub", int(problem.site[k]), int(problem.ptype[k])))
        if hub is not None:
            arc(hub, first_permanence + k, late)
        pro_hub = nodes.get(("pro_hub", int(problem.site[k]), int(problem.professional[k]), int(problem.ptype[k])))
        if pro_hub is not None:
            arc(pro_hub, first_permanence + k, late)
    return (
        group_of,
        supply,
        np.array(tails, dtype=np.int64),
        np.array(heads, dtype=np.int64),
        np.array(costs),
        len(nodes),
        first_permanence,
    )


def _min_cost_flow(tails, heads, costs, n_nodes, n_groups, first_permanence, supply, capacity):
    """Solve the network LP with HiGHS; returns (arc flows, LP optimum)."""
    n_arcs = len(tails)
    # node-arc incidence: +1 leaving, -1 entering; groups ship exactly their supply,
    # transit nodes conserve flow, permanences receive at most their capacity
    values = np.concatenate([np.ones(n_arcs), -np.ones(n_arcs)])
    positions = (np.concatenate([tails, heads]), np.tile(np.arange(n_arcs), 2))
    incidence = coo_matrix((values, positions), shape=(n_nodes, n_arcs)).tocsr()
    b_eq = np.zeros(first_permanence)
    b_eq[:n_groups] = supply
    result = linprog(
        costs,
        A_eq=incidence[:first_permanence],
        b_eq=b_eq,
        A_ub=-incidence[first_permanence:],
        b_ub=capacity,
        bounds=(0, None),
        method="highs",
    )
    if result.status != 0:
        raise RuntimeError(f"min-cost flow failed: {result.message}")
    flow = np.rint(result.x)
    if np.abs(result.x - flow).max() > 1e-6:
        raise RuntimeError("min-cost flow returned a fractional solution")
    return flow.astype(np.int64), float(result.fun)


def _decompose(group_of, flow, tails, heads, n_nodes, n_groups, first_permanence, n_permanences):
    """Split the arc flows into paths: how many units of each group reach each permanence."""
    out_arcs: list[list[int]] = [[] for _ in range(n_nodes)]
    for a in np.flatnonzero(flow > 0):
        out_arcs[tails[a]].append(int(a))
    remaining = flow.copy()
    result = np.zeros((n_groups, n_permanences), dtype=np.int64)

    def push(node: int, amount: int) -> list[tuple[int, int]]:
        """Route `amount` units from `node` to permanences; returns [(permanence, units)]."""
        if node >= first_permanence:
            return [(node - first_permanence, amount)]
        reached: list[tuple[int, int]] = []
        for a in out_arcs[node]:
            if amount == 0:
                break
            take = min(amount, int(remaining[a]))
            if take == 0:
                continue
            remaining[a] -= take
            amount -= take
            reached.extend(push(int(heads[a]), take))
        return reached

    supply = np.bincount(group_of, minlength=n_groups)
    for g in range(n_groups):
        for k, units in push(g, int(supply[g])):
            result[g, k] += units
    return result


def solve(problem: Problem) -> Solution:
    """Optimal lexicographic assignment (priority served, then secondary cost)."""
    taken = np.flatnonzero(select_patients(problem))
    permanence = np.full(problem.n_patients, UNASSIGNED, dtype=np.int64)
    if len(taken) == 0:
        return Solution(permanence, 0.0, 0.0, bound=0.0)
    group_of, supply, tails, heads, costs, n_nodes, first_permanence = _flow_network(problem, taken)
    flow, optimum = _min_cost_flow(
        tails, heads, costs, n_nodes, len(supply), first_permanence, supply, problem.capacity.astype(float)
    )
    paths = _decompose(group_of, flow, tails, heads, n_nodes, len(supply), first_permanence, problem.n_permanences)
    # within a group every patient costs the same anywhere: give the earliest days to the
    # most fragile (objective-neutral, and what a human would do)
    by_day = np.argsort(problem.day, kind="stable")
    for g in range(len(supply)):
        members = taken[group_of == g]
        members = members[np.lexsort((problem.rank[members], -problem.priority[members]))]
        permanence[members] = np.repeat(by_day, paths[g, by_day])
    priority, secondary = evaluate(problem, permanence)
    if secondary > optimum + 1e-6 * max(1.0, abs(optimum)):
        raise RuntimeError("disaggregation lost optimality")
    return Solution(permanence, priority, secondary, bound=optimum)
