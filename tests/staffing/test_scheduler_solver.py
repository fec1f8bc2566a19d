"""The scheduler's solver: optimal against an independent linear_sum_assignment, lexicographic, feasible."""

from __future__ import annotations

import numpy as np
import pytest

from staffing import solver
from staffing.solver import UNASSIGNED, Problem, Weights
from tests.staffing import solver_baselines as baselines
from tests.staffing.solver_synthetic import random_problem


def tiny(**overrides) -> Problem:
    """Two sites 10 km apart; patients at site 0's commune unless told otherwise."""
    values = dict(
        priority=np.array([10.0, 50.0]),
        rank=np.array([0, 1]),
        cls=np.array([0, 0]),
        location=np.array([0, 0]),
        last_professional=np.array([-1, -1]),
        site=np.array([0, 1]),
        ptype=np.array([0, 0]),
        professional=np.array([0, 1]),
        day=np.array([0.0, 0.0]),
        capacity=np.array([1, 1]),
        distance_km=np.array([[0.0, 10.0], [10.0, 0.0]]),
        allowed=np.array([[True]]),
        weights=Weights(per_day=0.5, continuity_bonus=15.0),
    )
    values.update(overrides)
    return Problem(**values)


@pytest.mark.parametrize("seed", range(6))
def test_solver_matches_linear_sum_assignment_on_small_instances(seed):
    problem = random_problem(80, 40, seed=seed, slots_per_permanence=4, distinct_priorities=True)
    ours = solver.solve(problem)
    reference = baselines.solve_with_lsa(problem)
    assert ours.priority_served == reference.priority_served
    assert ours.secondary == pytest.approx(reference.secondary, abs=1e-6)
    assert ours.gap == pytest.approx(0, abs=1e-9)


@pytest.mark.parametrize("seed", range(3))
def test_with_tied_priorities_the_solver_serves_as_much_priority_as_the_reference(seed):
    problem = random_problem(200, 60, seed=seed, slots_per_permanence=6)
    ours = solver.solve(problem)
    reference = baselines.solve_with_lsa(problem)
    assert ours.priority_served == reference.priority_served
    # ties are broken by referral order, not distance: never better than the free choice
    assert ours.secondary >= reference.secondary - 1e-6


def test_the_most_fragile_patient_gets_the_only_slot():
    problem = tiny(capacity=np.array([1, 0]))
    solution = solver.solve(problem)
    assert solution.permanence.tolist() == [UNASSIGNED, 0]


def test_priority_outweighs_any_distance():
    # the fragile patient lives 10 km from the only slot, the other one next door
    problem = tiny(location=np.array([0, 1]), capacity=np.array([1, 0]))
    assert solver.solve(problem).permanence.tolist() == [UNASSIGNED, 0]


def test_each_patient_goes_to_the_nearer_site_when_both_fit():
    problem = tiny(location=np.array([1, 0]))
    assert solver.solve(problem).permanence.tolist() == [1, 0]


def test_continuity_wins_over_a_short_detour():
    problem = tiny(
        priority=np.array([50.0]),
        rank=np.array([0]),
        cls=np.array([0]),
        location=np.array([0]),
        last_professional=np.array([1]),
    )
    assert solver.solve(problem).permanence.tolist() == [1]


def test_a_patient_is_never_given_an_incompatible_profession():
    # class 0 needs type 0 (GP); the only free slot is type 1 (IPA)
    problem = tiny(ptype=np.array([1, 1]), allowed=np.array([[True, False]]), priority=np.array([10.0, 50.0]))
    solution = solver.solve(problem)
    assert solution.served == 0


def test_continuity_never_leads_to_a_permanence_of_a_kind_the_patient_cannot_use():
    # professional 1 holds two permanences of different types at site 1: only type 0 suits
    # the patient's class; type 1 (e.g. prevention only) is nearer in time and must not be used
    problem = tiny(
        priority=np.array([50.0]),
        rank=np.array([0]),
        cls=np.array([0]),
        location=np.array([1]),
        last_professional=np.array([1]),
        site=np.array([1, 1]),
        ptype=np.array([1, 0]),
        professional=np.array([1, 1]),
        day=np.array([0.0, 20.0]),
        allowed=np.array([[True, False]]),
    )
    assert solver.solve(problem).permanence.tolist() == [1]
    assert baselines.solve_with_lsa(problem).permanence.tolist() == [1]


def test_narrow_needs_are_not_crowded_out_by_flexible_ones():
    # patient 0 (flexible, higher priority) could take the GP slot, but then patient 1
    # (GP only) would be left out: the optimum serves both
    problem = tiny(
        priority=np.array([60.0, 50.0]),
        cls=np.array([1, 0]),
        ptype=np.array([0, 1]),
        allowed=np.array([[True, False], [True, True]]),
    )
    solution = solver.solve(problem)
    assert sorted(solution.permanence.tolist()) == [0, 1]
    assert solution.permanence[1] == 0


def test_earliest_days_go_to_the_most_fragile_within_a_group():
    problem = tiny(
        priority=np.array([10.0, 50.0]),
        site=np.array([0, 0]),
        day=np.array([7.0, 1.0]),
    )
    assert solver.solve(problem).permanence.tolist() == [0, 1]


def test_the_solution_is_the_same_when_run_twice():
    problem = random_problem(500, 200, seed=3)
    assert np.array_equal(solver.solve(problem).permanence, solver.solve(problem).permanence)


def test_greedy_baseline_is_feasible_and_never_better_than_the_optimum():
    problem = random_problem(400, 150, seed=4)
    best = solver.solve(problem)
    greedy = baselines.solve_greedy(problem)
    assert greedy.priority_served <= best.priority_served
    if greedy.priority_served == best.priority_served:
        assert greedy.secondary >= best.secondary - 1e-6


def test_capacity_is_never_exceeded_on_a_large_instance():
    problem = random_problem(3000, 1200, seed=5)
    solution = solver.solve(problem)
    load = np.bincount(solution.permanence[solution.permanence >= 0], minlength=problem.n_permanences)
    assert (load <= problem.capacity).all()
    assert solution.served == 1200


def test_no_patients_or_no_slots_gives_an_empty_solution():
    assert solver.solve(tiny(capacity=np.array([0, 0]))).served == 0
