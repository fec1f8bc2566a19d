"""Funding lines, their consumption and the forecast at the current pace of spending."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Count, DecimalField, Max, Q, QuerySet, Sum, Value
from django.db.models.functions import Coalesce, TruncMonth
from django.utils import timezone

from reporting.models import Expense, Funder, FundingLine

ZERO = Value(Decimal("0"), output_field=DecimalField(max_digits=12, decimal_places=2))


@dataclass
class Budget:
    """Consumption of one line at `as_of`, and where the current pace leads by period end."""

    line: FundingLine
    spent: Decimal
    as_of: dt.date
    expense_count: int
    last_expense: dt.date | None

    @property
    def granted(self) -> Decimal:
        return self.line.amount_granted

    @property
    def remaining(self) -> Decimal:
        return self.granted - self.spent

    @property
    def consumption(self) -> float:
        return float(self.spent / self.granted) if self.granted else 0.0

    @property
    def elapsed_days(self) -> int:
        end = min(self.as_of, self.line.period_end)
        return max(0, (end - self.line.period_start).days + 1)

    @property
    def elapsed_share(self) -> float:
        return self.elapsed_days / self.line.total_days

    @property
    def projected(self) -> Decimal | None:
        """Spending at period end if the pace so far (per day elapsed) goes on."""
        if self.elapsed_days == 0:
            return None
        return (self.spent / self.elapsed_days * self.line.total_days).quantize(Decimal("0.01"))

    @property
    def exhaustion_date(self) -> dt.date | None:
        """The day the grant runs out at the current pace, if before the end of the period."""
        if not self.elapsed_days or not self.spent:
            return None
        days = int(self.granted / (self.spent / self.elapsed_days))
        if days > self.line.total_days:  # also keeps a tiny spend from overflowing the date
            return None
        day = self.line.period_start + dt.timedelta(days=days)
        return day if day <= self.line.period_end else None

    @property
    def outlook(self) -> str:
        projected = self.projected
        if projected is None:
            return "not_started"
        if projected > self.granted:
            return "overrun"
        if projected < self.granted * Decimal("0.8"):
            return "underspend"
        return "on_track"

    @property
    def outlook_label(self) -> str:
        return {
            "not_started": "Période non commencée",
            "overrun": "Dépassement prévu",
            "underspend": "Sous-consommation",
            "on_track": "Conforme",
        }[self.outlook]

    @property
    def outlook_class(self) -> str:
        return {"not_started": "secondary", "overrun": "danger", "underspend": "warning", "on_track": "success"}[
            self.outlook
        ]


def funding_lines(*, funder: Funder | None = None) -> QuerySet[FundingLine]:
    lines = FundingLine.objects.select_related("funder")
    return lines.filter(funder=funder) if funder is not None else lines


def budgets(*, funder: Funder | None = None, as_of: dt.date | None = None, pk: int | None = None) -> list[Budget]:
    """Every line (or line `pk`) with what was spent up to `as_of` (today by default): one query."""
    as_of = as_of or timezone.localdate()
    spent_filter = Q(expenses__date__lte=as_of)
    lines = funding_lines(funder=funder)
    if pk is not None:
        lines = lines.filter(pk=pk)
    lines = lines.annotate(
        spent=Coalesce(Sum("expenses__amount", filter=spent_filter), ZERO),
        n_expenses=Count("expenses", filter=spent_filter),
        last_expense=Max("expenses__date", filter=spent_filter),
    )
    return [
        Budget(line=line, spent=line.spent, as_of=as_of, expense_count=line.n_expenses, last_expense=line.last_expense)
        for line in lines
    ]


def expenses_of(line: FundingLine) -> QuerySet[Expense]:
    return line.expenses.select_related("created_by").order_by("-date", "-id")


def all_expenses() -> QuerySet[Expense]:
    return Expense.objects.select_related("line", "line__funder").order_by("line__funder__name", "line__label", "date")


def monthly_spending(*, since: dt.date) -> list[dict]:
    """Spending per month and line since `since` (dashboard chart)."""
    return list(
        Expense.objects.filter(date__gte=since)
        .annotate(month=TruncMonth("date"))
        .values("month", "line_id", "line__label")
        .annotate(total=Sum("amount"))
        .order_by("month", "line_id")
    )
