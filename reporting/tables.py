"""The shape every indicator takes: sections of small tables, before and after statistical secrecy.

Selectors build `Table`s from aggregate queries; `reporting.secrecy.protect` turns each into a
`ProtectedTable` whose cells carry their display text. Files (XLSX, PDF, CSV) and pages are
only ever rendered from protected tables, so no output path can skip the masking.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from typing import Literal

Number = int | float | Decimal | None


@dataclass
class Row:
    label: str
    values: list[Number]
    group: str = ""  # e.g. the EPCI of a commune row


@dataclass
class Table:
    key: str
    title: str
    row_header: str
    columns: list[str]
    rows: list[Row]
    # counts of people or events are masked (1-4 -> "< 5", secondary suppression);
    # values (hours, euros, rates, delays) are shown, except rows whose support is 1-4
    kind: Literal["counts", "values"] = "counts"
    row_totals: bool = False  # append a "Total" column (sum of each row)
    col_totals: bool = False  # append a "Total" row (sum of each column)
    subtotals: bool = False  # a "Total <group>" row after each group of rows (communes -> EPCI)
    support: list[int] | None = None  # values tables: people behind each row
    formats: list[str] | None = None  # per column: int, pct, eur, hours, days, decimal
    note: str = ""
    chart: str = ""  # "bar", "stacked", "line" or "" (PDF and dashboard)


@dataclass
class Cell:
    value: Number
    display: str
    flag: str = ""  # "", "primary" (1-4), "secondary" (hides a primary), "support" (row too small)

    @property
    def masked(self) -> bool:
        return bool(self.flag)


@dataclass
class ProtectedTable:
    key: str
    title: str
    row_header: str
    header: list[str]
    rows: list[tuple[str, list[Cell]]]
    formats: list[str]
    note: str = ""
    chart: str = ""
    total_row: bool = False
    total_col: bool = False
    subtotal_rows: list[int] = field(default_factory=list)

    def is_emphasised(self, index: int) -> bool:
        return index in self.subtotal_rows or (self.total_row and index == len(self.rows) - 1)

    def chart_rows(self) -> list[tuple[str, list[Cell]]]:
        """Rows a chart draws: the subtotals when there are groups, never the grand total."""
        if self.subtotal_rows:
            return [self.rows[i] for i in self.subtotal_rows]
        return self.rows[:-1] if self.total_row else self.rows

    def chart_columns(self) -> list[int]:
        return list(range(len(self.header) - 1 if self.total_col else len(self.header)))

    def value(self, row_label: str, column: str):
        """The displayed cell at (row, column), for tests and headline figures."""
        col = self.header.index(column)
        for label, cells in self.rows:
            if label == row_label:
                return cells[col]
        raise KeyError(row_label)

    @property
    def masked_count(self) -> int:
        return sum(1 for _, cells in self.rows for cell in cells if cell.masked)


@dataclass
class Section:
    key: str
    title: str  # also the XLSX sheet name (<= 31 characters)
    tables: list[Table] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    missing: str = ""  # why the section is empty (data not available yet)


@dataclass
class ProtectedSection:
    key: str
    title: str
    tables: list[ProtectedTable]
    notes: list[str]
    missing: str = ""
