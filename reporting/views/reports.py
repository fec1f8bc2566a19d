"""Monthly reports: the funder portal, the coordinator's list, generation and downloads."""

from __future__ import annotations

from django.contrib import messages
from django.http import FileResponse, Http404
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from escorter.models import TaskRun
from escorter.params import int_param
from escorter.roles import Role, role_required
from escorter.taskruns import enqueue
from reporting import tasks
from reporting.access import FORMATS, report_for_user
from reporting.forms import GenerateReportForm
from reporting.models import MonthlyReport
from reporting.periods import Month
from reporting.selectors import funder_of
from reporting.selectors.dashboard import funder_dashboard, published_reports
from reporting.services import reports as report_services
from reporting.services.reports import file_stem


@role_required(Role.FUNDER)
def portal(request):
    funder = funder_of(request.user)
    reports = published_reports(funder) if funder else []
    return render(
        request,
        "reporting/portal.html",
        {"funder": funder, "reports": reports, "board": funder_dashboard(reports) if reports else None},
    )


@role_required(Role.COORDINATOR)
def report_list(request):
    reports = MonthlyReport.objects.select_related("audience", "requested_by").order_by(
        "-month", "audience__name", "-version"
    )[:200]
    form = GenerateReportForm(initial={"month": Month.last().key})
    run_id = int_param(request, "tache")
    run = TaskRun.objects.filter(pk=run_id).first() if run_id else None
    return render(request, "reporting/report_list.html", {"reports": reports, "form": form, "run": run})


@role_required(Role.COORDINATOR)
@require_POST
def generate_report(request):
    form = GenerateReportForm(request.POST)
    if not form.is_valid():
        reports = MonthlyReport.objects.select_related("audience", "requested_by")[:200]
        return render(request, "reporting/report_list.html", {"reports": reports, "form": form}, status=400)
    data = form.cleaned_data
    try:
        report = report_services.request_monthly_report(
            audience=data["audience"],
            month=data["month"],
            force=data["force"],
            user=request.user,
            commentary=data["commentary"].strip(),
        )
    except report_services.ReportBusy as exc:
        messages.error(request, str(exc))
        return redirect("reporting:report_list")
    if report.is_published:
        messages.info(
            request,
            f"Le rapport de {data['month'].label} pour {report.audience} est déjà publié (version {report.version}). "
            "Cochez « Régénérer » pour en produire une nouvelle version.",
        )
        return redirect("reporting:report_list")
    run = enqueue(tasks.build_monthly_report, user=request.user, report_id=report.pk, notify=data["notify"])
    messages.success(
        request,
        f"Construction du rapport de {data['month'].label} (version {report.version}) pour {report.audience} lancée.",
    )
    response = redirect("reporting:report_list")
    response["Location"] += f"?tache={run.pk}"
    return response


@role_required(Role.COORDINATOR, Role.FUNDER)
def report_download(request, pk: int, fmt: str):
    report = report_for_user(request, pk, fmt)
    field = report.file_for(fmt)
    try:
        handle = field.open("rb")
    except FileNotFoundError:
        raise Http404("Le fichier de ce rapport est introuvable ; demandez sa régénération à la coordination.")
    return FileResponse(handle, as_attachment=True, filename=f"{file_stem(report)}.{fmt}", content_type=FORMATS[fmt])
