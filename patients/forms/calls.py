"""Forms of the call screen: the call itself and the quick creation of an unknown caller."""

from __future__ import annotations

from django import forms
from django.core.exceptions import ValidationError

from patients.models import Call, CallOutcome, Patient
from patients.models.calls import MAX_CALL_SECONDS
from patients.normalise import clean_phone, format_phone, parse_date
from patients.services.calls import EDITABLE_FIELDS
from sites.models import Commune
from sites.selectors import commune_choices

# Keys the screen binds to each outcome (see static/js/calls.js); shown next to the labels.
OUTCOME_KEYS = {
    CallOutcome.VITAL_EMERGENCY: "1",
    CallOutcome.SAME_DAY: "2",
    CallOutcome.WITHIN_48H: "3",
    CallOutcome.ADVICE_GIVEN: "4",
    CallOutcome.REDIRECTED_PHARMACY: "5",
    CallOutcome.REDIRECTED_OTHER: "6",
    CallOutcome.NO_ACTION: "7",
}


def _bootstrap(form: forms.BaseForm) -> None:
    for field in form.fields.values():
        widget = field.widget
        if isinstance(widget, (forms.RadioSelect, forms.HiddenInput)):
            continue
        css = "form-select" if isinstance(widget, forms.Select) else "form-control"
        widget.attrs["class"] = f"{widget.attrs.get('class', '')} {css}".strip()


class CommuneChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Commune) -> str:
        return f"{obj.name} ({obj.postal_codes[0] if obj.postal_codes else obj.insee_code})"


class CallForm(forms.ModelForm):
    """Everything about the call. Nothing is required until the call is closed with an outcome."""

    commune = CommuneChoiceField(
        queryset=commune_choices(),
        required=False,
        label="Commune de l'appelant",
        empty_label="— commune —",
    )
    duration_seconds = forms.IntegerField(
        required=False, min_value=0, max_value=MAX_CALL_SECONDS, widget=forms.HiddenInput
    )

    class Meta:
        model = Call
        fields = list(EDITABLE_FIELDS)
        widgets = {
            "caller_kind": forms.RadioSelect,
            "outcome": forms.RadioSelect,
            "reason": forms.Textarea(attrs={"rows": 3, "placeholder": "Ce que dit l'appelant, en quelques mots"}),
            "follow_up_note": forms.Textarea(attrs={"rows": 2, "placeholder": "Rappeler, prévenir le médecin…"}),
            "caller_phone": forms.TextInput(attrs={"inputmode": "tel", "autocomplete": "off"}),
            "caller_name": forms.TextInput(attrs={"autocomplete": "off"}),
        }

    def __init__(self, *args, require_outcome: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        self.require_outcome = require_outcome
        self.fields["outcome"].choices = list(CallOutcome.choices)
        self.fields["outcome"].required = require_outcome
        self.fields["category"].choices = [("", "— catégorie —"), *self.fields["category"].choices[1:]]
        _bootstrap(self)
        for name, keys in (("caller_phone", "Alt+T"), ("commune", "Alt+C"), ("reason", "Alt+M")):
            self.fields[name].widget.attrs["aria-keyshortcuts"] = keys
        if not self.is_bound and self.instance.caller_phone:
            self.initial["caller_phone"] = format_phone(self.instance.caller_phone)  # "06 46 93 78 71"

    def clean_caller_phone(self) -> str:
        return clean_phone(self.cleaned_data.get("caller_phone", ""))

    def clean(self):
        data = super().clean()
        if self.require_outcome and not data.get("outcome") and not self.instance.outcome:
            self.add_error("outcome", "Choisissez l'orientation pour clore l'appel.")
        return data

    def _post_clean(self):
        # The model's full_clean runs in the service; here we only validate fields one by one,
        # so that the valid ones can be saved even when another one is wrong.
        pass

    def valid_values(self) -> dict:
        """The fields that validated, to be saved even when others did not (nothing typed is lost)."""
        self.is_valid()
        return {name: value for name, value in self.cleaned_data.items() if name not in self.errors}


class QuickPatientForm(forms.Form):
    """Minimal identity of a caller the registry does not know."""

    last_name = forms.CharField(label="Nom", max_length=100)
    first_names = forms.CharField(label="Prénom(s)", max_length=150)
    birth_date = forms.CharField(
        label="Date de naissance", widget=forms.TextInput(attrs={"placeholder": "jj/mm/aaaa", "inputmode": "numeric"})
    )
    sex = forms.ChoiceField(label="Sexe", choices=[("", "—"), *Patient.Sex.choices], required=False)
    phone = forms.CharField(label="Téléphone", max_length=20, required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        _bootstrap(self)

    def clean_birth_date(self):
        try:
            value = parse_date(self.cleaned_data["birth_date"])
        except ValidationError:
            raise ValidationError("Date de naissance illisible (jj/mm/aaaa).")
        from django.utils import timezone

        if value > timezone.localdate() or value.year < 1900:
            raise ValidationError("Date de naissance impossible.")
        return value

    def clean_phone(self) -> str:
        return clean_phone(self.cleaned_data.get("phone", ""))
