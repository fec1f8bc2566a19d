"""Forms of the rota: professionals, rules, single permanences, cancellation, absences, coverage targets."""

from __future__ import annotations

import datetime as dt

from django import forms
from django.contrib.auth import get_user_model
from django.urls import reverse_lazy

from escorter.roles import Role
from sites.models import Commune, Premises, Room
from staffing.models import (
    DEFAULT_MINUTES,
    Absence,
    ConsultationKind,
    Profession,
    Professional,
    RotaRule,
)
from staffing.selectors.calendars import paris_datetime


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, attrs=None):
        super().__init__(attrs=attrs, format="%Y-%m-%d")


class TimeInput(forms.TimeInput):
    input_type = "time"

    def __init__(self, attrs=None):
        super().__init__(attrs=attrs, format="%H:%M")


class KindsField(forms.TypedMultipleChoiceField):
    widget = forms.CheckboxSelectMultiple

    def __init__(self, **kwargs):
        kwargs.setdefault("label", "Consultations proposées")
        super().__init__(choices=ConsultationKind.choices, **kwargs)


class RoomChoiceField(forms.ModelChoiceField):
    """The rooms of the chosen premises only (two premises may both have a "Cabinet 1")."""

    def label_from_instance(self, room: Room) -> str:
        return f"{room.name} (accessible en fauteuil)" if room.wheelchair_accessible else room.name


def _chosen_premises_id(form: forms.BaseForm) -> int | None:
    raw = form.data.get(form.add_prefix("premises")) if form.is_bound else None
    if raw is None:
        raw = form.initial.get("premises") or getattr(getattr(form, "instance", None), "premises_id", None)
    raw = getattr(raw, "pk", raw)
    return int(raw) if str(raw or "").isdigit() else None


def limit_rooms_to_premises(form: forms.BaseForm) -> None:
    """Offer the rooms of the premises chosen in `form`; the premises select reloads the list (htmx)."""
    premises_id = _chosen_premises_id(form)
    field = form.fields["room"]
    field.queryset = (
        Room.objects.filter(active=True, premises_id=premises_id).order_by("name")
        if premises_id
        else Room.objects.none()
    )
    field.empty_label = "— aucune salle précise —" if premises_id else "— choisissez d'abord le local —"
    form.fields["premises"].widget.attrs.update(
        {
            "hx-get": reverse_lazy("staffing:room_options"),
            "hx-target": "#div_id_room",  # crispy's wrapper of the room field
            "hx-swap": "outerHTML",
            "hx-trigger": "change",
        }
    )


class ProfessionalForm(forms.ModelForm):
    class Meta:
        model = Professional
        fields = [
            "first_name",
            "last_name",
            "profession",
            "rpps",
            "practice",
            "commune",
            "phone",
            "email",
            "default_consultation_minutes",
            "user",
            "active",
        ]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["commune"].queryset = Commune.objects.filter(in_territory=True).order_by("name")
        self.fields["user"].queryset = (
            get_user_model().objects.filter(groups__name=Role.PRACTITIONER.value).order_by("last_name")
        )
        self.fields["user"].help_text = "Le compte avec lequel ce praticien consulte « Mon agenda »."
        minutes = self.fields["default_consultation_minutes"]
        minutes.required = False
        minutes.help_text = "Si vide : 20 min pour un médecin, 30 min pour un(e) IPA ou infirmier(e)."
        if not self.instance.pk:
            self.initial.pop("default_consultation_minutes", None)
            self.fields["default_consultation_minutes"].initial = None

    def clean_default_consultation_minutes(self):
        minutes = self.cleaned_data.get("default_consultation_minutes")
        if minutes is None:
            if self.instance.pk:
                return self.instance.default_consultation_minutes
            return DEFAULT_MINUTES.get(self.data.get("profession"), 20)
        return minutes


class RotaRuleForm(forms.ModelForm):
    kinds = KindsField()
    room = RoomChoiceField(queryset=Room.objects.none(), required=False, label="Salle")

    class Meta:
        model = RotaRule
        fields = [
            "professional",
            "premises",
            "room",
            "weekday",
            "start_time",
            "end_time",
            "recurrence",
            "interval_weeks",
            "week_of_month",
            "valid_from",
            "valid_until",
            "kinds",
            "notes",
        ]
        widgets = {
            "start_time": TimeInput(),
            "end_time": TimeInput(),
            "valid_from": DateInput(),
            "valid_until": DateInput(),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["professional"].queryset = Professional.objects.filter(active=True)
        self.fields["premises"].queryset = Premises.objects.exclude(status=Premises.Status.CLOSED)
        limit_rooms_to_premises(self)
        if not self.instance.pk:
            self.initial.setdefault("valid_from", dt.date.today())
            self.initial.setdefault("kinds", [ConsultationKind.FIRST_VISIT, ConsultationKind.FOLLOW_UP])


class PermanenceForm(forms.Form):
    """A permanence outside the rota: a replacement or an extra half-day."""

    professional = forms.ModelChoiceField(Professional.objects.filter(active=True), label="Professionnel")
    premises = forms.ModelChoiceField(Premises.objects.exclude(status=Premises.Status.CLOSED), label="Local")
    room = RoomChoiceField(Room.objects.none(), required=False, label="Salle")
    date = forms.DateField(label="Date", widget=DateInput())
    start_time = forms.TimeField(label="Début", widget=TimeInput())
    end_time = forms.TimeField(label="Fin", widget=TimeInput())
    kinds = KindsField(initial=[ConsultationKind.FIRST_VISIT, ConsultationKind.FOLLOW_UP])

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        limit_rooms_to_premises(self)

    def clean(self):
        cleaned = super().clean()
        premises, room = cleaned.get("premises"), cleaned.get("room")
        if premises and room and room.premises_id != premises.pk:
            self.add_error("room", "Cette salle n'appartient pas au local choisi.")
        if cleaned.get("start_time") and cleaned.get("end_time") and cleaned["start_time"] >= cleaned["end_time"]:
            self.add_error("end_time", "L'heure de fin doit suivre l'heure de début.")
        return cleaned

    def period(self) -> tuple[dt.datetime, dt.datetime]:
        day = self.cleaned_data["date"]
        return paris_datetime(day, self.cleaned_data["start_time"]), paris_datetime(day, self.cleaned_data["end_time"])


class CancelPermanenceForm(forms.Form):
    reason = forms.CharField(
        label="Motif de l'annulation",
        max_length=250,
        widget=forms.TextInput(attrs={"placeholder": "Ex. : médecin malade, salle réquisitionnée par la mairie"}),
    )


class AbsenceForm(forms.ModelForm):
    class Meta:
        model = Absence
        fields = ["professional", "kind", "start_date", "end_date", "note"]
        widgets = {"start_date": DateInput(), "end_date": DateInput()}


class CoverageTargetForm(forms.Form):
    premises = forms.ModelChoiceField(Premises.objects.exclude(status=Premises.Status.CLOSED), label="Local")
    profession = forms.ChoiceField(choices=Profession.choices, label="Profession")
    hours_per_week = forms.DecimalField(
        label="Objectif (heures / semaine)", min_value=0, max_value=168, decimal_places=1, required=False
    )


class ShortenPermanenceForm(forms.Form):
    start_time = forms.TimeField(label="Nouveau début", widget=TimeInput())
    end_time = forms.TimeField(label="Nouvelle fin", widget=TimeInput())
    reason = forms.CharField(label="Motif", max_length=200)

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("start_time") and cleaned.get("end_time") and cleaned["start_time"] >= cleaned["end_time"]:
            self.add_error("end_time", "L'heure de fin doit suivre l'heure de début.")
        return cleaned


class CallBackDoneForm(forms.Form):
    outcome_note = forms.CharField(
        label="Suite donnée",
        max_length=250,
        widget=forms.TextInput(attrs={"placeholder": "Ex. : rappelé, RDV pris le 12/12 ; ne souhaite plus venir"}),
    )
