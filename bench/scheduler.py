"""Benchmark of the scheduler's solver: seconds, objective, gap to a bound, greedy baseline.

    .venv/bin/python bench/scheduler.py --patients 10000 --slots 5000 [--seed 1] [--lsa]

The instance is synthetic but territory-shaped (40 communes, 8 sites, GPs and IPAs,
lumpy integer priority scores, 30 % of patients with a previous practitioner). The
objective is lexicographic: priority served first, then the secondary cost in
kilometre-equivalents (distance + 0.5/day of waiting - 15 for the same practitioner).
Two bounds: the LP relaxation of the assignment of the patients the solver chose (its own
phase-2 optimum, so that gap is ~0 by construction), and an independent lexicographic LP over
all patients, where distance also breaks ties of priority — the gap that matters.
`--lsa` also runs scipy's linear_sum_assignment on the expanded matrix
(minutes at full size: use it on small instances).
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

# the solver is plain numpy/scipy: no django.setup(), no database
from staffing import solver  # noqa: E402
from tests.staffing import solver_baselines as baselines  # noqa: E402
from tests.staffing.solver_synthetic import random_problem  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--patients", type=int, default=10_000)
    parser.add_argument("--slots", type=int, default=5_000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--lsa", action="store_true", help="also run the linear_sum_assignment reference")
    parser.add_argument(
        "--independent", action="store_true", help="the independent bound at full size (slow), not at 2,000 patients"
    )
    args = parser.parse_args()

    problem = random_problem(args.patients, args.slots, seed=args.seed)
    print(
        f"instance: {problem.n_patients} patients, {int(problem.capacity.sum())} slots "
        f"in {problem.n_permanences} permanences, seed {args.seed}"
    )

    started = time.perf_counter()
    best = solver.solve(problem)
    seconds = time.perf_counter() - started
    served_mask = best.permanence >= 0
    unconstrained = baselines.unconstrained_bound(problem, served_mask)
    print(
        f"solver   : {seconds:6.2f} s  served {best.served}  priority {best.priority_served:,.0f} "
        f"(upper bound {baselines.priority_bound(problem):,.0f})  secondary {best.secondary:,.1f} km-eq"
    )
    above = 100 * (best.secondary - unconstrained) / unconstrained
    print(
        f"           LP bound {best.bound:,.1f}  gap {100 * best.gap:.4f} %  "
        f"(capacity-free bound {unconstrained:,.1f}, {above:.1f} % above)"
    )

    # the independent bound is one large LP (tens of seconds at 2,000 patients): on request at
    # full size, otherwise on a smaller instance of the same shape and seed
    check = problem if args.independent else random_problem(2_000, 1_000, seed=args.seed)
    checked = best if args.independent else solver.solve(check)
    started = time.perf_counter()
    lex_bound = baselines.lexicographic_bound(check, checked)
    print(
        f"           independent lexicographic bound over all {check.n_patients} patients "
        f"({time.perf_counter() - started:.0f} s): secondary {lex_bound:,.1f} km-eq, solver "
        f"{100 * (checked.secondary - lex_bound) / abs(lex_bound):.2f} % above it: the solver breaks "
        "priority ties by referral date before distance"
    )

    started = time.perf_counter()
    greedy = baselines.solve_greedy(problem)
    seconds = time.perf_counter() - started
    gap = (greedy.secondary - best.bound) / abs(best.bound)
    print(
        f"greedy   : {seconds:6.2f} s  served {greedy.served}  priority {greedy.priority_served:,.0f}  "
        f"secondary {greedy.secondary:,.1f} km-eq  gap {100 * gap:.2f} % "
        f"({greedy.priority_served - best.priority_served:+,.0f} priority)"
    )

    if args.lsa:
        started = time.perf_counter()
        reference = baselines.solve_with_lsa(problem)
        seconds = time.perf_counter() - started
        print(
            f"lsa      : {seconds:6.2f} s  served {reference.served}  priority {reference.priority_served:,.0f}  "
            f"secondary {reference.secondary:,.1f} km-eq (distance also breaks priority ties)"
        )


if __name__ == "__main__":
    main()
