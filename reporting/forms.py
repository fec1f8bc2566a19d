"""Forms of the reporting app: funding lines, objectives, expenses, report generation."""

from __future__ import annotations

from django import forms
from django.forms import inlineformset_factory

from reporting.models import Expense, Funder, FundingLine, FundingObjective
from reporting.periods import InvalidMonth, Month

DATE_WIDGET = forms.DateInput(format="%d/%m/%Y", attrs={"placeholder": "jj/mm/aaaa"})


class FundingLineForm(forms.ModelForm):
    class Meta:
        model = FundingLine
        fields = ["funder", "label", "purpose", "amount_granted", "period_start", "period_end", "note"]
        widgets = {"period_start": DATE_WIDGET, "period_end": DATE_WIDGET, "note": forms.Textarea(attrs={"rows": 2})}

    def clean(self):
        data = super().clean()
        start, end = data.get("period_start"), data.get("period_end")
        if start and end and end < start:
            self.add_error("period_end", "La fin de la période doit suivre son début.")
        return data


ObjectiveFormSet = inlineformset_factory(
    FundingLine,
    FundingObjective,
    fields=["indicator", "target", "label"],
    extra=2,
    can_delete=True,
    labels={"indicator": "Indicateur", "target": "Cible", "label": "Libellé (facultatif)"},
)


class ExpenseForm(forms.ModelForm):
    amount = forms.DecimalField(
        label="Montant (€)",
        max_digits=12,
        decimal_places=2,
        required=False,
        min_value=0.01,
        help_text="Laisser vide pour des heures de permanence : heures × taux horaire.",
    )

    class Meta:
        model = Expense
        fields = ["date", "category", "supplier", "amount", "hours", "hourly_rate", "note"]
        widgets = {"date": DATE_WIDGET, "note": forms.Textarea(attrs={"rows": 2})}

    def __init__(self, *args, line: FundingLine, **kwargs):
        super().__init__(*args, **kwargs)
        self.line = line
        self.instance.line = line

    def clean(self):
        data = super().clean()
        hours, rate, amount = data.get("hours"), data.get("hourly_rate"), data.get("amount")
        if (hours is None) != (rate is None):
            raise forms.ValidationError("Indiquez à la fois le nombre d'heures et le taux horaire, ou aucun des deux.")
        if hours is None and amount is None:
            self.add_error("amount", "Indiquez un montant, ou des heures et un taux horaire.")
        if hours is not None and hours <= 0:
            self.add_error("hours", "Le nombre d'heures doit être positif.")
        if rate is not None and rate <= 0:
            self.add_error("hourly_rate", "Le taux horaire doit être positif.")
        day = data.get("date")
        if day and not self.line.contains(day):
            self.add_error(
                "date",
                f"La date doit être comprise dans la période de la ligne "
                f"({self.line.period_start:%d/%m/%Y} – {self.line.period_end:%d/%m/%Y}).",
            )
        return data

    def _post_clean(self):
        # the amount of hours x rate is computed by the service; skip the model's "amount required"
        if self.cleaned_data.get("amount") is None and self.cleaned_data.get("hours") is not None:
            self.instance.amount = self.cleaned_data["hours"] * self.cleaned_data["hourly_rate"]
        super()._post_clean()


class GenerateReportForm(forms.Form):
    audience = forms.ModelChoiceField(label="Financeur destinataire", queryset=Funder.objects.order_by("name"))
    month = forms.CharField(label="Mois", help_text="AAAA-MM", widget=forms.TextInput(attrs={"type": "month"}))
    force = forms.BooleanField(
        label="Régénérer (nouvelle version, l'ancienne est conservée)", required=False, initial=False
    )
    notify = forms.BooleanField(label="Prévenir le financeur par e-mail", required=False, initial=True)
    commentary = forms.CharField(
        label="Commentaire de la coordination",
        required=False,
        max_length=3000,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text="Imprimé en tête du rapport (faits marquants, difficultés, perspectives). "
        "Conservé avec cette version ; une régénération peut en porter un autre.",
    )

    def clean_month(self):
        try:
            month = Month.parse(self.cleaned_data["month"])
        except InvalidMonth as exc:
            raise forms.ValidationError(str(exc))
        if month >= Month.current():
            raise forms.ValidationError("Un rapport porte sur un mois terminé : choisissez un mois passé.")
        return month
