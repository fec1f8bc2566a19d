"""Funding lines and expenses, for coordinators only (secretaries get a 403)."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from escorter.audit import record
from escorter.roles import Role, role_required
from reporting.forms import ExpenseForm, FundingLineForm, ObjectiveFormSet
from reporting.models import Expense, FundingLine
from reporting.rendering.funding_xlsx import render_funding_xlsx
from reporting.selectors.funding import all_expenses, budgets, expenses_of
from reporting.services import funding as funding_services


@role_required(Role.COORDINATOR)
def funding_list(request):
    lines = budgets()
    totals = {
        "granted": sum(b.granted for b in lines),
        "spent": sum(b.spent for b in lines),
    }
    return render(request, "reporting/funding_list.html", {"budgets": lines, "totals": totals})


@role_required(Role.COORDINATOR)
def funding_line_detail(request, pk: int):
    found = budgets(pk=pk)
    if not found:
        raise Http404("Ligne de financement introuvable.")
    budget = found[0]
    line = budget.line
    form = ExpenseForm(line=line)
    return render(
        request,
        "reporting/funding_line_detail.html",
        {
            "budget": budget,
            "line": line,
            "objectives": line.objectives.all(),
            "expenses": expenses_of(line),
            "form": form,
        },
    )


@role_required(Role.COORDINATOR)
def funding_line_edit(request, pk: int | None = None):
    line = get_object_or_404(FundingLine, pk=pk) if pk else FundingLine()
    form = FundingLineForm(request.POST or None, instance=line)
    formset = ObjectiveFormSet(request.POST or None, instance=line, prefix="objectifs")
    if request.method == "POST" and form.is_valid() and formset.is_valid():
        try:
            with transaction.atomic():
                saved = funding_services.save_funding_line(line=form.save(commit=False), user=request.user)
                formset.instance = saved
                formset.save()
        except ValidationError as exc:
            for message in exc.messages:
                form.add_error(None, message)
        else:
            record(request, "update" if pk else "create", saved, detail=saved.label)
            messages.success(request, f"Ligne de financement « {saved.label} » enregistrée.")
            return redirect("reporting:funding_line_detail", pk=saved.pk)
    return render(request, "reporting/funding_line_form.html", {"form": form, "formset": formset, "line": line})


@role_required(Role.COORDINATOR)
def expense_edit(request, line_pk: int, pk: int | None = None):
    line = get_object_or_404(FundingLine.objects.select_related("funder"), pk=line_pk)
    expense = get_object_or_404(Expense, pk=pk, line=line) if pk else Expense(line=line)
    form = ExpenseForm(request.POST or None, instance=expense, line=line)
    if request.method == "POST" and form.is_valid():
        try:
            saved = funding_services.save_expense(expense=form.save(commit=False), user=request.user)
        except ValidationError as exc:
            if hasattr(exc, "error_dict"):
                for field, errors in exc.message_dict.items():
                    form.add_error(field if field in form.fields else None, errors)
            else:
                form.add_error(None, exc.messages)
        else:
            record(request, "update" if pk else "create", saved, detail=f"{saved.amount} € – {saved.supplier}")
            messages.success(request, f"Dépense de {saved.amount} € enregistrée.")
            return redirect("reporting:funding_line_detail", pk=line.pk)
    return render(request, "reporting/expense_form.html", {"form": form, "line": line, "expense": expense})


@role_required(Role.COORDINATOR)
@require_POST
def expense_delete(request, line_pk: int, pk: int):
    expense = get_object_or_404(Expense, pk=pk, line_id=line_pk)
    record(request, "delete", expense, detail=f"{expense.amount} € – {expense.supplier} ({expense.date:%d/%m/%Y})")
    funding_services.delete_expense(expense=expense)
    messages.success(request, "Dépense supprimée.")
    return redirect("reporting:funding_line_detail", pk=line_pk)


@role_required(Role.COORDINATOR)
def funding_export(request):
    content = render_funding_xlsx(budgets(), all_expenses())
    record(request, "export", object_type="reporting.FundingLine", detail="Export XLSX des financements et dépenses")
    response = HttpResponse(content, content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    response["Content-Disposition"] = f'attachment; filename="financements-{timezone.localdate():%Y-%m-%d}.xlsx"'
    return response
