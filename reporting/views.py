"""Pages of the reporting app."""

from django.shortcuts import render

from escorter.roles import Role, role_required
from reporting.selectors import funder_of


@role_required(Role.FUNDER)
def portal(request):
    return render(request, "reporting/portal.html", {"funder": funder_of(request.user)})
