"""Turning one raw row of a list into clean Patient values, or French error messages per column."""

from __future__ import annotations

import datetime as dt

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
)
from patients.services.importing.communes import CommuneResolver
from patients.services.importing.reader import FIELD_LABELS


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
