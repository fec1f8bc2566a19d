"""The territory map: where the patients waiting to be called live, and which premises is nearest."""

from __future__ import annotations

from django.shortcuts import render

from escorter.roles import STAFF, Role, has_role, role_required
from reporting.selectors.territory_map import territory_shading


@role_required(*STAFF)
def territory_map(request):
    context = {"map": territory_shading(), "can_project": has_role(request.user, Role.COORDINATOR)}
    return render(request, "reporting/territory_map.html", context)
