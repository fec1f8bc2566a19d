"""Turning one raw row of a list into clean Patient values, or French error messages per column."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.utils import timezone

from patients.normalise import (
    clean_nir,
    clean_phone,
    parse_ald_codes,
    parse_bool,
    parse_date,
    parse_sex,
    simplify,
)
from patients.services.importing.reader import FIELD_LABELS
from sites.models import Commune


def _commune_key(name: str) -> str:
    key = simplify(name)
    for short, long in (("st ", "saint "), ("ste ", "sainte ")):
        if key.startswith(short):
            key = long + key[len(short) :]
        key = key.replace(" " + short, " " + long)
    return key.replace(" ", "")


class CommuneResolver:
    """INSEE code, town name or postal code (+ town name when the code is shared) -> Commune id."""

    def __init__(self):
        self.by_insee: dict[str, int] = {}
        self.by_name: dict[str, list[int]] = defaultdict(list)
        self.by_postal: dict[str, list[int]] = defaultdict(list)
        self.names: dict[int, str] = {}
        self.territory: set[int] = set()
        for pk, insee, name, postal_codes, in_territory in Commune.objects.values_list(
            "pk", "insee_code", "name", "postal_codes", "in_territory"
        ):
            self.by_insee[insee.upper()] = pk
            self.by_name[_commune_key(name)].append(pk)
            for code in postal_codes:
                self.by_postal[code].append(pk)
            self.names[pk] = name
            if in_territory:
                self.territory.add(pk)

    def resolve(self, *, insee=None, name=None, postal_code=None) -> tuple[int | None, str, str]:
        """(commune id, column, error message)."""
        insee = str(insee or "").strip().upper()
        if insee:
            if insee.isdigit() and len(insee) == 4:
                insee = "0" + insee  # Excel ate the leading zero
            if insee in self.by_insee:
                return self.by_insee[insee], "insee", ""
            return None, "insee", f"Code INSEE inconnu : « {insee} »."
        name = str(name or "").strip()
        postal = str(postal_code or "").strip()
        if postal.endswith(".0"):
            postal = postal[:-2]
        if not postal and name[:5].isdigit():  # "85230 Beauvoir-sur-Mer"
            postal, name = name[:5], name[5:].strip(" -")
        named = self.by_name.get(_commune_key(name), []) if name else []
        if postal:
            candidates = self.by_postal.get(postal.zfill(5), [])
            if not candidates:
                return None, "postal_code", f"Code postal inconnu : « {postal} »."
            if len(candidates) == 1:
                return candidates[0], "postal_code", ""
            chosen = [pk for pk in candidates if pk in named]
            if len(chosen) == 1:
                return chosen[0], "commune_name", ""
            towns = ", ".join(sorted(self.names[pk] for pk in candidates))
            if name:
                return None, "commune_name", f"La commune « {name} » n'a pas le code postal {postal} ({towns})."
            return None, "postal_code", f"Le code postal {postal} est partagé par {towns} : précisez la commune."
        if name:
            if len(named) == 1:
                return named[0], "commune_name", ""
            if len(named) > 1:
                in_territory = [pk for pk in named if pk in self.territory]
                if len(in_territory) == 1:
                    return in_territory[0], "commune_name", ""
                return None, "commune_name", f"Plusieurs communes s'appellent « {name} » : donnez le code INSEE."
            return None, "commune_name", f"Commune inconnue : « {name} »."
        return None, "commune_name", "Commune manquante (code INSEE, commune ou code postal)."


class RowErrors(Exception):
    def __init__(self, errors: list[tuple[str, str, str]]):
        super().__init__(errors)
        self.errors = errors  # (column label, message, raw value)


def _text(value) -> str:
    if value is None:
        return ""
    if type(value) is str:  # noqa: E721 - the common case, checked first
        return value.strip()
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value).strip()


def _clean_nir(value) -> str:
    return clean_nir(_text(value))


def _clean_phone(value) -> str:
    return clean_phone(_text(value))


# optional columns parsed when the list has them (built once, not per row)
_PARSERS = (
    ("sex", parse_sex),
    ("nir", _clean_nir),
    ("phone", _clean_phone),
    ("phone_2", _clean_phone),
    ("ald", parse_bool),
    ("ald_codes", parse_ald_codes),
    ("disability", parse_bool),
    ("pregnancy", parse_bool),
    ("lives_alone", parse_bool),
)
_TEXTS = (("last_name", 100), ("first_names", 150), ("birth_name", 100), ("address", 255))
_SEX_DIGIT = {"M": "1", "F": "2"}


def parse_row(raw: dict, *, communes: CommuneResolver, labels: dict[str, str], today: dt.date | None = None) -> dict:
    """Clean values for Patient (commune as commune_id); raises RowErrors with every problem of the row."""
    today = today or timezone.localdate()
    errors: list[tuple[str, str, str]] = []
    values: dict = {}

    def fail(name: str, message: str):
        errors.append((labels.get(name) or FIELD_LABELS.get(name, name), message, _text(raw.get(name))))

    get = raw.get
    for name, max_length in _TEXTS:
        text = " ".join(_text(get(name)).split())
        if len(text) > max_length:
            fail(name, f"Texte trop long ({len(text)} caractères, {max_length} au plus).")
        values[name] = text
    if not values["last_name"] and "last_name" in raw:
        fail("last_name", "Valeur obligatoire manquante.")
    if not values["first_names"] and "first_names" in raw:
        fail("first_names", "Valeur obligatoire manquante.")
    try:
        birth_date = parse_date(get("birth_date"))
        if birth_date > today:
            fail("birth_date", "La date de naissance est dans le futur.")
        elif birth_date.year < 1900:
            fail("birth_date", "Date de naissance invraisemblable (avant 1900).")
        values["birth_date"] = birth_date
    except ValidationError as exc:
        fail("birth_date", exc.messages[0])
    for name, parser in _PARSERS:
        if name in raw:
            try:
                values[name] = parser(raw[name])
            except ValidationError as exc:
                fail(name, exc.messages[0])
    for name in ("referral_date", "hospital_discharge_date"):
        if name in raw and _text(raw[name]):
            try:
                values[name] = parse_date(raw[name])
            except ValidationError as exc:
                fail(name, exc.messages[0])
    email = _text(get("email"))
    if email:
        try:
            validate_email(email)
            values["email"] = email.lower()
        except ValidationError:
            fail("email", f"Adresse e-mail invalide : « {email} ».")
    if values.get("ald_codes"):
        values["ald"] = True
    commune_id, column, message = communes.resolve(
        insee=get("insee"), name=get("commune_name"), postal_code=get("postal_code")
    )
    if message:
        fail(column, message)
    values["commune_id"] = commune_id
    nir, sex = values.get("nir"), values.get("sex")
    if nir and sex and nir[0] != _SEX_DIGIT[sex]:
        fail("nir", "Le NIR ne correspond pas au sexe indiqué.")
    if errors:
        raise RowErrors(errors)
    return values
