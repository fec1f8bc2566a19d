"""Project pages: role-aware home, health check, task progress."""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth.decorators import login_not_required
from django.db import connection
from django.http import JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from escorter import taskruns
from escorter.models import TaskRun
from escorter.roles import ALL_ROLES, STAFF, Role, check_role, role_required, user_role

# the space each role works in, and what it is for (funders have their portal instead)
HOME_SPACES = {
    Role.COORDINATOR: (
        "Coordination",
        "Liste d'attente, locaux, tableau de service, financements et rapports mensuels de l'équipe.",
    ),
    Role.SECRETARY: (
        "Secrétariat",
        "Retrouver un patient, prendre, déplacer ou annuler un rendez-vous, "
        "et noter les appels de la ligne de soins non programmés.",
    ),
    Role.PRACTITIONER: (
        "Mon espace praticien",
        "Votre agenda, les patients du jour et le compte rendu de vos consultations.",
    ),
}


@role_required(*ALL_ROLES)
def home(request):
    role = user_role(request.user)
    if role == Role.FUNDER:
        return redirect("reporting:portal")
    space, intro = HOME_SPACES[role]
    return render(request, "escorter/home.html", {"role": role, "space": space, "intro": intro})


@login_not_required
@never_cache
@require_GET
def healthz(request):
    """Liveness for the load balancer and compose: database and broker reachable."""
    checks = {}
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
        checks["database"] = "ok"
    except Exception as exc:  # noqa: BLE001 - report any failure as unhealthy
        checks["database"] = f"erreur : {exc.__class__.__name__}"
    if settings.CELERY_TASK_ALWAYS_EAGER:
        checks["broker"] = "eager"
    else:
        from escorter.celery import app

        try:
            with app.connection_for_write() as conn:
                conn.ensure_connection(max_retries=1, timeout=2)
            checks["broker"] = "ok"
        except Exception as exc:  # noqa: BLE001
            checks["broker"] = f"erreur : {exc.__class__.__name__}"
    healthy = all(value in ("ok", "eager") for value in checks.values())
    return JsonResponse({"status": "ok" if healthy else "error", **checks}, status=200 if healthy else 503)


@never_cache
def task_run_status(request, pk: int):
    """htmx fragment: a progress bar that polls itself until the task is finished."""
    check_role(request.user, *STAFF)
    run = taskruns.latest_attempt(get_object_or_404(TaskRun, pk=pk))
    return render(request, "escorter/_task_run.html", {"run": run})
