"""Password rules: the CNIL's character classes, and no common French password."""

import unicodedata
from functools import lru_cache
from pathlib import Path

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


PASSWORD_LISTS = Path(__file__).resolve().parent / "data" / "passwords"
_LEET = [str.maketrans({"0": "o", "1": "i", "3": "e", "4": "a", "5": "s", "7": "t", "@": "a", "$": "s"})]
_LEET.append(str.maketrans({**_LEET[0], ord("1"): "l"}))


def _plain(text: str) -> str:
    """Lower case without accents: "Médecin" → "medecin"."""
    decomposed = unicodedata.normalize("NFKD", text.strip().lower())
    return "".join(c for c in decomposed if not unicodedata.combining(c))


@lru_cache(maxsize=1)
def _french_lists() -> tuple[frozenset[str], tuple[str, ...]]:
    """(every listed password, the listed words of 4+ letters to look for inside a password)."""
    entries = set()
    for path in sorted(PASSWORD_LISTS.glob("*.txt")):
        for line in path.read_text(encoding="utf-8").splitlines():
            if line.strip() and not line.startswith("#"):
                entries.add(_plain(line))
    words = tuple(sorted((e for e in entries if len(e) >= 4 and e.isalpha()), key=len, reverse=True))
    return frozenset(entries), words


def is_common_french_password(password: str) -> bool:
    """A listed password, or a listed word padded with digits, symbols and at most two letters.

    Users meet the character-class rule by capitalising a letter and adding a digit or a
    symbol ("Motdepasse1", "azertyA1"); attackers' dictionaries apply the same rules.
    """
    entries, words = _french_lists()
    plain = _plain(password)
    for candidate in {plain, *(plain.translate(table) for table in _LEET)}:
        if candidate in entries:
            return True
        for word in words:
            if word in candidate:
                rest = candidate.replace(word, "", 1)
                if sum(c.isalpha() for c in rest) <= 2:
                    return True
    return False


class FrenchCommonPasswordValidator:
    """Refuses the French passwords attackers try first (list and sources in escorter/data/passwords/)."""

    def validate(self, password: str, user=None) -> None:
        if is_common_french_password(password):
            raise ValidationError(
                _("Ce mot de passe est trop courant (ou une variante d'un mot de passe courant)."),
                code="password_too_common",
            )

    def get_help_text(self) -> str:
        return _("Votre mot de passe ne peut pas être un mot de passe courant, même avec des chiffres ajoutés.")
