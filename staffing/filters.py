"""django-filter set of the scheduler's proposals page (by premises, tier and day)."""

from __future__ import annotations

import datetime as dt

import django_filters
from django import forms

from patients.models import Tier
from sites.models import Premises
from staffing.selectors.calendars import paris_datetime


class ProposalFilter(django_filters.FilterSet):
    premises = django_filters.ModelChoiceFilter(
        label="Lieu",
        field_name="permanence__premises",
        queryset=Premises.objects.exclude(status=Premises.Status.CLOSED).order_by("name"),
        empty_label="Tous les lieux",
    )
    tier = django_filters.ChoiceFilter(
        label="Niveau", field_name="patient__priority_tier", choices=Tier.choices, empty_label="Tous niveaux"
    )
    day = django_filters.DateFilter(
        label="Jour", method="filter_day", widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    )

    def filter_day(self, queryset, name, value):
        # a range on start (indexed) rather than start__date (a function of it)
        start = paris_datetime(value, dt.time.min)
        return queryset.filter(start__gte=start, start__lt=paris_datetime(value + dt.timedelta(days=1), dt.time.min))
