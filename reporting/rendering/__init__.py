"""Files of a monthly report (XLSX, PDF, CSV), rendered only from protected (masked) tables."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from reporting.periods import Month
from reporting.tables import Cell, ProtectedSection


@dataclass(frozen=True)
class Sender:
    """Who signs the report: the CPTS (settings ESCORTER_CPTS_*)."""

    name: str
    address: str
    email: str
    phone: str
    logo: str  # path of an image file, embedded in the PDF


@dataclass
class ReportDocument:
    audience_name: str
    audience_kind: str
    month: Month
    version: int
    generated_at: dt.datetime
    territory: str
    headline: list[tuple[str, Cell]]
    sections: list[ProtectedSection]
    notes: list[str]
    sender: Sender | None = None
    commentary: str = ""
