"""Demo funding lines, expenses and last month's reports (runs last in seed_demo; idempotent)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.db import connection
from django.db.models import Sum
from django.db.models.functions import TruncMonth

from reporting.models import Expense, Funder, FundingLine, FundingObjective, Indicator
from reporting.periods import Month
from reporting.selectors.queries import hours_between
from staffing.models import Permanence

START = dt.date(2024, 6, 1)
HOURLY_RATE = Decimal("25.00")  # ACI share of a permanence hour (demo figure)

LINES = [
    # funder, label, purpose, amount, start, end, objectives
    (
        "ARS Pays de la Loire",
        "FIR – ingénierie de projet",
        FundingLine.Purpose.ENGINEERING,
        Decimal("90000"),
        START,
        dt.date(2026, 12, 31),
        [(Indicator.PATIENTS_SEEN, 900, "Patients vus au moins une fois par l'équipe")],
    ),
    (
        "ARS Pays de la Loire",
        "FIR – avances de trésorerie",
        FundingLine.Purpose.CASH_ADVANCE,
        Decimal("60000"),
        START,
        dt.date(2026, 12, 31),
        [],
    ),
    (
        "CPAM de la Vendée",
        "ACI – rémunération des permanences",
        FundingLine.Purpose.PERMANENCES,
        Decimal("220000"),
        dt.date(2025, 1, 1),
        dt.date(2026, 12, 31),
        [
            (Indicator.PATIENTS_GP_FOUND, 300, "Patients ayant retrouvé un médecin traitant"),
            (Indicator.PERMANENCE_HOURS, 8000, "Heures de permanence assurées"),
            (Indicator.CONSULTATIONS_DONE, 6000, ""),
        ],
    ),
]


def _lines() -> dict[str, FundingLine]:
    lines = {}
    for funder_name, label, purpose, amount, start, end, objectives in LINES:
        funder = Funder.objects.filter(name=funder_name).first()
        if funder is None:
            continue
        line, _ = FundingLine.objects.update_or_create(
            funder=funder,
            label=label,
            defaults={"purpose": purpose, "amount_granted": amount, "period_start": start, "period_end": end},
        )
        for indicator, target, text in objectives:
            FundingObjective.objects.update_or_create(
                line=line, indicator=indicator, defaults={"target": target, "label": text}
            )
        lines[label] = line
    return lines


def _expenses(lines: dict[str, FundingLine], last_month: Month) -> int:
    if Expense.objects.exists():
        return 0
    expenses = []
    engineering = lines.get("FIR – ingénierie de projet")
    advances = lines.get("FIR – avances de trésorerie")
    aci = lines.get("ACI – rémunération des permanences")
    month = Month.of(START)
    while month <= last_month:
        if engineering:
            expenses.append(
                Expense(
                    line=engineering,
                    date=month.last_day,
                    amount=Decimal("2600.00"),
                    category=Expense.Category.COORDINATION,
                    supplier="CPTS Loire-Vendée-Océan (coordinatrice, 0,5 ETP)",
                )
            )
        month = month.next()
    if advances:
        for day, amount, note in (
            (dt.date(2024, 7, 15), "18000.00", "Avance sur les premières permanences, en attendant l'ACI"),
            (dt.date(2024, 11, 15), "15000.00", "Seconde avance"),
            (dt.date(2025, 6, 2), "9500.00", "Équipement des locaux de Beauvoir-sur-Mer"),
        ):
            expenses.append(
                Expense(
                    line=advances,
                    date=day,
                    amount=Decimal(amount),
                    category=Expense.Category.CASH_ADVANCE,
                    supplier="Médecins et IPA de l'équipe",
                    note=note,
                )
            )
    if aci:
        # permanence hours paid each month at the ACI rate, from the rota actually held
        held = (
            Permanence.objects.filter(status="planned", start__date__gte=aci.period_start, end__lt=last_month.end)
            .annotate(month=TruncMonth("start"))
            .values("month")
            .annotate(hours=Sum(hours_between()))
            .order_by("month")
        )
        for row in held:
            month = Month.of(row["month"].date())
            hours = Decimal(str(round(row["hours"] or 0, 2)))
            if hours <= 0:
                continue
            expenses.append(
                Expense(
                    line=aci,
                    date=month.last_day,
                    amount=(hours * HOURLY_RATE).quantize(Decimal("0.01")),
                    hours=hours,
                    hourly_rate=HOURLY_RATE,
                    category=Expense.Category.PERMANENCE_HOURS,
                    supplier="Professionnels de l'équipe (permanences du mois)",
                    note=f"Permanences de {month.label}",
                )
            )
    Expense.objects.bulk_create(expenses)
    return len(expenses)


def seed(stdout=None) -> None:
    from reporting.services import reports

    last_month = Month.last()
    # the demo registry was bulk-loaded a moment ago: give the planner statistics before the
    # reports query it (autovacuum would, a minute later)
    with connection.cursor() as cursor:
        for table in ("patients_patient", "patients_patientstatuschange", "staffing_consultation"):
            if table in connection.introspection.table_names(cursor):
                cursor.execute(f"ANALYZE {table}")
    lines = _lines()
    created = _expenses(lines, last_month)
    built = 0
    for funder in Funder.objects.order_by("name"):
        report = reports.request_monthly_report(audience=funder, month=last_month)
        built += reports.build_report(report_id=report.pk).built
    if stdout:
        stdout.write(
            f"Financements : {len(lines)} lignes, {created} dépense(s) ajoutée(s) ; "
            f"rapports de {last_month.label} : {built} construit(s)."
        )
