"""django-filter sets of the waiting list."""

from __future__ import annotations

import datetime as dt

import django_filters
from django import forms
from django.db.models import Q
from django.utils import timezone

from escorter.widgets import LongSelect
from patients import appointments
from patients.models import Patient, Tier
from patients.selectors import registry_count, search_patients
from sites.models import Commune

AGE_BANDS = [
    ("0-5", "Moins de 6 ans"),
    ("6-17", "6 à 17 ans"),
    ("18-59", "18 à 59 ans"),
    ("60-69", "60 à 69 ans"),
    ("70-79", "70 à 79 ans"),
    ("80-", "80 ans et plus"),
]
STATUS_AWAITING = "awaiting"
STATUS_SCHEDULED = "scheduled"
STATUS_ACTIVE = "active"
APPOINTMENT_NONE, APPOINTMENT_PROPOSAL, APPOINTMENT_UPCOMING = "sans", "proposition", "avec"
APPOINTMENT_CHOICES = [
    (APPOINTMENT_NONE, "Sans rendez-vous"),
    (APPOINTMENT_PROPOSAL, "Proposition en attente"),
    (APPOINTMENT_UPCOMING, "Rendez-vous à venir"),
]
STATUS_CHOICES = [
    (STATUS_AWAITING, "À appeler"),
    (STATUS_SCHEDULED, "Rendez-vous prévu"),
    (STATUS_ACTIVE, "En attente ou suivis"),
    *Patient.Status.choices,
    ("all", "Tous les statuts"),
]


def _years_ago(today: dt.date, years: int) -> dt.date:
    try:
        return today.replace(year=today.year - years)
    except ValueError:  # 29 February
        return today.replace(year=today.year - years, day=28)


def territory_choices() -> tuple[list, list]:
    """The territory's communes and EPCIs as (value, label) choices, from one query of tuples.

    No Commune instances: 253 of them per request cost more CPU than the page's fifty patients.
    Each EPCI is listed once, by name (ordering by commune name made the DISTINCT per commune).
    """
    rows = Commune.objects.filter(in_territory=True).order_by("name")
    rows = list(rows.values_list("pk", "name", "insee_code", "epci_code", "epci_name"))
    communes = [(str(pk), f"{name} ({insee})") for pk, name, insee, _, _ in rows]
    epcis = sorted({(code, epci) for *_, code, epci in rows if code}, key=lambda choice: choice[1].casefold())
    return communes, epcis


class WaitingListFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(
        label="Rechercher",
        method="filter_search",
        widget=forms.TextInput(
            attrs={
                "placeholder": "Nom, date de naissance (jj/mm/aaaa) ou téléphone",
                "type": "search",
                "autocomplete": "off",
            }
        ),
    )
    status = django_filters.ChoiceFilter(
        label="Statut", choices=STATUS_CHOICES, method="filter_status", empty_label=None
    )
    # distinct=False: a column of the patient itself multiplies no row, and django-filter's default
    # SELECT DISTINCT forbids walking the list-order index (a sort of every P1 patient at 1M, EXPLAIN)
    tier = django_filters.MultipleChoiceFilter(
        label="Niveau",
        field_name="priority_tier",
        choices=Tier.choices,
        widget=forms.CheckboxSelectMultiple,
        distinct=False,
    )
    # choices set per request in __init__ (territory_choices); every select is rendered in Python
    # (escorter.forms_markup), not one template per option
    commune = django_filters.ChoiceFilter(label="Commune", choices=[], empty_label="Toutes", widget=LongSelect)
    epci = django_filters.ChoiceFilter(
        label="EPCI", choices=[], method="filter_epci", empty_label="Tous", widget=LongSelect
    )
    ald = django_filters.BooleanFilter(
        label="ALD", widget=forms.Select(choices=[("", "Indifférent"), ("true", "Oui"), ("false", "Non")])
    )
    age = django_filters.ChoiceFilter(label="Âge", choices=AGE_BANDS, method="filter_age", empty_label="Tous âges")
    referral_source = django_filters.ChoiceFilter(
        label="Origine", choices=Patient.ReferralSource.choices, empty_label="Toutes"
    )
    appointment = django_filters.ChoiceFilter(
        label="Rendez-vous", choices=APPOINTMENT_CHOICES, method="filter_appointment", empty_label="Indifférent"
    )

    class Meta:
        model = Patient
        fields = ["q", "status", "tier", "commune", "epci", "ald", "age", "referral_source", "appointment"]

    def __init__(self, data=None, *args, **kwargs):
        data = data.copy() if data is not None else {}
        if not data.get("status"):
            data["status"] = STATUS_AWAITING
        super().__init__(data, *args, **kwargs)
        communes, epcis = territory_choices()
        self.filters["commune"].extra["choices"] = communes
        self.filters["epci"].extra["choices"] = epcis

    def filter_search(self, queryset, name, value):
        return search_patients(queryset, value)

    def filter_status(self, queryset, name, value):
        if value == STATUS_AWAITING:
            return queryset.filter(Patient.AWAITING_CALL)
        if value == STATUS_SCHEDULED:
            return queryset.filter(status=Patient.Status.WAITING, next_consultation_at__isnull=False)
        if value == STATUS_ACTIVE:
            return queryset.filter(status__in=Patient.ACTIVE_STATUSES)
        if value == "all":
            return queryset
        return queryset.filter(status=value)

    def filter_epci(self, queryset, name, value):
        # the EPCI's commune ids read first (one indexed query) and passed as a list: with a subquery
        # PostgreSQL joined communes to patients and sorted every patient of the EPCI (12,000 at 1M);
        # with the list it walks the list-order index and stops at the page, and the capped count
        # reads patient_wait_commune_idx (EXPLAIN, bench/search.py)
        communes = list(Commune.objects.filter(epci_code=value).values_list("pk", flat=True))
        return queryset.filter(commune_id__in=communes)

    def exact_count(self) -> int | None:
        """The number of rows from the maintained counts when only status, tier and ALD filter; else None."""
        data = self.form.cleaned_data
        if any(data.get(name) for name in ("q", "commune", "epci", "age", "referral_source", "appointment")):
            return None
        status, scheduled = data.get("status") or STATUS_AWAITING, None
        if status in (STATUS_AWAITING, STATUS_SCHEDULED):
            statuses, scheduled = [Patient.Status.WAITING], status == STATUS_SCHEDULED
        elif status == STATUS_ACTIVE:
            statuses = Patient.ACTIVE_STATUSES
        elif status == "all":
            statuses = Patient.Status.values
        else:
            statuses = [status]
        tiers = data.get("tier") or None
        return registry_count(statuses=statuses, tiers=tiers, ald=data.get("ald"), scheduled=scheduled)

    def filter_appointment(self, queryset, name, value):
        # next_consultation_at is kept by a trigger on consultations (booked or proposed)
        if value == APPOINTMENT_NONE:
            return queryset.filter(next_consultation_at__isnull=True)
        if value == APPOINTMENT_UPCOMING:
            return queryset.filter(next_consultation_at__isnull=False)
        provider = appointments.provider()
        if provider is None:
            return queryset.none()
        return queryset.filter(provider.has_pending_proposal(now=timezone.now()))

    def filter_age(self, queryset, name, value):
        today = timezone.localdate()
        low, _, high = value.partition("-")
        condition = Q(birth_date__lte=_years_ago(today, int(low)))
        if high:
            condition &= Q(birth_date__gt=_years_ago(today, int(high) + 1))
        return queryset.filter(condition)
