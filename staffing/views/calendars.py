"""Calendars: week per premises and per professional, the territory's month, the practitioner's agenda, coverage."""

from __future__ import annotations

import datetime as dt

from django.contrib import messages
from django.shortcuts import get_object_or_404, redirect, render

from escorter.roles import CARE_TEAM, STAFF, Role, check_role, has_role, role_required
from sites.models import Premises
from staffing.forms.rota import CoverageTargetForm
from staffing.models import CalendarFeed, Professional
from staffing.selectors import calendars
from staffing.selectors import rota as selectors
from staffing.services import feeds as feed_services


@role_required(*CARE_TEAM)
def premises_week(request, pk: int):
    premises = get_object_or_404(Premises.objects.select_related("commune"), pk=pk)
    week = calendars.premises_week(premises, calendars.parse_week(request.GET.get("semaine")))
    context = {"premises": premises, "week": week, "can_edit": has_role(request.user, Role.COORDINATOR)}
    if request.htmx:
        return render(request, "staffing/_week.html", {**context, "show": "professional", "fragment": True})
    return render(request, "staffing/premises_week.html", context)


@role_required(*CARE_TEAM)
def professional_week(request, pk: int):
    professional = get_object_or_404(Professional, pk=pk)
    week = calendars.professional_week(professional, calendars.parse_week(request.GET.get("semaine")))
    return render(
        request,
        "staffing/professional_week.html",
        {"professional": professional, "week": week, "can_edit": has_role(request.user, Role.COORDINATOR)},
    )


@role_required(*CARE_TEAM)
def territory_month(request):
    month = calendars.territory_month(calendars.parse_month(request.GET.get("mois")))
    return render(request, "staffing/territory_month.html", {"month": month})


@role_required(*CARE_TEAM)
def my_agenda(request):
    professional = selectors.professional_of(request.user)
    if professional is None:
        return render(request, "staffing/my_agenda.html", {"professional": None})
    week = calendars.professional_week(professional, calendars.parse_week(request.GET.get("semaine")))
    feed = CalendarFeed.objects.filter(professional=professional, revoked_at__isnull=True).first()
    return render(
        request,
        "staffing/my_agenda.html",
        {
            "professional": professional,
            "week": week,
            "upcoming": calendars.upcoming_permanences(professional),
            "feed": feed,
        },
    )


@role_required(*STAFF)
def coverage(request):
    can_edit = has_role(request.user, Role.COORDINATOR)
    form = CoverageTargetForm(request.POST or None)
    if request.method == "POST":
        check_role(request.user, Role.COORDINATOR)
        if form.is_valid():
            feed_services.set_coverage_target(
                premises=form.cleaned_data["premises"],
                profession=form.cleaned_data["profession"],
                hours_per_week=form.cleaned_data["hours_per_week"],
            )
            messages.success(request, "Objectif de couverture enregistré.")
            return redirect(f"{request.path}?semaine={request.GET.get('semaine', '')}")
    first = calendars.parse_week(request.GET.get("semaine"))
    report = selectors.coverage(first_monday=first, weeks=4)
    return render(
        request,
        "staffing/coverage.html",
        {
            "coverage": report,
            "form": form,
            "can_edit": can_edit,
            "previous": calendars.iso_week(first - dt.timedelta(weeks=4)),
            "next": calendars.iso_week(first + dt.timedelta(weeks=4)),
        },
    )
