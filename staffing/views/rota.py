"""Rota editor for coordinators: professionals, rules with a preview, single permanences, absences."""

from __future__ import annotations

import datetime as dt

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from escorter.models import TaskRun
from escorter.params import int_param
from escorter.roles import CARE_TEAM, STAFF, Role, has_role, role_required
from escorter.taskruns import enqueue
from staffing import tasks
from staffing.access import permanence_for_user
from staffing.forms.rota import AbsenceForm, PermanenceForm, ProfessionalForm, RotaRuleForm
from staffing.models import Absence, Professional, RotaRule
from staffing.selectors import disruptions as disruption_selectors
from staffing.selectors import rota as selectors
from staffing.selectors.bookings import booked_permanence_ids
from staffing.services import rota as services

# --- Professionals ----------------------------------------------------------------------


@role_required(*STAFF)
def professional_list(request):
    return render(
        request,
        "staffing/professional_list.html",
        {"professionals": selectors.professionals(), "can_edit": has_role(request.user, Role.COORDINATOR)},
    )


@role_required(Role.COORDINATOR)
def professional_edit(request, pk: int | None = None):
    professional = get_object_or_404(Professional, pk=pk) if pk else None
    form = ProfessionalForm(request.POST or None, instance=professional)
    was_active = professional is not None and professional.active
    if request.method == "POST" and form.is_valid():
        stopping = was_active and not form.cleaned_data["active"]
        professional = form.save(commit=False)
        professional.active = professional.active or stopping  # stopping goes through its own page
        professional.save()
        messages.success(request, f"{professional.full_name} enregistré·e.")
        if stopping:
            messages.info(request, "Pour arrêter ce professionnel, vérifiez d'abord les patients concernés.")
            return redirect("staffing:professional_deactivate", pk=professional.pk)
        return redirect("staffing:professional_list")
    return render(request, "staffing/professional_form.html", {"form": form, "professional": professional})


# --- Rules ------------------------------------------------------------------------------


@role_required(*STAFF)
def rota(request):
    runs = TaskRun.objects.filter(task_name=tasks.generate_permanences.name).order_by("-created_at")
    run_id = int_param(request, "run")
    last_run = (runs.filter(pk=run_id) if run_id else runs).first()
    return render(
        request,
        "staffing/rota.html",
        {
            "rules": selectors.rota_rules(),
            "can_edit": has_role(request.user, Role.COORDINATOR),
            "last_run": last_run,
        },
    )


@role_required(Role.COORDINATOR)
def rule_edit(request, pk: int | None = None):
    """GET: the form. POST "preview": the permanences it would generate. POST "save": save and generate."""
    rule = get_object_or_404(RotaRule, pk=pk) if pk else None
    form = RotaRuleForm(request.POST or None, instance=rule)
    preview = None
    if request.method == "POST" and form.is_valid():
        candidate = form.save(commit=False)
        if request.POST.get("action") == "save":
            try:
                report = services.save_rule(rule=candidate)
            except ValidationError as exc:
                form.add_error(None, exc)
            else:
                messages.success(request, f"Règle enregistrée. {report.summary}")
                for message in report.blocked:
                    messages.warning(request, f"Non modifiée (patients réservés) : {message[1]}")
                for message in report.conflicts[:10]:
                    messages.error(request, f"Conflit : {message}")
                return redirect("staffing:rota")
        else:
            # the preview covers exactly the weeks that saving generates
            preview = services.preview_rule(candidate, weeks=services.DEFAULT_WEEKS)
    horizon_start = timezone.localdate()
    return render(
        request,
        "staffing/rule_form.html",
        {
            "form": form,
            "rule": rule,
            "preview": preview,
            "horizon_weeks": services.DEFAULT_WEEKS,
            "horizon_start": horizon_start,
            "horizon_end": horizon_start + dt.timedelta(weeks=services.DEFAULT_WEEKS, days=-1),
            "preview_ok": sum(1 for o in preview or () if o.ok),
        },
    )


@role_required(Role.COORDINATOR)
def room_options(request):
    """htmx: the room field for the premises just chosen in a rule or permanence form."""
    form = RotaRuleForm(initial={"premises": request.GET.get("premises", "")})
    return render(request, "staffing/_room_field.html", {"field": form["room"]})


@require_POST
@role_required(Role.COORDINATOR)
def rule_deactivate(request, pk: int):
    rule = get_object_or_404(RotaRule, pk=pk)
    report = services.deactivate_rule(rule=rule)
    messages.success(request, f"Règle désactivée. {report.summary}")
    for _, message in report.blocked:
        messages.warning(request, f"Patients réservés, permanence maintenue : {message}")
    return redirect("staffing:rota")


@require_POST
@role_required(Role.COORDINATOR)
def generate_now(request):
    run = enqueue(tasks.generate_permanences, user=request.user, weeks=services.DEFAULT_WEEKS)
    messages.info(request, "Génération des permanences lancée.")
    return redirect(f"{reverse('staffing:rota')}?run={run.pk}")


# --- Single permanences ---------------------------------------------------------------


@role_required(*CARE_TEAM)
def permanence_detail(request, pk: int):
    permanence = permanence_for_user(request.user, pk)
    booked = permanence.pk in booked_permanence_ids([permanence.pk])
    staff = has_role(request.user, *STAFF)
    return render(
        request,
        "staffing/permanence_detail.html",
        {
            "permanence": permanence,
            "booked": booked,
            "can_cancel": staff and permanence.is_active,
            "can_shorten": has_role(request.user, Role.COORDINATOR) and permanence.is_active,
            "moved": disruption_selectors.moved_from(permanence) if staff else [],
        },
    )


@role_required(Role.COORDINATOR)
def permanence_create(request):
    form = PermanenceForm(request.POST or None, initial=request.GET.dict() or None)
    if request.method == "POST" and form.is_valid():
        start, end = form.period()
        try:
            permanence = services.create_permanence(
                professional=form.cleaned_data["professional"],
                premises=form.cleaned_data["premises"],
                room=form.cleaned_data["room"],
                start=start,
                end=end,
                kinds=form.cleaned_data["kinds"],
            )
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, f"Permanence ajoutée : {services.describe(permanence)}.")
            return redirect("staffing:permanence_detail", pk=permanence.pk)
    return render(request, "staffing/permanence_form.html", {"form": form})


# --- Absences -----------------------------------------------------------------------------


@role_required(Role.COORDINATOR)
def absences(request):
    """The list; declaring one goes through the preview of who is affected (views.disruptions)."""
    upcoming = (
        Absence.objects.filter(end_date__gte=timezone.localdate()).select_related("professional").order_by("start_date")
    )
    return render(request, "staffing/absences.html", {"form": AbsenceForm(), "absences": upcoming})
