"""Forms of the booking pages and of the practitioner's day."""

from __future__ import annotations

from django import forms

from staffing.models import Orientation
from staffing.services.booking import CANCEL_REASONS


class CancelForm(forms.Form):
    reason = forms.ChoiceField(label="Motif", choices=[(r, r) for r in CANCEL_REASONS])
    detail = forms.CharField(label="Précision", max_length=200, required=False)

    def reason_text(self) -> str:
        detail = self.cleaned_data.get("detail", "").strip()
        return f"{self.cleaned_data['reason']} – {detail}" if detail else self.cleaned_data["reason"]


class OutcomeForm(forms.Form):
    seen = forms.TypedChoiceField(
        label="Le patient est-il venu ?",
        choices=[("1", "Vu en consultation"), ("0", "Absent")],
        coerce=lambda v: v == "1",
        initial="1",
        widget=forms.RadioSelect(attrs={"class": "form-check-input"}),
    )
    orientation = forms.ChoiceField(
        label="Orientation",
        choices=Orientation.choices,
        required=False,
        widget=forms.Select(attrs={"class": "form-select form-select-sm"}),
    )
    next_appointment_needed = forms.BooleanField(label="Nouveau rendez-vous à prévoir", required=False)
    gp_found = forms.BooleanField(label="Nouveau médecin traitant trouvé", required=False)
    new_gp_name = forms.CharField(label="Nom du médecin traitant", max_length=150, required=False)
    new_gp_rpps = forms.CharField(label="RPPS (facultatif)", max_length=11, required=False)
    note = forms.CharField(label="Note", required=False, widget=forms.Textarea(attrs={"rows": 2}))
    amend_reason = forms.CharField(label="Motif de la correction", max_length=250, required=False)

    def __init__(self, *args, prefix_pk: int | None = None, **kwargs):
        if prefix_pk is not None:
            kwargs.setdefault("prefix", f"c{prefix_pk}")
        super().__init__(*args, **kwargs)

    def clean(self):
        data = super().clean()
        if data.get("gp_found") and not (data.get("new_gp_name") or "").strip():
            self.add_error("new_gp_name", "Indiquez le nom du nouveau médecin traitant.")
        if data.get("gp_found") and data.get("seen") is False:
            self.add_error("gp_found", "Un patient absent ne peut pas être noté « médecin traitant trouvé ».")
        return data
