"""Statistical secrecy on a tiny territory: small counts masked, never recoverable from totals."""

from __future__ import annotations

import itertools
import random

import pytest

from reporting.secrecy import PRIMARY_TEXT, SECONDARY_TEXT, merge_small_communes, protect
from reporting.tables import Row, Table


def grid(values, **kwargs):
    return Table(
        key="t",
        title="t",
        row_header="ligne",
        columns=[f"c{j}" for j in range(len(values[0]))],
        rows=[Row(f"r{i}", list(row)) for i, row in enumerate(values)],
        **kwargs,
    )


def displayed(table):
    return [[cell.display for cell in cells] for _, cells in table.rows]


def test_counts_from_1_to_4_are_shown_as_less_than_5_and_zero_stays_zero():
    protected = protect(grid([[0, 1, 4, 5, 12]]))
    assert displayed(protected) == [["0", PRIMARY_TEXT, PRIMARY_TEXT, "5", "12"]]


def test_masked_cells_carry_no_value_at_all():
    protected = protect(grid([[3, 10], [8, 9]], row_totals=True, col_totals=True))
    for _, cells in protected.rows:
        for cell in cells:
            if cell.masked:
                assert cell.value is None


def test_a_lone_masked_cell_in_a_row_with_a_total_gets_a_companion():
    protected = protect(grid([[3, 10, 12], [7, 8, 9], [0, 6, 20]], row_totals=True, col_totals=True))
    rows = displayed(protected)
    for row in rows:
        hidden = sum(1 for text in row if text in (PRIMARY_TEXT, SECONDARY_TEXT))
        assert hidden != 1, rows
    for column in zip(*rows, strict=True):
        hidden = sum(1 for text in column if text in (PRIMARY_TEXT, SECONDARY_TEXT))
        assert hidden != 1, rows


def _solutions(protected, n_rows, n_cols):
    """Brute force every interior table consistent with what is published (independent of the
    LP audit inside reporting.secrecy), as a well-informed reader would: a "< 5" cell is 1..4,
    an "s" cell is 0 or at least 5 (else it would read "< 5") and at most its shown totals;
    the margins recomputed from the interior must match every shown total."""
    shown = [[None if cell.masked else cell.value for cell in cells] for _, cells in protected.rows]
    flags = [[cell.flag for cell in cells] for _, cells in protected.rows]
    hidden = [(i, j) for i in range(n_rows) for j in range(n_cols) if shown[i][j] is None]
    big = max(v for row in shown for v in row if v is not None)

    def bound(i, j):
        return min(v for v in (shown[i][n_cols], shown[n_rows][j], big) if v is not None)

    ranges = [range(1, 5) if flags[i][j] == "primary" else [0, *range(5, bound(i, j) + 1)] for i, j in hidden]
    solutions = []
    for combo in itertools.product(*ranges):
        m = [row[:n_cols] for row in shown[:n_rows]]
        for (i, j), v in zip(hidden, combo, strict=True):
            m[i][j] = v
        full = [row + [sum(row)] for row in m]
        full.append([sum(col) for col in zip(*full, strict=True)])
        if all(shown[i][j] in (None, full[i][j]) for i in range(n_rows + 1) for j in range(n_cols + 1)):
            solutions.append(dict(zip(hidden, combo, strict=True)))
    return hidden, flags, solutions


@pytest.mark.parametrize("seed", range(16))
def test_no_small_count_can_be_recovered_from_row_and_column_totals(seed):
    rng = random.Random(seed)
    n_rows, n_cols = rng.choice([(2, 3), (3, 2), (2, 2)])
    values = [[rng.choice([0, 1, 2, 3, 5, 6, 8]) for _ in range(n_cols)] for _ in range(n_rows)]
    protected = protect(grid(values, row_totals=True, col_totals=True))
    hidden, flags, solutions = _solutions(protected, n_rows, n_cols)
    truth = {cell: values[cell[0]][cell[1]] for cell in hidden}
    assert truth in solutions, "the true table must be one of the solutions"
    for cell in hidden:
        if flags[cell[0]][cell[1]] == "primary":
            possible = {solution[cell] for solution in solutions}
            assert len(possible) > 1, (values, displayed(protected), cell)


def test_small_communes_are_merged_into_their_epci_and_masked():
    rows = [
        Row("Beauvoir-sur-Mer", [40, 3], "CC Océan Marais de Monts"),
        Row("Bois-de-Céné", [2, 1], "CC Challans-Gois"),
        Row("Challans", [60, 20], "CC Challans-Gois"),
        Row("Sallertaine", [5, 0], "CC Challans-Gois"),
        Row("Notre-Dame-de-Monts", [12, 2], "CC Océan Marais de Monts"),
    ]
    merged = merge_small_communes(rows, [43, 3, 80, 5, 14], minimum=10)
    labels = [row.label for row in merged]
    assert "Bois-de-Céné" not in labels and "Sallertaine" not in labels
    bucket = next(row for row in merged if row.label.startswith("Autres communes – CC Challans-Gois"))
    assert bucket.values == [7, 1]
    protected = protect(
        Table(
            key="communes",
            title="Communes",
            row_header="Commune",
            columns=["Signalés", "MT trouvé"],
            rows=merged,
            col_totals=True,
            subtotals=True,
        )
    )
    table = {label: [c.display for c in cells] for label, cells in protected.rows}
    assert table["Autres communes – CC Challans-Gois"][1] == PRIMARY_TEXT
    # the EPCI subtotal of "MT trouvé" (21) must not give the masked 1 back: Challans is hidden too
    assert table["Challans"][1] == SECONDARY_TEXT
    assert table["Beauvoir-sur-Mer"][1] == PRIMARY_TEXT
    assert table["Notre-Dame-de-Monts"][1] == PRIMARY_TEXT


def test_a_rate_on_fewer_than_5_people_is_not_shown():
    table = Table(
        key="r",
        title="r",
        row_header="lieu",
        columns=["Taux"],
        rows=[Row("A", [0.5]), Row("B", [0.1])],
        kind="values",
        support=[4, 30],
        formats=["pct"],
    )
    protected = protect(table)
    assert protected.rows[0][1][0].masked and protected.rows[0][1][0].value is None
    assert protected.rows[1][1][0].display == "10,0\u202f%"
