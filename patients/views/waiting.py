"""The waiting list, its search and its XLSX export (rendered by patients.rendering)."""

from __future__ import annotations

from django.http import HttpResponse
from django.shortcuts import render
from django.utils import timezone

from escorter.audit import describe_query, record
from escorter.roles import STAFF, Role, has_role, role_required
from escorter.spreadsheets import XLSX_CONTENT_TYPE
from patients.appointments import attach_next_appointments
from patients.filters import WaitingListFilter
from patients.rendering import waiting_list_xlsx
from patients.selectors import waiting_list, waiting_list_figures
from patients.selectors.paging import capped_count, keyset_page


def _rank(value: str | None) -> int:
    """The rank of the first row of the page a link came from (only used for numbering)."""
    try:
        return min(max(int(value or 1), 1), 10_000_000)
    except ValueError:
        return 1


# Practitioners do not see the list (contact details of every waiting patient): they reach
# their own patients from their day and agenda (least privilege, README role table).
@role_required(*STAFF)
def waiting_list_view(request):
    filterset = WaitingListFilter(request.GET, queryset=waiting_list())
    valid = filterset.is_valid()
    queryset = filterset.qs if valid else waiting_list().none()
    page = keyset_page(
        queryset, after=request.GET.get("apres"), before=request.GET.get("avant"), rank=_rank(request.GET.get("rang"))
    )
    # the header's total: exact from the maintained counts when it can be, else counted up to a cap
    exact = filterset.exact_count() if valid else 0
    count, capped = (exact, False) if exact is not None else capped_count(queryset)
    attach_next_appointments(page.rows, now=timezone.now())
    # the list is nominative: its reading is traced like a patient page
    record(request, "view", object_type="patients.WaitingList", detail=describe_query(request.GET))
    query = request.GET.copy()
    for key in ("page", "apres", "avant", "rang"):
        query.pop(key, None)
    context = {
        "filter": filterset,
        "page": page,
        "count": count,
        "count_capped": capped,
        "query_string": query.urlencode(),
        "figures": waiting_list_figures(),
        "can_export": has_role(request.user, Role.COORDINATOR),
        "is_coordinator": has_role(request.user, Role.COORDINATOR),
        "can_edit": has_role(request.user, Role.COORDINATOR, Role.SECRETARY),
    }
    template = (
        "patients/_waiting_rows.html"
        if request.htmx and request.htmx.target == "waiting-results"
        else ("patients/waiting_list.html")
    )
    return render(request, template, context)


@role_required(Role.COORDINATOR)
def waiting_list_export(request):
    """XLSX of the (filtered) waiting list; never the NIR."""
    filterset = WaitingListFilter(request.GET, queryset=waiting_list())
    queryset = filterset.qs if filterset.is_valid() else waiting_list().none()
    record(request, "export", object_type="patients.WaitingList", detail=f"XLSX {describe_query(request.GET)}")
    response = HttpResponse(waiting_list_xlsx(queryset.iterator(chunk_size=2000)), content_type=XLSX_CONTENT_TYPE)
    response["Content-Disposition"] = f'attachment; filename="liste-attente-{timezone.localdate():%Y-%m-%d}.xlsx"'
    return response
