"""Benchmark of the scheduler's solver: seconds, objective, gap to a bound, greedy baseline.

    .venv/bin/python bench/scheduler.py --patients 10000 --slots 5000 [--seed 1] [--lsa]

The instance is synthetic but territory-shaped (40 communes, 8 sites, GPs and IPAs,
lumpy integer priority scores, 30 % of patients with a previous practitioner). The
objective is lexicographic: priority served first, then the secondary cost in
kilometre-equivalents (distance + 0.5/day of waiting - 15 for the same practitioner).
The bound is the LP relaxation of the assignment (valid for any assignment serving the
same patients); `--lsa` also runs scipy's linear_sum_assignment on the expanded matrix
(minutes at full size: use it on small instances).
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

import django

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "escorter.settings")
django.setup()  # the solver needs no database, but its package sits in a Django app

from staffing.services.scheduler import baselines, solver  # noqa: E402
from staffing.services.scheduler.synthetic import random_problem  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--patients", type=int, default=10_000)
    parser.add_argument("--slots", type=int, default=5_000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--lsa", action="store_true", help="also run the linear_sum_assignment reference")
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
