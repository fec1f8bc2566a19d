"""Finding the commune of a row however the partner wrote it: INSEE code (current or former),
postal code, or name (accents, hyphens, St/Saint, Le/La in front or behind, arrondissements,
CEDEX), in whichever of the commune columns it landed."""

from __future__ import annotations

import re
from collections import defaultdict

from patients.normalise import simplify
from sites.models import Commune, FormerCommuneCode

_CODE = re.compile(r"^(?:\d{4,5}|2[AB]\d{3})$")
# "85230 Beauvoir-sur-Mer", "Beauvoir-sur-Mer (85230)", "85018 - Beauvoir"
_LEADING_CODE = re.compile(r"^(\d{5}|2[AB]\d{3})\b[\s\-–,/]*(.*)$")
_TRAILING_CODE = re.compile(r"^(.*?)[\s\-–,/(]*(\d{5}|2[AB]\d{3})\)?$")
_ARTICLES = ("le", "la", "les", "l")
_ABBREVIATIONS = {"st": "saint", "ste": "sainte", "sts": "saints", "stes": "saintes", "s": "sur"}
# "Paris 15e", "Marseille 1er arrondissement", "Lyon 3ème", "Paris 15"
_ARRONDISSEMENT = re.compile(r"^(paris|marseille|lyon)(?: (\d{1,2})(?: ?(?:e|er|eme|ieme|arrondissement|arr))*)?$")
_ARRONDISSEMENT_COMMUNES = {"paris": "75056", "marseille": "13055", "lyon": "69123"}


def commune_key(name: str) -> str:
    """'St-Jean-de-Monts' = 'SAINT JEAN DE MONTS' = 'saint-jean-de-monts'; 'La Roche-sur-Yon' =
    'Roche-sur-Yon (La)' = 'Roche sur Yon'; CEDEX and its number dropped."""
    words = simplify(name).split()
    if "cedex" in words:
        words = words[: words.index("cedex")]
    if len(words) > 1 and words[-1] in _ARTICLES:  # "Roche-sur-Yon (La)"
        words = words[:-1]
    if len(words) > 1 and words[0] in _ARTICLES:
        words = words[1:]
    words = [_ABBREVIATIONS.get(w, w) if i or w != "s" else w for i, w in enumerate(words)]
    return "".join(words)


class CommuneResolver:
    """One pass over the reference communes (current ones, former codes and names) per import."""

    def __init__(self):
        self.by_insee: dict[str, int] = {}
        self.by_name: dict[str, list[int]] = defaultdict(list)
        self.by_postal: dict[str, list[int]] = defaultdict(list)
        self.names: dict[int, str] = {}
        self.territory: set[int] = set()
        for pk, insee, name, postal_codes, in_territory in Commune.objects.filter(current=True).values_list(
            "pk", "insee_code", "name", "postal_codes", "in_territory"
        ):
            self.by_insee[insee] = pk
            self.by_name[commune_key(name)].append(pk)
            for code in postal_codes:
                self.by_postal[code].append(pk)
            self.names[pk] = name
            if in_territory:
                self.territory.add(pk)
        # former communes (merged into a commune nouvelle), delegated ones, arrondissements
        for code, name, commune_id in FormerCommuneCode.objects.values_list("code", "name", "commune_id"):
            self.by_insee.setdefault(code, commune_id)
            key = commune_key(name)
            if key and commune_id not in self.by_name[key]:
                self.by_name[key].append(commune_id)

    # -- one value -----------------------------------------------------------------------
    def _by_code(self, code: str, *, postal_first: bool) -> tuple[list[int], str]:
        """Candidates for a code and how it was read ('insee' or 'postal')."""
        code = code.upper()
        if len(code) == 4:
            code = "0" + code  # Excel ate the leading zero
        insee = [self.by_insee[code]] if code in self.by_insee else []
        postal = list(self.by_postal.get(code, []))
        order = ((postal, "postal"), (insee, "insee")) if postal_first else ((insee, "insee"), (postal, "postal"))
        for found, how in order:
            if found:
                return found, how
        return [], ""

    def _by_name(self, name: str) -> list[int]:
        key = commune_key(name)
        found = self.by_name.get(key)
        if found:
            return found
        match = _ARRONDISSEMENT.match(simplify(name))
        if match:
            pk = self.by_insee.get(_ARRONDISSEMENT_COMMUNES[match.group(1)])
            return [pk] if pk else []
        return []

    # -- a row ---------------------------------------------------------------------------
    def resolve(self, *, insee=None, name=None, postal_code=None) -> tuple[int | None, str, str]:
        """(commune id, column to blame, French error message or '')."""
        codes: list[tuple[str, str]] = []  # (code, column)
        names: list[tuple[str, str]] = []  # (name, column)
        for column, value in (("insee", insee), ("commune_name", name), ("postal_code", postal_code)):
            text = _text(value)
            if not text:
                continue
            if _CODE.match(text.upper()):
                codes.append((text, column))
                continue
            match = _LEADING_CODE.match(text) or _TRAILING_CODE.match(text)
            if match and match.group(1 if match.re is _LEADING_CODE else 2):
                code = match.group(1 if match.re is _LEADING_CODE else 2)
                rest = match.group(2 if match.re is _LEADING_CODE else 1).strip(" -–,/()")
                codes.append((code, column))
                if rest:
                    names.append((rest, column))
                continue
            names.append((text, column))
        if not codes and not names:
            return None, "commune_name", "Commune manquante (code INSEE, commune ou code postal)."

        named: list[int] = []
        for text, _ in names:
            named = self._by_name(text)
            if named:
                break
        # a code agreeing with the name settles it (shared postal codes, homonyms)
        for code, column in codes:
            found, how = self._by_code(code, postal_first=column == "postal_code")
            if named:
                agreeing = [pk for pk in found if pk in named]
                if not agreeing:  # the other reading of the code may agree
                    other, _ = self._by_code(code, postal_first=column != "postal_code")
                    agreeing = [pk for pk in other if pk in named]
                if len(agreeing) == 1:
                    return agreeing[0], column, ""
                if how == "insee":  # an INSEE code is precise: it wins over a differently spelt name
                    return found[0], column, ""
                if how == "postal" and len(found) >= 1:
                    towns = ", ".join(sorted(self.names[pk] for pk in found))
                    return None, names[0][1], (f"La commune « {names[0][0]} » n'a pas le code postal {code} ({towns}).")
                continue
            if how == "insee" or len(found) == 1:
                return found[0], column, ""
            if how == "postal":
                towns = ", ".join(sorted(self.names[pk] for pk in found))
                return None, column, f"Le code postal {code} est partagé par {towns} : précisez la commune."
        if named:
            if len(named) == 1:
                return named[0], names[0][1], ""
            in_territory = [pk for pk in named if pk in self.territory]
            if len(in_territory) == 1:
                return in_territory[0], names[0][1], ""
            return (
                None,
                names[0][1],
                f"Plusieurs communes s'appellent « {names[0][0]} » : donnez le code postal ou INSEE.",
            )
        if names:
            text, column = names[0]
            return None, column, f"Commune inconnue : « {text} »."
        code, column = codes[0]
        if column == "postal_code":
            return None, column, f"Code postal inconnu : « {code} »."
        return None, column, f"Code INSEE ou code postal inconnu : « {code} »."


def _text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    text = str(value).strip()
    if text.endswith(".0") and text[:-2].isdigit():
        text = text[:-2]
    return text
