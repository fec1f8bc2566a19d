"""Password rule recommended by the CNIL for accounts protected by login throttling."""

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _


def _classes_used(password: str) -> int:
    lower = any(c.islower() for c in password)
    upper = any(c.isupper() for c in password)
    digit = any(c.isdigit() for c in password)
    special = any(not c.isalnum() for c in password)
    return sum((lower, upper, digit, special))


class CharacterClassesValidator:
    """At least `min_classes` of: lower case, upper case, digits, special characters."""

    def __init__(self, min_classes: int = 3):
        self.min_classes = min_classes

    def validate(self, password: str, user=None) -> None:
        if _classes_used(password) < self.min_classes:
            raise ValidationError(
                _(
                    "Le mot de passe doit mélanger au moins %(n)d types de caractères parmi : "
                    "minuscules, majuscules, chiffres et caractères spéciaux."
                ),
                code="password_too_simple",
                params={"n": self.min_classes},
            )

    def get_help_text(self) -> str:
        return _(
            "Votre mot de passe doit mélanger au moins %(n)d types de caractères parmi : "
            "minuscules, majuscules, chiffres et caractères spéciaux."
        ) % {"n": self.min_classes}
