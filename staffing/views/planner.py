"""The capacity planner: what-if scenarios, and the draft priority rule's projection."""

from __future__ import annotations

from django.contrib import messages
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from escorter.models import TaskRun
from escorter.roles import Role, role_required
from escorter.taskruns import enqueue
from patients.forms import PriorityRuleForm
from patients.models import PriorityRule
from staffing import tasks
from staffing.forms.planner import PlannerForm

RULE_PREVIEW_WEEKS = 26


def _runs():
    return TaskRun.objects.filter(task_name=tasks.project_capacity.name).select_related("created_by")


@role_required(Role.COORDINATOR)
def planner(request):
    form = PlannerForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        run = enqueue(tasks.project_capacity, user=request.user, **form.task_arguments())
        messages.info(request, "Projection lancée : elle ne modifie aucune donnée.")
        return redirect(reverse("staffing:planner") + f"?run={run.pk}")
    run_id = request.GET.get("run", "")
    runs = _runs()
    selected = (runs.filter(pk=run_id) if run_id.isdigit() else runs.none()).first() or runs.first()
    return render(
        request,
        "staffing/planner/planner.html",
        {"form": form, "run": selected, "recent": runs.order_by("-created_at")[:8]},
    )


@require_POST
@role_required(Role.COORDINATOR)
def planner_rule_preview(request):
    """From the priority-rule page (htmx): project the weights being typed, before publishing them."""
    form = PriorityRuleForm(request.POST)
    form.fields["comment"].required = False
    if not form.is_valid():
        return render(request, "staffing/planner/_rule_preview_errors.html", {"form": form})
    weights = {name: form.cleaned_data[name] for name in PriorityRule.WEIGHT_FIELDS}
    run = enqueue(tasks.project_capacity, user=request.user, weeks=RULE_PREVIEW_WEEKS, weights=weights)
    return render(request, "staffing/planner/_projection.html", {"run": run})


@role_required(Role.COORDINATOR)
def planner_result(request, pk: int):
    """htmx fragment: the progress bar until the projection is done, then its table."""
    run = get_object_or_404(_runs(), pk=pk)
    return render(request, "staffing/planner/_projection.html", {"run": run})
