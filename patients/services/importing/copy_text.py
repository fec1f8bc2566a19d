"""Values rendered in PostgreSQL's COPY text format, for the import's bulk insert."""

from __future__ import annotations

import datetime as dt
import json

_COPY_ESCAPES = str.maketrans({"\\": "\\\\", "\t": "\\t", "\n": "\\n", "\r": "\\r"})


def _copy_text(value) -> str:
    """One value in PostgreSQL's COPY text format."""
    if value is None:
        return "\\N"
    if value is True:
        return "t"
    if value is False:
        return "f"
    if isinstance(value, str):
        return value.translate(_COPY_ESCAPES)
    if isinstance(value, (int, float)):
        return str(value)
    if isinstance(value, (dt.date, dt.datetime)):
        return value.isoformat()
    if isinstance(value, list):  # text[]: every element quoted
        inner = ",".join('"' + str(v).replace("\\", "\\\\").replace('"', '\\"') + '"' for v in value)
        return ("{" + inner + "}").translate(_COPY_ESCAPES)
    if isinstance(value, dict):
        return json.dumps(value, ensure_ascii=False).translate(_COPY_ESCAPES)
    raise TypeError(f"unexpected value for COPY: {value!r}")


class _CopyText(str):
    """A value already in COPY text format."""

    __slots__ = ()


def _copy_str(value: str) -> str:
    return value.translate(_COPY_ESCAPES)


_MISSING = object()
# the usual types straight to their renderer; anything else (subclasses too) through _copy_text
_RENDER = {
    str: _copy_str,
    _CopyText: str.__str__,
    bool: lambda value: "t" if value else "f",
    int: str,
    type(None): lambda value: "\\N",
    dt.date: dt.date.isoformat,
    list: _copy_text,
}
