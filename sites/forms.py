"""Forms of the sites app: premises, rooms, closures."""

from __future__ import annotations

from django import forms

from sites.models import Closure, Commune, Premises, Room

DATE_WIDGET = {"type": "date"}


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, attrs=None):
        super().__init__(attrs=attrs, format="%Y-%m-%d")


class PremisesForm(forms.ModelForm):
    class Meta:
        model = Premises
        fields = [
            "name",
            "address",
            "postal_code",
            "commune",
            "lending_commune",
            "status",
            "available_from",
            "available_until",
            "contact_name",
            "contact_phone",
            "contact_email",
            "key_notes",
            "notes",
        ]
        widgets = {
            "available_from": DateInput(),
            "available_until": DateInput(),
            "key_notes": forms.Textarea(attrs={"rows": 2}),
            "notes": forms.Textarea(attrs={"rows": 2}),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        territory = Commune.objects.filter(in_territory=True).order_by("name")
        self.fields["commune"].queryset = territory
        self.fields["lending_commune"].queryset = territory


class RoomForm(forms.ModelForm):
    class Meta:
        model = Room
        fields = ["name", "equipment", "wheelchair_accessible", "active"]
        widgets = {"equipment": forms.Textarea(attrs={"rows": 2})}


class ClosureForm(forms.ModelForm):
    class Meta:
        model = Closure
        fields = ["start_date", "end_date", "room", "reason"]
        widgets = {"start_date": DateInput(), "end_date": DateInput()}

    def __init__(self, *args, premises: Premises, **kwargs):
        super().__init__(*args, **kwargs)
        self.instance.premises = premises
        self.fields["room"].queryset = premises.rooms.all()

    def clean(self):
        cleaned = super().clean()
        start, end = cleaned.get("start_date"), cleaned.get("end_date")
        if start and end and end < start:
            self.add_error("end_date", "La date de fin doit suivre la date de début.")
        return cleaned


class TerritoryForm(forms.Form):
    """The EPCIs and communes of one département that belong to the CPTS territory."""

    epcis = forms.MultipleChoiceField(required=False, widget=forms.CheckboxSelectMultiple)
    communes = forms.MultipleChoiceField(required=False, widget=forms.CheckboxSelectMultiple)

    def __init__(self, *args, groups, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["epcis"].choices = [(g.code, g.name) for g in groups if g.code]
        self.fields["communes"].choices = [(c.insee_code, c.name) for g in groups for c in g.communes]
        self.fields["epcis"].error_messages["invalid_choice"] = "EPCI inconnu dans ce département : « %(value)s »."
        self.fields["communes"].error_messages["invalid_choice"] = (
            "Commune inconnue dans ce département : « %(value)s »."
        )
