"""The coordinator's dashboard: key figures, charts, budgets, and the latest reports."""

from __future__ import annotations

from django.shortcuts import render

from escorter.roles import Role, role_required
from reporting.forms import GenerateReportForm
from reporting.models import MonthlyReport
from reporting.periods import Month
from reporting.selectors.dashboard import coordinator_dashboard
from reporting.selectors.headline import HEADLINE_LABELS
from reporting.services.month_ends import request_month_ends_refresh


@role_required(Role.COORDINATOR)
def dashboard(request):
    data = coordinator_dashboard()
    if data["month_ends"].pending:
        request_month_ends_refresh()  # the worker takes the missing or out-of-date months
    figures = data["headline"] or {}
    return render(
        request,
        "reporting/dashboard.html",
        {
            **data,
            "month": Month.current(),
            "kpis": [(HEADLINE_LABELS[key], figures.get(key)) for key in HEADLINE_LABELS] if figures else [],
            "recent_reports": MonthlyReport.objects.select_related("audience").order_by("-requested_at")[:6],
            "form": GenerateReportForm(initial={"month": Month.last().key}),
        },
    )
