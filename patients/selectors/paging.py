"""Keyset paging of the waiting list: each page is read from an index in list order.

No OFFSET (page 2,000 costs what page 1 costs) and no count of the whole result: the
link to the next page carries the sort key of the last row shown, the one to the previous
page the key of the first, and the rank of the first row rides along for the numbering.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field

from django.db.models import BooleanField, Func, QuerySet, Value

from patients.models.registry import WAITING_ORDER

PAGE_SIZE = 50
# what the header says when a filter leaves more rows than we are willing to count per request
COUNT_CAP = 1000
_CURSOR = re.compile(r"^([A-Z0-9]{1,2})_(-?\d{1,9})_(\d{4}-\d{2}-\d{2})_(\d{1,18})$")


class RowCompare(Func):
    """`(a, b, c) > (x, y, z)`: PostgreSQL's row comparison, one range of a btree on (a, b, c)."""

    output_field = BooleanField()

    def __init__(self, columns, values, *, operator: str):
        super().__init__(*columns, *[Value(v) for v in values])
        self.operator = operator

    def as_sql(self, compiler, connection, **extra_context):
        parts, params = [], []
        for expression in self.get_source_expressions():
            sql, expression_params = compiler.compile(expression)
            parts.append(sql)
            params.extend(expression_params)
        half = len(parts) // 2
        return f"({', '.join(parts[:half])}) {self.operator} ({', '.join(parts[half:])})", params


def cursor_of(patient) -> str:
    return f"{patient.priority_tier}_{patient.priority_score}_{patient.referral_date.isoformat()}_{patient.pk}"


def parse_cursor(value: str | None) -> tuple[str, int, dt.date, int] | None:
    """The sort key (tier, -score, referral date, pk) of a cursor; None if absent or tampered with."""
    match = _CURSOR.match(value or "")
    if not match:
        return None
    tier, score, date, pk = match.groups()
    try:
        return tier, -int(score), dt.date.fromisoformat(date), int(pk)
    except ValueError:
        return None


@dataclass
class KeysetPage:
    rows: list = field(default_factory=list)
    first_rank: int = 1
    next_cursor: str | None = None
    previous_cursor: str | None = None

    @property
    def last_rank(self) -> int:
        return self.first_rank + len(self.rows) - 1

    def __iter__(self):
        return iter(self.rows)

    def __len__(self) -> int:
        return len(self.rows)


def keyset_page(
    queryset: QuerySet, *, after: str | None = None, before: str | None = None, rank: int = 1, size: int = PAGE_SIZE
) -> KeysetPage:
    """The `size` rows of `queryset` (ordered by WAITING_ORDER) after or before a cursor.

    `rank` is the rank of the first row of the page the link was on; a bad cursor gives page 1.
    """
    before_key, after_key = parse_cursor(before), parse_cursor(after)
    if before_key is not None:
        backwards = [expression.desc() for expression in WAITING_ORDER]
        rows = list(
            queryset.filter(RowCompare(WAITING_ORDER, before_key, operator="<")).order_by(*backwards)[: size + 1]
        )
        more_before = len(rows) > size
        rows = rows[:size][::-1]
        first_rank = max(1, rank - len(rows)) if more_before else 1
        return KeysetPage(
            rows=rows,
            first_rank=first_rank,
            next_cursor=cursor_of(rows[-1]) if rows else None,
            previous_cursor=cursor_of(rows[0]) if more_before else None,
        )
    if after_key is not None:
        queryset = queryset.filter(RowCompare(WAITING_ORDER, after_key, operator=">"))
    rows = list(queryset[: size + 1])
    has_next = len(rows) > size
    rows = rows[:size]
    return KeysetPage(
        rows=rows,
        first_rank=max(1, rank) if after_key is not None else 1,
        next_cursor=cursor_of(rows[-1]) if has_next else None,
        previous_cursor=cursor_of(rows[0]) if after_key is not None and rows else None,
    )


def capped_count(queryset: QuerySet, cap: int = COUNT_CAP) -> tuple[int, bool]:
    """(count, capped): counts at most `cap` + 1 rows, so a broad filter never counts a million."""
    count = queryset.order_by()[: cap + 1].count()
    return (cap, True) if count > cap else (count, False)
