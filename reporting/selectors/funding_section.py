"""Report section: the audience's funding lines, spending and objectives against actual figures."""

from __future__ import annotations

from django.db.models import Q, Sum

from reporting.models import Expense, FundingObjective, Indicator
from reporting.periods import Month
from reporting.selectors.base import Scope
from reporting.selectors.funding import budgets
from reporting.selectors.headline import PATIENT_INDICATORS, indicator_value
from reporting.tables import Row, Section, Table


def funding_section(month: Month, scope: Scope) -> Section:
    section = Section(key="financements", title="Financements")
    lines = budgets(funder=scope.audience, as_of=month.last_day)
    if not lines:
        section.missing = "Aucune ligne de financement n'est enregistrée pour ce financeur."
        return section
    section.tables.append(
        Table(
            key="lignes",
            title=f"Consommation des lignes au {month.last_day:%d/%m/%Y}",
            row_header="Ligne de financement",
            columns=["Accordé", "Consommé", "Taux de consommation", "Période écoulée", "Projection fin de période"],
            rows=[
                Row(
                    f"{budget.line.label} ({budget.line.period_start:%m/%Y}–{budget.line.period_end:%m/%Y})",
                    [budget.granted, budget.spent, budget.consumption, budget.elapsed_share, budget.projected],
                )
                for budget in lines
            ],
            kind="values",
            formats=["eur", "eur", "pct", "pct", "eur"],
            note="Projection : dépenses à la date du rapport rapportées au temps écoulé, prolongées jusqu'à la "
            "fin de la période.",
            chart="bar",
        )
    )
    line_ids = [budget.line.pk for budget in lines]
    by_category = (
        Expense.objects.filter(line_id__in=line_ids, date__lte=month.last_day)
        .values("category")
        .annotate(
            in_month=Sum("amount", filter=Q(date__gte=month.first_day)),
            cumulative=Sum("amount"),
        )
        .order_by("category")
    )
    labels = dict(Expense.Category.choices)
    section.tables.append(
        Table(
            key="depenses",
            title="Dépenses par catégorie",
            row_header="Catégorie",
            columns=[f"{month.label.capitalize()}", "Cumul"],
            rows=[
                Row(labels.get(r["category"], r["category"]), [r["in_month"] or 0, r["cumulative"]])
                for r in by_category
            ],
            kind="values",
            formats=["eur", "eur"],
            col_totals=True,
        )
    )
    objectives = list(
        FundingObjective.objects.filter(line_id__in=line_ids)
        .select_related("line")
        .order_by("line__label", "indicator")
    )
    if objectives:
        rows, support = [], []
        for objective in objectives:
            start = objective.line.period_start
            end = min(objective.line.period_end, month.last_day)
            actual = indicator_value(objective.indicator, start, end) if end >= start else 0
            reached = (actual / objective.target) if actual is not None else None
            label = f"{objective.line.label} – {objective.label or Indicator(objective.indicator).label}"
            rows.append(Row(label, [objective.target, actual, reached]))
            # a realised count of 1-4 patients is as identifying as any other small count
            support.append(actual if objective.indicator in PATIENT_INDICATORS and actual is not None else 0)
        section.tables.append(
            Table(
                key="objectifs",
                title="Objectifs des lignes de financement",
                row_header="Objectif",
                columns=["Cible", "Réalisé depuis le début de la période", "Taux d'atteinte"],
                rows=rows,
                kind="values",
                support=support,
                formats=["int", "int", "pct"],
            )
        )
    return section
