"""Coordinator tools: the priority rule (versioned weights) and GDPR anonymisation."""

from __future__ import annotations

from django.contrib import messages
from django.shortcuts import redirect, render

from escorter.audit import record
from escorter.params import int_param
from escorter.roles import Role, role_required
from patients import services
from patients.forms import AnonymiseForm, PriorityRuleForm
from patients.models import PriorityRule
from patients.services.gdpr import DEFAULT_RETENTION_MONTHS, anonymisable


@role_required(Role.COORDINATOR)
def priority_rule(request):
    current = services.active_rule()
    initial = {name: getattr(current, name) for name in PriorityRule.WEIGHT_FIELDS}
    form = PriorityRuleForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        weights = {name: form.cleaned_data[name] for name in PriorityRule.WEIGHT_FIELDS}
        rule = services.create_priority_rule(user=request.user, comment=form.cleaned_data["comment"], **weights)
        messages.success(request, f"Version {rule.version} publiée : les scores sont en cours de recalcul.")
        return redirect("patients:priority_rule")
    history = PriorityRule.objects.select_related("created_by").order_by("-version")[:20]
    return render(request, "patients/priority_rule.html", {"form": form, "current": current, "history": history})


@role_required(Role.COORDINATOR)
def anonymise(request):
    form = AnonymiseForm(request.POST or None)
    months = DEFAULT_RETENTION_MONTHS
    if form.is_bound and form.is_valid():
        months = form.cleaned_data["months"]
        count = services.anonymise_patients(months=months, user=request.user)
        record(request, "anonymise", object_type="patients.Patient", detail=f"{count} dossier(s), > {months} mois")
        messages.success(request, f"{count} dossier(s) anonymisé(s).")
        return redirect("patients:anonymise")
    if form.is_bound and "months" in form.cleaned_data:
        months = form.cleaned_data["months"]
    elif request.GET.get("months"):
        months = int_param(request, "months", DEFAULT_RETENTION_MONTHS, minimum=1, maximum=240)
        form = AnonymiseForm(initial={"months": months})
    return render(
        request,
        "patients/anonymise.html",
        {"form": form, "months": months, "count": anonymisable(months=months).count()},
    )
