"""One way to read query parameters: valid values, or a 400 page with a French message.

Views read `request.GET` through these helpers (or through a form / filter set). A missing
parameter gives the default; a malformed, impossible or out-of-range one raises
InvalidParameter, which InvalidParameterMiddleware turns into a 400. Dates are bounded to
years the app can compute around (a week after 31/12/9999 does not exist), NUL bytes are
refused before any view runs (PostgreSQL cannot store them).
"""

from __future__ import annotations

import datetime as dt

from django.shortcuts import render

# Years the app can show and compute around (navigation adds or removes weeks and months).
MIN_DATE = dt.date(1900, 1, 1)
MAX_DATE = dt.date(2200, 12, 31)


class InvalidParameter(ValueError):
    """A query parameter that cannot be read; its message is shown to the user."""


def _raw(request, name: str) -> str:
    return (request.GET.get(name) or "").strip()


def _bounded(day: dt.date, name: str, value: str) -> dt.date:
    if not MIN_DATE <= day <= MAX_DATE:
        raise InvalidParameter(
            f"Paramètre « {name} » invalide : « {value} » est hors des dates gérées "
            f"({MIN_DATE:%d/%m/%Y} – {MAX_DATE:%d/%m/%Y})."
        )
    return day


def parse_date(value: str, name: str = "date") -> dt.date:
    """'2026-11-23' or '23/11/2026'."""
    for fmt in ("%Y-%m-%d", "%d/%m/%Y"):
        try:
            return _bounded(dt.datetime.strptime(value, fmt).date(), name, value)
        except ValueError:
            continue
    raise InvalidParameter(f"Paramètre « {name} » invalide : « {value} » n'est pas une date (AAAA-MM-JJ).")


def parse_week(value: str, name: str = "semaine") -> dt.date:
    """The Monday of ISO week '2026-W48'."""
    try:
        year, week = value.upper().split("-W")
        monday = dt.date.fromisocalendar(int(year), int(week), 1)
    except ValueError:
        raise InvalidParameter(
            f"Paramètre « {name} » invalide : « {value} » n'est pas une semaine (AAAA-Wnn, par exemple 2026-W48)."
        ) from None
    return _bounded(monday, name, value)


def parse_month(value: str, name: str = "mois") -> dt.date:
    """The first day of month '2026-11'."""
    try:
        year, month = value.split("-")
        first = dt.date(int(year), int(month), 1)
    except ValueError:
        raise InvalidParameter(
            f"Paramètre « {name} » invalide : « {value} » n'est pas un mois (AAAA-MM, par exemple 2026-11)."
        ) from None
    return _bounded(first, name, value)


def date_param(request, name: str, default: dt.date) -> dt.date:
    raw = _raw(request, name)
    return parse_date(raw, name) if raw else default


def week_param(request, name: str, default: dt.date) -> dt.date:
    raw = _raw(request, name)
    return parse_week(raw, name) if raw else default


def month_param(request, name: str, default: dt.date) -> dt.date:
    raw = _raw(request, name)
    return parse_month(raw, name) if raw else default


def int_param(request, name: str, default: int | None = None, *, choices=None, minimum=None, maximum=None):
    """An integer, optionally one of `choices` or within [minimum, maximum]."""
    raw = _raw(request, name)
    if not raw:
        return default
    if not raw.isdigit() or len(raw) > 12:
        raise InvalidParameter(f"Paramètre « {name} » invalide : nombre entier attendu.")
    value = int(raw)
    if (choices is not None and value not in choices) or (minimum is not None and value < minimum):
        raise InvalidParameter(f"Paramètre « {name} » invalide : valeur {value} non prévue.")
    if maximum is not None and value > maximum:
        raise InvalidParameter(f"Paramètre « {name} » invalide : valeur {value} non prévue.")
    return value


class InvalidParameterMiddleware:
    """Refuses NUL bytes in the query string, and renders InvalidParameter as a French 400."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if any("\x00" in key or any("\x00" in v for v in values) for key, values in request.GET.lists()):
            return self._bad_request(request, "Caractère invalide (octet nul) dans l'adresse.")
        return self.get_response(request)

    def process_exception(self, request, exception):
        if isinstance(exception, InvalidParameter):
            return self._bad_request(request, str(exception))
        return None

    @staticmethod
    def _bad_request(request, reason: str):
        return render(request, "400.html", {"reason": reason}, status=400)
