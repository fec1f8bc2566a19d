"""Phone numbers shown the French way ("06 12 34 56 78", "+32 470 12 34 56" abroad), with
`phonenumbers` (Google's libphonenumber metadata) rather than hand-written spacing."""

from __future__ import annotations

import phonenumbers
from phonenumbers import NumberParseException, PhoneNumberFormat

REGION = "FR"


def _parse(value: str):
    try:
        return phonenumbers.parse(value, REGION)
    except NumberParseException:
        return None


def format_phone(value: str | None) -> str:
    """National format for French numbers, international otherwise; unparsable input as typed."""
    value = (value or "").strip()
    if not value:
        return ""
    number = _parse(value)
    if number is None:
        return value
    if phonenumbers.region_code_for_number(number) == REGION or number.country_code == 33:
        return phonenumbers.format_number(number, PhoneNumberFormat.NATIONAL)
    return phonenumbers.format_number(number, PhoneNumberFormat.INTERNATIONAL)


def phone_uri(value: str | None) -> str:
    """`tel:` target (E.164), so a tap on a phone dials the number."""
    number = _parse((value or "").strip())
    return phonenumbers.format_number(number, PhoneNumberFormat.E164) if number else ""
