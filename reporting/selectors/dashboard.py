"""Series for the coordinator's dashboard and the funder's aggregate dashboard (Chart.js specs)."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db.models import Count, Exists, F, OuterRef, Q
from django.db.models.functions import TruncDate, TruncMonth, TruncWeek

from escorter.palette import SERIES_COLOURS, TIER_COLOURS
from patients.models import Patient
from patients.selectors import awaiting_call_by_tier, registry_now_by_status_and_tier
from reporting.models import MonthlyReport
from reporting.periods import Month
from reporting.selectors.funding import budgets
from reporting.selectors.headline import headline, running
from reporting.selectors.month_ends import MonthEnds, month_end_counts
from reporting.selectors.queries import DaysBetween, Percentile
from staffing.models import Consultation

COLORS = [*TIER_COLOURS.values(), *SERIES_COLOURS]
TIER_COLORS = TIER_COLOURS


def waiting_by_tier(months: list[Month], now: dict) -> tuple[dict, MonthEnds]:
    """Patients waiting at the end of each month, by tier: the closed months from their month-end
    snapshots, the running month from the maintained counts (`now`: today's statuses)."""
    labels = [m.label for m in months]
    series = {tier: [] for tier in ("P1", "P2", "P3")}
    ends = month_end_counts([month for month in months if not running(month)])
    for month in months:
        groups = ends.by(month) if month in ends.counts else now
        for tier in series:
            series[tier].append(groups.get((Patient.Status.WAITING, tier), 0))
    chart = {
        "type": "bar",
        "stacked": True,
        "labels": labels,
        "datasets": [
            {"label": tier, "data": data, "backgroundColor": TIER_COLORS[tier]} for tier, data in series.items()
        ],
    }
    return chart, ends


def cumulative_gp_found(months: list[Month], now: dict) -> dict:
    first = months[0].first_day
    if running(months[-1]):
        # today's total from the maintained counts, less those found since `first` (partial index)
        total = sum(n for (status, _), n in now.items() if status == Patient.Status.GP_FOUND)
        since = Patient.objects.filter(status=Patient.Status.GP_FOUND, gp_found_date__gte=first).count()
        before = total - since
    else:
        before = Patient.objects.filter(status=Patient.Status.GP_FOUND, gp_found_date__lt=first).count()
    per_month = dict(
        Patient.objects.filter(
            status=Patient.Status.GP_FOUND, gp_found_date__gte=first, gp_found_date__lte=months[-1].last_day
        )
        .annotate(m=TruncMonth("gp_found_date"))
        .values_list("m")
        .annotate(n=Count("pk"))
    )
    data, total = [], before
    for month in months:
        total += per_month.get(month.first_day, 0)
        data.append(total)
    return {
        "type": "line",
        "labels": [m.label for m in months],
        "datasets": [{"label": "Médecin traitant retrouvé (cumul)", "data": data, "borderColor": "#2a7f7a"}],
    }


def consultations_per_week(weeks: int = 12, today: dt.date | None = None) -> dict | None:
    paris = ZoneInfo(settings.TIME_ZONE)
    today = today or dt.date.today()
    monday = today - dt.timedelta(days=today.weekday())
    start_day = monday - dt.timedelta(weeks=weeks - 1)
    start = dt.datetime.combine(start_day, dt.time.min, tzinfo=paris)
    rows = (
        Consultation.objects.filter(status=Consultation.Status.DONE, start__gte=start)
        .annotate(week=TruncWeek("start", tzinfo=paris))
        .values("week", "permanence__premises__name")
        .annotate(n=Count("pk"))
        .order_by("week")
    )
    weeks_list = [start_day + dt.timedelta(weeks=i) for i in range(weeks)]
    sites: dict[str, dict] = {}
    for row in rows:
        week = row["week"].astimezone(paris).date()
        sites.setdefault(row["permanence__premises__name"], {})[week] = row["n"]
    return {
        "type": "bar",
        "stacked": True,
        "labels": [f"{w:%d/%m}" for w in weeks_list],
        "datasets": [
            {"label": name, "data": [counts.get(w, 0) for w in weeks_list], "backgroundColor": COLORS[3 + i % 5]}
            for i, (name, counts) in enumerate(sorted(sites.items()))
        ],
    }


def delay_to_first_consultation(months: list[Month]) -> dict | None:
    paris = ZoneInfo(settings.TIME_ZONE)
    # Driven by the consultations held in the window, not by the registry: a held consultation is
    # its patient's first when no earlier one exists (the (patient, start) index answers each
    # probe). Reading every patient with a subquery each was a scan of the whole registry
    # (a million patients at regional scale) on every dashboard view.
    earlier = Consultation.objects.filter(patient=OuterRef("patient"), status=Consultation.Status.DONE).filter(
        Q(start__lt=OuterRef("start")) | Q(start=OuterRef("start"), pk__lt=OuterRef("pk"))
    )
    rows = {
        row["m"].astimezone(paris).date(): row
        for row in Consultation.objects.filter(
            status=Consultation.Status.DONE, start__gte=months[0].start, start__lt=months[-1].end
        )
        .filter(~Exists(earlier))
        .annotate(
            m=TruncMonth("start", tzinfo=paris),
            delay=DaysBetween(TruncDate("start", tzinfo=paris), F("patient__referral_date")),
        )
        .values("m")
        .annotate(median=Percentile("delay", 0.5), p90=Percentile("delay", 0.9))
        .order_by()
    }

    def at(month, key):
        row = rows.get(month.first_day)
        return round(row[key], 1) if row and row[key] is not None else None

    return {
        "type": "line",
        "labels": [m.label for m in months],
        "datasets": [
            {"label": "Médiane (jours)", "data": [at(m, "median") for m in months], "borderColor": "#1f5f8b"},
            {"label": "90e centile (jours)", "data": [at(m, "p90") for m in months], "borderColor": "#f2a541"},
        ],
    }


def budget_chart(lines) -> dict:
    return {
        "type": "bar",
        "horizontal": True,
        "percent": True,
        "labels": [b.line.label for b in lines],
        "datasets": [
            {
                "label": "Consommé (% du montant accordé)",
                "data": [round(b.consumption * 100, 1) for b in lines],
                "backgroundColor": "#1f5f8b",
            },
            {
                "label": "Période écoulée (%)",
                "data": [round(b.elapsed_share * 100, 1) for b in lines],
                "backgroundColor": "#c8ced3",
            },
        ],
    }


def coordinator_dashboard(*, today: dt.date | None = None) -> dict:
    current = Month.current()
    months = current.with_previous(12)
    lines = budgets()
    data = {"budgets": lines, "charts": {"budget": budget_chart(lines)}, "headline": None}
    now = registry_now_by_status_and_tier()  # today's statuses, read once for the three of them
    data["charts"]["waiting"], data["month_ends"] = waiting_by_tier(months, now)
    data["charts"]["gp_found"] = cumulative_gp_found(months, now)
    data["headline"] = headline(current, now)
    # the waiting list's own count (one definition of "waiting to be called")
    data["waiting_now"] = awaiting_call_by_tier()
    weekly = consultations_per_week(today=today)
    if weekly:
        data["charts"]["weekly"] = weekly
    delays = delay_to_first_consultation(months)
    if delays:
        data["charts"]["delays"] = delays
    for key in ("waiting", "gp_found", "delays", "weekly"):
        if key in data["charts"]:
            mark_partial(data["charts"][key], today=today or dt.date.today())
    return data


def mark_partial(chart: dict, *, today: dt.date) -> None:
    """The last period of `chart` is still running: say so on its label (and the page draws it
    lighter), so an unfinished month or week does not read as a collapse."""
    if chart.get("labels"):
        chart["labels"][-1] = f"{chart['labels'][-1]} (en cours au {today:%d/%m})"
        chart["partial"] = True


def published_reports(funder) -> list[MonthlyReport]:
    """The funder's published reports, newest month first, every version (older ones greyed)."""
    return list(
        MonthlyReport.objects.filter(audience=funder, status=MonthlyReport.Status.PUBLISHED)
        .select_related("audience")
        .order_by("-month", "-version")
    )


def funder_dashboard(reports: list[MonthlyReport]) -> dict:
    """Aggregate dashboard of a funder: only the masked figures already published to them."""
    latest_per_month: dict = {}
    for report in reports:
        latest_per_month.setdefault(report.month, report)
    ordered = sorted(latest_per_month.values(), key=lambda r: r.month)[-12:]
    labels = [Month.of(r.month).label for r in ordered]

    def series(key):
        return [r.figure(key).get("value") for r in ordered]

    latest = ordered[-1] if ordered else None
    return {
        "latest": latest,
        "kpis": [(f["label"], f) for f in latest.figures or []] if latest else [],
        "chart": {
            "type": "line",
            "labels": labels,
            "datasets": [
                {
                    "label": "Médecin traitant retrouvé (cumul)",
                    "data": series("Médecin traitant retrouvé (cumul)"),
                    "borderColor": "#2a7f7a",
                },
                {
                    "label": "En attente en fin de mois",
                    "data": series("En attente en fin de mois"),
                    "borderColor": "#b42318",
                },
            ],
        }
        if ordered
        else None,
    }
