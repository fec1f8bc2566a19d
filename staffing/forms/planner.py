"""The capacity planner's what-if form."""

from __future__ import annotations

from django import forms

from sites.models import Premises
from staffing.models import Professional
from staffing.services.planner import Scenario

NEEDS_PREMISES = (Scenario.GP_HALF_DAY, Scenario.IPA_DAY, Scenario.OPEN_PREMISES)


class PlannerForm(forms.Form):
    scenario = forms.ChoiceField(label="Scénario", choices=Scenario.CHOICES, initial=Scenario.BASELINE)
    premises = forms.ModelChoiceField(
        label="Local",
        queryset=Premises.objects.exclude(status=Premises.Status.CLOSED).order_by("name"),
        required=False,
        empty_label="—",
        help_text="Pour une demi-journée ou une journée de plus, ou le local à ouvrir.",
    )
    professional = forms.ModelChoiceField(
        label="Praticien qui part",
        queryset=Professional.objects.filter(active=True).order_by("last_name", "first_name"),
        required=False,
        empty_label="—",
    )
    weeks = forms.IntegerField(label="Horizon (semaines)", min_value=4, max_value=52, initial=26)

    def clean(self):
        data = super().clean()
        scenario, premises = data.get("scenario"), data.get("premises")
        if scenario in NEEDS_PREMISES and premises is None:
            self.add_error("premises", "Choisissez le local concerné.")
        if scenario == Scenario.OPEN_PREMISES and premises is not None and premises.status != Premises.Status.PREPARING:
            self.add_error("premises", "Ce local n'est pas en préparation : choisissez un local en préparation.")
        if scenario == Scenario.PRACTITIONER_LEAVES and data.get("professional") is None:
            self.add_error("professional", "Choisissez le praticien qui part.")
        return data

    def task_arguments(self) -> dict:
        data = self.cleaned_data
        params = {}
        if data["scenario"] in NEEDS_PREMISES:
            params["premises"] = data["premises"].pk
        if data["scenario"] == Scenario.PRACTITIONER_LEAVES:
            params["professional"] = data["professional"].pk
        return {"weeks": data["weeks"], "scenario": data["scenario"], "params": params}
