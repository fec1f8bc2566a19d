"""Parsing and normalising what people type or send in lists: NIR, phones, names, dates, ALD codes.

Each parser raises `django.core.exceptions.ValidationError` with a French message, so forms
and the importer report bad input the same way.
"""

from __future__ import annotations

import datetime as dt
import re
import threading
import unicodedata
from contextlib import contextmanager

from django.core.exceptions import ValidationError
from stdnum.fr import nir as stdnum_nir

from escorter.phones import format_phone  # noqa: F401  (re-exported: forms and exports format with it)

ALD_OUT_OF_LIST = "HL"
ALD_CODES = [str(n) for n in range(1, 31)] + [ALD_OUT_OF_LIST]
_EXCEL_EPOCH = dt.date(1899, 12, 30)


_FOLD = str.maketrans(
    {
        "œ": "oe",
        "Œ": "OE",
        "æ": "ae",
        "Æ": "AE",
        "ß": "ss",
        "ø": "o",
        "Ø": "O",
        "đ": "d",
        "Đ": "D",
        "ł": "l",
        "Ł": "L",
        "ı": "i",
    }
)


def strip_accents(text: str) -> str:
    # the letters NFKD leaves alone but PostgreSQL's unaccent folds (keeps identity_name in step)
    text = text.translate(_FOLD)
    return "".join(c for c in unicodedata.normalize("NFKD", text) if not unicodedata.combining(c))


_NOT_ALNUM = re.compile(r"[^a-z0-9]+")


# Names, towns and yes/no values repeat a lot in a list: an import remembers simplify()'s answers
# while it runs (remembering_names), and forgets them when it ends, so that no name outlives the
# import in the memory of a long-lived worker or web process (an erased person's included).
_MEMO_SIZE = 65536
_memo: dict[str, str] | None = None
_memo_users = 0
_memo_lock = threading.Lock()


@contextmanager
def remembering_names():
    """Within the block, simplify() keeps its answers (up to 65,536); they are dropped on leaving it."""
    global _memo, _memo_users
    with _memo_lock:
        _memo_users += 1
        if _memo is None:
            _memo = {}
    try:
        yield
    finally:
        with _memo_lock:
            _memo_users -= 1
            if _memo_users == 0:
                _memo = None


def simplify(text: str) -> str:
    """Lower case, no accents, punctuation and hyphens as single spaces: 'Marie-Hélène ' -> 'marie helene'."""
    memo = _memo
    if memo is not None and (known := memo.get(text)) is not None:
        return known
    simple = text or ""
    simple = simple.lower() if simple.isascii() else strip_accents(simple).lower()  # NFKD leaves ASCII alone
    simple = " ".join(_NOT_ALNUM.sub(" ", simple).split())
    if memo is not None and len(memo) < _MEMO_SIZE:
        memo[text] = simple
    return simple


def identity_key(last_name: str, first_names: str, birth_date: dt.date) -> tuple[str, str, dt.date]:
    """The dedup key: same last name, same first given name, same birth date = same person."""
    first = simplify(first_names).split(" ")[0] if first_names else ""
    return simplify(last_name).replace(" ", ""), first, birth_date


_NIR = re.compile(r"^[0-9]{5}(?:[0-9]{2}|2A|2B)[0-9]{8}$")
_NIR_SEPARATORS = str.maketrans("", "", " .-\t")


def clean_nir(value: str) -> str:
    """'2 95 10 99 126 111 93' -> '295109912611193'; '' stays ''. Corsica 2A/2B accepted.

    Same rules as python-stdnum's fr.nir.validate (whose key computation we use), with a
    French message per failure and without its double normalisation (hot path of imports).
    """
    number = (value or "").translate(_NIR_SEPARATORS).upper()
    if not number:
        return ""
    if len(number) != 15:
        raise ValidationError("Le NIR doit compter 15 caractères (13 chiffres et la clé).", code="nir_length")
    if not _NIR.match(number):
        raise ValidationError(
            "NIR mal formé : seuls des chiffres (et 2A/2B pour la Corse) sont admis.", code="nir_format"
        )
    if stdnum_nir.calc_check_digits(number) != number[13:]:
        raise ValidationError("Clé du NIR incorrecte : vérifiez le numéro de sécurité sociale.", code="nir_key")
    if number[0] not in "12":
        raise ValidationError("Un NIR commence par 1 (homme) ou 2 (femme).", code="nir_sex")
    return number


_NON_DIGITS = re.compile(r"\D")


def clean_phone(value: str) -> str:
    """French numbers stored as 10 digits ('+33 6 12…' -> '0612…'); '' stays ''."""
    raw = (value or "").strip()
    if not raw:
        return ""
    digits = _NON_DIGITS.sub("", raw)
    if digits.startswith("0033"):
        digits = "0" + digits[4:]
    elif digits.startswith("33") and len(digits) == 11:
        digits = "0" + digits[2:]
    elif len(digits) == 9 and digits[0] in "123456789":  # Excel dropped the leading 0
        digits = "0" + digits
    if len(digits) != 10 or not digits.startswith("0"):
        raise ValidationError(f"Numéro de téléphone invalide : « {raw} » (10 chiffres attendus).", code="phone")
    return digits


_EXCEL_SERIAL = re.compile(r"\d{5}(\.0+)?")
_COMPACT = re.compile(r"(\d{4})(\d{2})(\d{2})")  # 19500302, as some CPAM extracts write it
_MONTHS = {
    "janvier": 1, "janv": 1, "jan": 1, "fevrier": 2, "fevr": 2, "fev": 2, "mars": 3, "mar": 3, "avril": 4, "avr": 4,
    "mai": 5, "juin": 6, "juillet": 7, "juil": 7, "aout": 8, "septembre": 9, "sept": 9, "sep": 9, "octobre": 10,
    "oct": 10, "novembre": 11, "nov": 11, "decembre": 12, "dec": 12,
}  # fmt: skip
_TEXT_DATE = re.compile(r"(\d{1,2})(?:er)? ([a-z]+) (\d{2}|\d{4})")  # "2 mars 1950", "1er avril 45"


def _full_year(year: int, month: int, day: int) -> dt.date:
    """A two-digit year is in the past: '45' is 1945, not 2045 (birth and referral dates)."""
    if year >= 100:
        return dt.date(year, month, day)
    today = dt.date.today()
    guess = dt.date(2000 + year, month, day)
    return guess if guess <= today else dt.date(1900 + year, month, day)


def parse_date(value) -> dt.date:
    """dd/mm/yyyy (or d/m/yy, dd-mm-yyyy, dd.mm.yyyy), yyyy-mm-dd, yyyymmdd, '2 mars 1950', an Excel
    serial number (as a number or as text), or a date object; a time after the date is ignored."""
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        if 1 <= value < 80000:
            return _EXCEL_EPOCH + dt.timedelta(days=int(value))
        raise ValidationError(f"Date illisible : « {value} ».", code="date")
    text = str(value or "").strip()
    if not text:
        raise ValidationError("Date manquante.", code="date_missing")
    if len(text) == 10 and text[2] == "/" and text[5] == "/" and text[:2].isdigit():  # fast path: dd/mm/yyyy
        try:
            return dt.date(int(text[6:]), int(text[3:5]), int(text[:2]))
        except ValueError:
            raise ValidationError(f"Date impossible : « {value} ».", code="date")
    if _EXCEL_SERIAL.fullmatch(text):  # Excel serial exported as text
        return _EXCEL_EPOCH + dt.timedelta(days=int(float(text)))
    try:
        if match := _COMPACT.fullmatch(text):
            return dt.date(int(match[1]), int(match[2]), int(match[3]))
        if match := _TEXT_DATE.fullmatch(simplify(text)):
            month = _MONTHS.get(match[2])
            if month:
                return _full_year(int(match[3]), month, int(match[1]))
        first = text.split(" ")[0].split("T")[0]
        if match := re.fullmatch(r"(\d{1,2})[/.-](\d{1,2})[/.-](\d{2}|\d{4})", first):
            return _full_year(int(match[3]), int(match[2]), int(match[1]))
        if match := re.fullmatch(r"(\d{4})[/.-](\d{1,2})[/.-](\d{1,2})", first):
            return dt.date(int(match[1]), int(match[2]), int(match[3]))
    except ValueError:
        raise ValidationError(f"Date impossible : « {value} ».", code="date")
    raise ValidationError(f"Date illisible : « {value} » (format attendu jj/mm/aaaa).", code="date")


def parse_bool(value) -> bool:
    if isinstance(value, bool):
        return value
    if isinstance(value, (int, float)):
        return bool(value)
    text = simplify(str(value or ""))
    if text in ("", "non", "n", "0", "no", "false", "faux", "-"):
        return False
    if text in ("oui", "o", "x", "1", "yes", "y", "true", "vrai", "ald"):
        return True
    raise ValidationError(f"Valeur oui/non illisible : « {value} ».", code="bool")


_ALD_SEPARATORS = re.compile(r"[ ,;/+]+")


def parse_ald_codes(value) -> list[str]:
    """'5; 8', 'ALD 30', 'hors liste', '31' (=hors liste in some CPAM exports) -> ['5', '8']."""
    if value is None:
        return []
    if isinstance(value, (int, float)):
        value = str(int(value))
    text = simplify(str(value))
    if not text:
        return []
    codes: list[str] = []
    text = text.replace("hors liste", " hl ").replace("ald", " ")
    for token in _ALD_SEPARATORS.split(text):
        if not token:
            continue
        if token in ("hl", "31", "32"):
            code = ALD_OUT_OF_LIST
        elif token.isdigit() and 1 <= int(token) <= 30:
            code = str(int(token))
        else:
            raise ValidationError(f"Code ALD inconnu : « {token} » (1 à 30, ou « hors liste »).", code="ald_code")
        if code not in codes:
            codes.append(code)
    return codes


def parse_sex(value) -> str:
    text = simplify(str(value or ""))
    if text in ("", "i", "inconnu"):
        return ""
    if text in ("f", "femme", "feminin", "2", "mme", "madame", "mlle"):
        return "F"
    if text in ("m", "h", "homme", "masculin", "1", "m.", "monsieur", "mr"):
        return "M"
    raise ValidationError(f"Sexe illisible : « {value} » (F ou M attendu).", code="sex")
