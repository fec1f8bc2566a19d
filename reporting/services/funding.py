"""Funding lines, their objectives and expenses, as the coordinator records them."""

from __future__ import annotations

import datetime as dt
from decimal import ROUND_HALF_UP, Decimal

from django.core.exceptions import ValidationError
from django.db import transaction

from reporting.models import Expense, FundingLine, FundingObjective


@transaction.atomic
def save_funding_line(*, line: FundingLine, objectives: list[FundingObjective] | None = None, user=None) -> FundingLine:
    """Create or update `line` (validated); `objectives`, when given, replace its objectives."""
    line.full_clean()
    if line.pk:
        outside = line.expenses.exclude(date__range=(line.period_start, line.period_end)).count()
        if outside:
            raise ValidationError(
                f"{outside} dépense(s) de cette ligne tomberaient hors de la nouvelle période : modifiez-les d'abord."
            )
    line.save()
    if objectives is not None:
        keep = []
        for objective in objectives:
            objective.line = line
            objective.full_clean(exclude=["line"])
            existing = FundingObjective.objects.filter(line=line, indicator=objective.indicator).first()
            if existing:
                existing.target, existing.label = objective.target, objective.label
                existing.save(update_fields=["target", "label"])
                keep.append(existing.pk)
            else:
                objective.save()
                keep.append(objective.pk)
        line.objectives.exclude(pk__in=keep).delete()
    return line


def expense_amount(*, hours: Decimal | None, hourly_rate: Decimal | None, amount: Decimal | None) -> Decimal:
    """Permanence hours are paid hours x rate; otherwise the amount typed in."""
    if hours is not None and hourly_rate is not None:
        return (hours * hourly_rate).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
    if amount is None:
        raise ValidationError("Indiquez un montant, ou des heures et un taux horaire.")
    return amount


@transaction.atomic
def save_expense(*, expense: Expense, user=None) -> Expense:
    """Validate and save `expense`: the date must fall within its line's period."""
    expense.amount = expense_amount(hours=expense.hours, hourly_rate=expense.hourly_rate, amount=expense.amount)
    line = FundingLine.objects.select_for_update().get(pk=expense.line_id)
    if not line.contains(expense.date):
        raise ValidationError(
            {
                "date": f"La date doit être comprise dans la période de la ligne "
                f"({line.period_start:%d/%m/%Y} – {line.period_end:%d/%m/%Y})."
            }
        )
    if expense.pk is None and user is not None and user.is_authenticated:
        expense.created_by = user
    expense.full_clean()
    expense.save()
    return expense


@transaction.atomic
def delete_expense(*, expense: Expense) -> None:
    expense.delete()


def period_days(start: dt.date, end: dt.date) -> int:
    return (end - start).days + 1
