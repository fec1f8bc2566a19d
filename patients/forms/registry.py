"""Patient, status, priority-rule, import and anonymisation forms (crispy, French messages)."""

from __future__ import annotations

from crispy_forms.helper import FormHelper
from crispy_forms.layout import HTML, Column, Div, Fieldset, Layout, Row
from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone

from patients.models import Patient, PriorityRule
from patients.normalise import ALD_OUT_OF_LIST, clean_nir, clean_phone, format_phone, parse_ald_codes
from patients.services.gdpr import DEFAULT_RETENTION_MONTHS
from patients.services.registry import TRANSITIONS
from sites.selectors import commune_choices

MAX_UPLOAD_BYTES = 25 * 1024 * 1024


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, **kwargs):
        super().__init__(format="%Y-%m-%d", **kwargs)


class CommuneChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return f"{obj.name} ({', '.join(obj.postal_codes)})" if obj.postal_codes else obj.name


class PatientForm(forms.ModelForm):
    # wider than the stored 15 characters: people type the NIR with spaces
    nir = forms.CharField(
        label="NIR (n° de sécurité sociale)",
        max_length=40,
        required=False,
        help_text="15 caractères, clé comprise (facultatif). Corse : 2A / 2B.",
    )
    ald_codes_text = forms.CharField(
        label="N° d'ALD",
        required=False,
        help_text="Numéros de la liste (1 à 30) séparés par des virgules, ou « hors liste ».",
    )
    commune = CommuneChoiceField(
        label="Commune",
        queryset=commune_choices(),
        error_messages={
            "required": "Indiquez la commune de résidence.",
            "invalid_choice": "Commune inconnue : choisissez une commune de la liste.",
        },
    )

    class Meta:
        model = Patient
        fields = [
            "last_name",
            "birth_name",
            "first_names",
            "sex",
            "birth_date",
            "nir",
            "address",
            "commune",
            "phone",
            "phone_2",
            "email",
            "sms_consent",
            "referral_date",
            "referral_source",
            "ald",
            "disability",
            "mobility_need",
            "pregnancy",
            "hospital_discharge_date",
            "lives_alone",
            "notes",
        ]
        widgets = {
            "birth_date": DateInput(),
            "referral_date": DateInput(),
            "hospital_discharge_date": DateInput(),
            "notes": forms.Textarea(attrs={"rows": 3}),
        }
        error_messages = {
            "last_name": {"required": "Le nom est obligatoire."},
            "first_names": {"required": "Le prénom est obligatoire."},
            "birth_date": {"required": "La date de naissance est obligatoire.", "invalid": "Date invalide."},
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            codes = self.instance.ald_codes or []
            self.fields["ald_codes_text"].initial = ", ".join(
                "hors liste" if c == ALD_OUT_OF_LIST else c for c in codes
            )
            for name in ("phone", "phone_2"):
                self.initial[name] = format_phone(getattr(self.instance, name))
            if self.instance.commune_id:  # a patient who lives outside the territory's départements
                self.fields["commune"].queryset = commune_choices(keep=self.instance.commune_id)
        self.helper = FormHelper()
        self.helper.form_tag = False
        self.helper.layout = Layout(
            Fieldset(
                "Identité",
                Row(Column("last_name"), Column("birth_name"), Column("first_names")),
                Row(Column("sex"), Column("birth_date"), Column("nir")),
            ),
            Fieldset(
                "Coordonnées",
                Row(Column("address", css_class="col-md-8"), Column("commune", css_class="col-md-4")),
                Row(Column("phone"), Column("phone_2"), Column("email")),
                "sms_consent",
            ),
            Fieldset("Signalement", Row(Column("referral_date"), Column("referral_source"))),
            Fieldset(
                "Critères de fragilité",
                Row(Column("ald", css_class="col-md-3"), Column("ald_codes_text", css_class="col-md-9")),
                Row(Column("disability"), Column("pregnancy"), Column("lives_alone")),
                Row(Column("hospital_discharge_date", css_class="col-md-4")),
            ),
            Fieldset("Accès", "mobility_need"),
            "notes",
        )

    def clean_nir(self):
        try:
            nir = clean_nir(self.cleaned_data.get("nir", ""))
        except ValidationError as exc:
            raise ValidationError(exc.messages[0])
        if nir and Patient.objects.filter(nir=nir).exclude(pk=self.instance.pk).exists():
            raise ValidationError("Ce NIR est déjà enregistré pour un autre patient.")
        return nir

    def _clean_phone(self, name):
        try:
            return clean_phone(self.cleaned_data.get(name, ""))
        except ValidationError as exc:
            raise ValidationError(exc.messages[0])

    def clean_phone(self):
        return self._clean_phone("phone")

    def clean_phone_2(self):
        return self._clean_phone("phone_2")

    def clean_birth_date(self):
        value = self.cleaned_data["birth_date"]
        if value > timezone.localdate():
            raise ValidationError("La date de naissance ne peut pas être dans le futur.")
        if value.year < 1900:
            raise ValidationError("Date de naissance invraisemblable (avant 1900).")
        return value

    def clean_hospital_discharge_date(self):
        value = self.cleaned_data.get("hospital_discharge_date")
        if value and value > timezone.localdate():
            raise ValidationError("La date de sortie d'hôpital ne peut pas être dans le futur.")
        return value

    def clean_ald_codes_text(self):
        try:
            return parse_ald_codes(self.cleaned_data.get("ald_codes_text", ""))
        except ValidationError as exc:
            raise ValidationError(exc.messages[0])

    def clean(self):
        data = super().clean()
        codes = data.get("ald_codes_text") or []
        if codes:
            data["ald"] = True
        self.instance.ald_codes = codes if data.get("ald") else []
        nir, sex, birth = data.get("nir"), data.get("sex"), data.get("birth_date")
        if nir and sex and nir[0] != {"M": "1", "F": "2"}[sex]:
            self.add_error("nir", "Le NIR ne correspond pas au sexe indiqué (1 : homme, 2 : femme).")
        if nir and birth and nir[1:3] != f"{birth.year % 100:02d}":
            self.add_error("nir", "Le NIR ne correspond pas à l'année de naissance.")
        if data.get("pregnancy") and sex == Patient.Sex.MALE:
            self.add_error("pregnancy", "Une grossesse ne peut pas être indiquée pour un homme.")
        return data

    def service_values(self) -> dict:
        values = {name: self.cleaned_data[name] for name in self.Meta.fields if name in self.cleaned_data}
        values["ald_codes"] = self.instance.ald_codes
        return values


class StatusChangeForm(forms.Form):
    to_status = forms.ChoiceField(label="Nouveau statut")
    new_gp_name = forms.CharField(label="Nouveau médecin traitant", max_length=150, required=False)
    new_gp_rpps = forms.CharField(label="RPPS (si connu)", max_length=14, required=False)
    gp_found_date = forms.DateField(label="Date de déclaration", required=False, widget=DateInput())
    note = forms.CharField(label="Commentaire", required=False, widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args, patient: Patient, **kwargs):
        super().__init__(*args, **kwargs)
        allowed = TRANSITIONS.get(patient.status, ())
        self.fields["to_status"].choices = [(s, Patient.Status(s).label) for s in allowed]
        self.fields["gp_found_date"].initial = timezone.localdate()
        self.helper = FormHelper()
        self.helper.form_tag = False
        self.helper.layout = Layout(
            "to_status",
            Div(
                HTML('<p class="small text-muted mb-2">Si un médecin traitant a été trouvé :</p>'),
                "new_gp_name",
                Row(Column("new_gp_rpps"), Column("gp_found_date")),
                css_class="border rounded p-2 mb-3 bg-light",
            ),
            "note",
        )

    def clean(self):
        data = super().clean()
        if data.get("to_status") == Patient.Status.GP_FOUND and not (data.get("new_gp_name") or "").strip():
            self.add_error("new_gp_name", "Indiquez le nom du nouveau médecin traitant.")
        return data


class PriorityRuleForm(forms.ModelForm):
    class Meta:
        model = PriorityRule
        fields = [*PriorityRule.WEIGHT_FIELDS, "comment"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["comment"].required = True
        self.fields["waiting_cap"].required = True
        self.fields["per_week_waiting"].help_text = "Classe les patients à l'intérieur de leur niveau."
        self.helper = FormHelper()
        self.helper.form_tag = False
        self.helper.layout = Layout(
            Fieldset(
                "Points de fragilité (ils seuls fixent le niveau)",
                Row(Column("ald"), Column("age_80"), Column("age_70"), Column("disability")),
                Row(Column("child_under_6"), Column("pregnancy"), Column("hospital_discharge"), Column("lives_alone")),
            ),
            Fieldset("Niveaux", Row(Column("tier_p1_min"), Column("tier_p2_min"))),
            Fieldset(
                "Attente (vieillissement borné, à l'intérieur du niveau)",
                Row(Column("per_week_waiting", css_class="col-md-6"), Column("waiting_cap", css_class="col-md-6")),
            ),
            "comment",
        )

    def clean(self):
        data = super().clean()
        p1, p2 = data.get("tier_p1_min"), data.get("tier_p2_min")
        if p1 is not None and p2 is not None and p1 <= p2:
            self.add_error("tier_p1_min", "Le seuil P1 doit être supérieur au seuil P2.")
        return data

    def validate_unique(self):  # the service assigns the next version number
        pass

    def _post_clean(self):
        # weights only: the version and activity are set by the service
        pass


class ImportForm(forms.Form):
    file = forms.FileField(
        label="Fichier (CSV ou Excel .xlsx)",
        error_messages={"required": "Choisissez un fichier.", "empty": "Le fichier est vide."},
    )
    source = forms.ChoiceField(label="Origine de la liste", choices=Patient.ReferralSource.choices)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = FormHelper()
        self.helper.form_tag = False

    def clean_file(self):
        upload = self.cleaned_data["file"]
        name = (upload.name or "").lower()
        if not name.endswith((".csv", ".txt", ".xlsx")):
            raise ValidationError("Format non pris en charge : déposez un fichier .csv ou .xlsx.")
        if upload.size > MAX_UPLOAD_BYTES:
            raise ValidationError("Fichier trop volumineux (25 Mo au plus) : utilisez la commande import_patients.")
        return upload


class AnonymiseForm(forms.Form):
    months = forms.IntegerField(
        label="Sortis du registre depuis plus de (mois)", min_value=1, max_value=240, initial=DEFAULT_RETENTION_MONTHS
    )
    confirm = forms.BooleanField(
        label="Je confirme l'anonymisation définitive de ces dossiers.",
        required=True,
        error_messages={"required": "Cochez la case pour confirmer."},
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = FormHelper()
        self.helper.form_tag = False


class EraseForm(forms.Form):
    """Right to erasure of one person: the coordinator retypes the surname to confirm."""

    last_name = forms.CharField(label="Nom d'usage du patient, pour confirmer", max_length=100)
    confirm = forms.BooleanField(
        label="Je confirme l'effacement définitif de l'identité de cette personne partout dans l'application.",
        required=True,
        error_messages={"required": "Cochez la case pour confirmer."},
    )

    def __init__(self, *args, patient, **kwargs):
        super().__init__(*args, **kwargs)
        self.patient = patient
        self.helper = FormHelper()
        self.helper.form_tag = False

    def clean_last_name(self):
        from patients.normalise import simplify

        typed = self.cleaned_data["last_name"]
        if simplify(typed) != simplify(self.patient.last_name):
            raise forms.ValidationError("Ce n'est pas le nom d'usage du patient.")
        return typed
