"""Statistical secrecy: no report may let a reader single out a patient.

Rules (the funders' agreement with the CPTS):
- a count from 1 to 4 is shown as "< 5" (primary suppression); 0 stays 0;
- when a row or column total is shown, a masked cell must not be recoverable by
  subtraction: at least a second cell of that line is masked too ("s", secondary
  suppression), and a linear-programming audit checks that each primary cell can
  still take several values given every published total;
- a commune with too few patients is merged into an "other communes" row of its EPCI;
- a rate, delay or amount computed on 1 to 4 people is not shown.
"""

from __future__ import annotations

from collections import OrderedDict
from decimal import Decimal

import numpy as np
from scipy.optimize import Bounds, LinearConstraint, milp

from reporting.tables import Cell, ProtectedSection, ProtectedTable, Row, Section, Table

THRESHOLD = 5
PRIMARY_TEXT = "< 5"
SECONDARY_TEXT = "s"
SUPPORT_TEXT = "n < 5"
MIN_COMMUNE_PATIENTS = 10
TOTAL = "Total"

NOTE = (
    "Secret statistique : un effectif de 1 à 4 est affiché « < 5 » ; « s » signale une valeur masquée "
    "pour qu'aucun « < 5 » ne puisse être recalculé à partir des totaux ; un taux ou un délai calculé "
    "sur moins de 5 patients n'est pas affiché. Les communes de moins de "
    f"{MIN_COMMUNE_PATIENTS} patients sont regroupées au sein de leur EPCI."
)


def is_small(value) -> bool:
    return value is not None and 0 < value < THRESHOLD


# --- Formatting (French) -------------------------------------------------------------------

NNBSP = "\u202f"


def _group(text: str) -> str:
    return text.replace(",", NNBSP)


def format_value(value, fmt: str = "int") -> str:
    if value is None:
        return "–"
    if fmt == "int":
        return _group(f"{int(round(value)):,}")
    if fmt == "pct":
        return f"{float(value) * 100:.1f}".replace(".", ",") + f"{NNBSP}%"
    if fmt == "eur":
        return _group(f"{Decimal(value):,.2f}").replace(".", ",") + f"{NNBSP}€"
    if fmt == "hours":
        return _group(f"{float(value):,.1f}").replace(".", ",") + f"{NNBSP}h"
    if fmt == "days":
        return _group(f"{float(value):,.0f}") + f"{NNBSP}j"
    return _group(f"{float(value):,.1f}").replace(".", ",")


# --- Communes merged into their EPCI --------------------------------------------------------


def merge_small_communes(rows: list[Row], sizes: list[int], *, minimum: int = MIN_COMMUNE_PATIENTS) -> list[Row]:
    """Rows of communes (row.group = EPCI name) with fewer than `minimum` patients are summed
    into one "Autres communes (EPCI)" row per EPCI, placed after that EPCI's own rows."""
    kept: OrderedDict[str, list[Row]] = OrderedDict()
    merged: dict[str, Row] = {}
    for row, size in zip(rows, sizes, strict=True):
        kept.setdefault(row.group, [])
        if size >= minimum:
            kept[row.group].append(row)
            continue
        bucket = merged.get(row.group)
        if bucket is None:
            bucket = merged[row.group] = Row(
                f"Autres communes – {row.group or 'hors EPCI'}", [0] * len(row.values), row.group
            )
        bucket.values = [(a or 0) + (b or 0) for a, b in zip(bucket.values, row.values, strict=True)]
    result: list[Row] = []
    for group, group_rows in kept.items():
        result.extend(group_rows)
        if group in merged:
            result.append(merged[group])
    return result


# --- Cell suppression -----------------------------------------------------------------------


def _pick_secondary(line, matrix, flags, lines):
    """The cheapest extra cell to hide in `line`.

    Prefer a cell that also settles another line with a single hidden cell (that is how
    rectangles of hidden cells form, the smallest pattern that protects both directions),
    then the smallest non-zero interior cell, then a zero, then the line's total."""

    def lonely_elsewhere(cell) -> bool:
        for other in lines:
            if other is not line and cell in other and sum(1 for c in other if flags[c[0]][c[1]]) == 1:
                return True
        return False

    candidates = [(r, c) for r, c in line[:-1] if not flags[r][c]]
    if candidates:
        return min(
            candidates,
            key=lambda cell: (
                not lonely_elsewhere(cell),
                (matrix[cell[0]][cell[1]] or 0) == 0,
                matrix[cell[0]][cell[1]] or 0,
                cell,
            ),
        )
    total = line[-1]
    return total if not flags[total[0]][total[1]] else None


def _recoverable(matrix, flags, lines) -> list[tuple[int, int]]:
    """Primary cells whose exact value follows from what is published (integer programming).

    The reader is assumed to know everything the table says: every shown value and total,
    that a "< 5" cell holds 1 to 4, and that an "s" cell holds 0 or at least 5 (otherwise it
    would read "< 5"). For each "< 5" cell we minimise and maximise it under those rules;
    if both ends meet, the cell is exposed."""
    masked = [(i, j) for i, row in enumerate(flags) for j, flag in enumerate(row) if flag]
    if not masked:
        return []
    secondary = [k for k, (i, j) in enumerate(masked) if flags[i][j] != "primary"]
    n = len(masked) + len(secondary)  # one binary per "s" cell: zero, or at least 5
    index = {cell: k for k, cell in enumerate(masked)}
    rows, lower, upper = [], [], []
    for line in lines:
        coefficients = np.zeros(n)
        rhs = 0.0
        for position, cell in enumerate(line):
            sign = -1.0 if position == len(line) - 1 else 1.0  # interior cells minus the total
            if cell in index:
                coefficients[index[cell]] += sign
            else:
                rhs -= sign * float(matrix[cell[0]][cell[1]] or 0)
        if coefficients.any():
            rows.append(coefficients)
            lower.append(rhs)
            upper.append(rhs)
    if not rows:
        return []
    big = float(sum(abs(v or 0) for row in matrix for v in row)) + THRESHOLD
    for b, k in enumerate(secondary):
        binary = len(masked) + b
        at_least = np.zeros(n)  # x - 5 b >= 0
        at_least[k], at_least[binary] = 1.0, -float(THRESHOLD)
        at_most = np.zeros(n)  # x - big b <= 0
        at_most[k], at_most[binary] = 1.0, -big
        rows += [at_least, at_most]
        lower += [0.0, -np.inf]
        upper += [np.inf, 0.0]
    constraints = LinearConstraint(np.array(rows), lower, upper)
    low_bounds = [1.0 if flags[i][j] == "primary" else 0.0 for i, j in masked] + [0.0] * len(secondary)
    high_bounds = [float(THRESHOLD - 1) if flags[i][j] == "primary" else big for i, j in masked] + [1.0] * len(
        secondary
    )
    bounds = Bounds(low_bounds, high_bounds)
    integrality = np.ones(n)
    exposed = []
    for cell in masked:
        if flags[cell[0]][cell[1]] != "primary":
            continue
        c = np.zeros(n)
        c[index[cell]] = 1.0
        low = milp(c, constraints=constraints, integrality=integrality, bounds=bounds)
        high = milp(-c, constraints=constraints, integrality=integrality, bounds=bounds)
        if low.status == 0 and high.status == 0 and (-high.fun) - low.fun < 0.5:
            exposed.append(cell)
    return exposed


def suppress(matrix: list[list], lines: list[list[tuple[int, int]]]) -> list[list[str]]:
    """Flags ("", "primary", "secondary") for a count matrix that already holds its margins.

    `lines` are the additive constraints a reader knows (cells that sum to the last one):
    row totals, column totals, EPCI subtotals."""
    flags = [["primary" if is_small(value) else "" for value in row] for row in matrix]
    cells = sum(len(row) for row in matrix)
    for _ in range(cells + 1):
        changed = False
        for line in lines:
            hidden = [cell for cell in line if flags[cell[0]][cell[1]]]
            if len(hidden) == 1:
                pick = _pick_secondary(line, matrix, flags, lines)
                if pick is not None:
                    flags[pick[0]][pick[1]] = "secondary"
                    changed = True
        if changed:
            continue
        exposed = _recoverable(matrix, flags, lines)
        if not exposed:
            break
        # a combination of lines still pins this cell: hide one more cell on one of its lines
        cell = exposed[0]
        for line in lines:
            if cell in line:
                pick = _pick_secondary(line, matrix, flags, lines)
                if pick is not None:
                    flags[pick[0]][pick[1]] = "secondary"
                    break
    return flags


def _layout(table: Table):
    """The published matrix (rows, EPCI subtotals, totals), its labels, header, known sums
    and the indexes of subtotal rows."""
    header = list(table.columns)
    width = len(header)
    matrix: list[list] = []
    labels: list[str] = []
    subtotal_rows: set[int] = set()
    groups: list[tuple[list[int], int | None]] = []  # (interior row indexes, subtotal row index)
    if table.subtotals:
        order: OrderedDict[str, list[Row]] = OrderedDict()
        for row in table.rows:
            order.setdefault(row.group, []).append(row)
        for group, rows in order.items():
            members = []
            for row in rows:
                members.append(len(matrix))
                matrix.append(list(row.values))
                labels.append(row.label)
            subtotal = len(matrix)
            matrix.append([sum(matrix[i][j] or 0 for i in members) for j in range(width)])
            labels.append(f"Total {group}")
            subtotal_rows.add(subtotal)
            groups.append((members, subtotal))
        top = [subtotal for _, subtotal in groups]
    else:
        for row in table.rows:
            matrix.append(list(row.values))
            labels.append(row.label)
        top = list(range(len(matrix)))
    total_index = None
    if table.col_totals:
        total_index = len(matrix)
        matrix.append([sum(matrix[i][j] or 0 for i in top) for j in range(width)])
        labels.append(TOTAL)
    if table.row_totals:
        for row in matrix:
            row.append(sum(v or 0 for v in row))
        header.append(TOTAL)
    lines: list[list[tuple[int, int]]] = []
    if table.row_totals:
        for i in range(len(matrix)):
            lines.append([(i, j) for j in range(width)] + [(i, width)])
    for j in range(len(header)):
        if table.subtotals:
            for members, subtotal in groups:
                lines.append([(i, j) for i in members] + [(subtotal, j)])
        if total_index is not None:
            lines.append([(i, j) for i in top] + [(total_index, j)])
    return matrix, labels, header, lines, subtotal_rows


def protect(table: Table) -> ProtectedTable:
    matrix, labels, header, lines, subtotal_rows = _layout(table)
    formats = list(table.formats or ["int"] * len(table.columns))
    if table.row_totals:
        formats.append(formats[-1] if table.kind == "values" else "int")
    if table.kind == "counts":
        flags = suppress(matrix, lines) if matrix else []
    else:
        support = list(table.support or [])
        flags = []
        for i, row in enumerate(matrix):
            hidden = i < len(support) and is_small(support[i])
            flags.append(["support" if hidden and value is not None else "" for value in row])
    rows = []
    for label, values, row_flags in zip(labels, matrix, flags, strict=True):
        cells = []
        for value, flag, fmt in zip(values, row_flags, formats, strict=True):
            if flag == "primary":
                display = PRIMARY_TEXT
            elif flag == "secondary":
                display = SECONDARY_TEXT
            elif flag == "support":
                display = SUPPORT_TEXT
            else:
                display = format_value(value, fmt)
            cells.append(Cell(value=None if flag else value, display=display, flag=flag))
        rows.append((label, cells))
    return ProtectedTable(
        key=table.key,
        title=table.title,
        row_header=table.row_header,
        header=header,
        rows=rows,
        formats=formats,
        note=table.note,
        chart=table.chart,
        total_row=table.col_totals,
        total_col=table.row_totals,
        subtotal_rows=sorted(subtotal_rows),
    )


def protect_section(section: Section) -> ProtectedSection:
    notes = list(section.notes)
    return ProtectedSection(
        key=section.key,
        title=section.title,
        tables=[protect(table) for table in section.tables],
        notes=notes,
        missing=section.missing,
    )
