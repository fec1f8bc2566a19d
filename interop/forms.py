from django import forms

SHARE_CHOICES = [
    (100, "Tous (100 %)"),
    (75, "75 %"),
    (50, "Un sur deux (50 %)"),
    (25, "Un sur quatre (25 %)"),
    (0, "Aucun"),
]


class PublicationForm(forms.Form):
    share_percent = forms.TypedChoiceField(
        label="Part des créneaux SNP publiée au SAS, pour chaque permanence",
        choices=SHARE_CHOICES,
        coerce=int,
        help_text="Les créneaux publiés sont répartis sur toute la permanence ; les autres restent réservés "
        "à la ligne de l'équipe. Un créneau pris par l'un disparaît aussitôt pour l'autre.",
    )


class PermanenceShareForm(forms.Form):
    share_percent = forms.TypedChoiceField(
        label="Part publiée",
        choices=[("", "Part par défaut"), *SHARE_CHOICES],
        coerce=int,
        empty_value=None,
        required=False,
    )
