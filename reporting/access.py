"""The one door to a report's files: role check, ownership (404 for another funder), audit."""

from __future__ import annotations

from django.http import Http404

from escorter.access import open_object
from escorter.audit import record
from escorter.roles import Role, check_role, user_role
from reporting.models import MonthlyReport
from reporting.selectors import funder_of

FORMATS = {
    "pdf": "application/pdf",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "csv": "text/csv; charset=utf-8",
}


def report_for_user(request, pk: int, fmt: str) -> MonthlyReport:
    """The published report `pk` if `request.user` may download it, after writing the audit entry.

    Coordinators reach every published report; a funder only its organisation's, and any
    other id answers 404 exactly like a missing one, so ids cannot be probed.
    """
    check_role(request.user, Role.COORDINATOR, Role.FUNDER)
    if fmt not in FORMATS:
        raise Http404("Format inconnu.")
    reports = MonthlyReport.objects.select_related("audience").filter(status=MonthlyReport.Status.PUBLISHED)
    if user_role(request.user) == Role.FUNDER:
        funder = funder_of(request.user)
        if funder is None:
            raise Http404("Aucun rapport.")
        reports = reports.filter(audience=funder)
    # audited below as a download, with the format and version
    report = open_object(
        reports,
        pk,
        user=request.user,
        roles=(Role.COORDINATOR, Role.FUNDER),
        not_found="Rapport introuvable.",
        audit=False,
    )
    record(
        request, "download", report, detail=f"{fmt.upper()} {report.month:%m/%Y} v{report.version} ({report.audience})"
    )
    return report
