"""Writes of the sites app: loading the communes reference file."""

from __future__ import annotations

import csv
from pathlib import Path

from django.db import transaction

from sites.models import Commune

COMMUNES_CSV = Path(__file__).resolve().parent / "data" / "communes-85.csv"


def _float_or_none(value: str) -> float | None:
    value = (value or "").strip()
    return float(value) if value else None


@transaction.atomic
def load_communes(path: Path = COMMUNES_CSV) -> tuple[int, int]:
    """Create or update communes from the reference CSV; returns (created, updated). Idempotent."""
    existing = {c.insee_code: c for c in Commune.objects.all()}
    to_create, to_update = [], []
    with path.open(encoding="utf-8", newline="") as fh:
        for row in csv.DictReader(fh):
            values = {
                "name": row["name"].strip(),
                "postal_codes": [p for p in row["postal_codes"].split("|") if p],
                "population": int(row["population"]) if row["population"].strip() else None,
                "epci_code": row["epci_code"].strip(),
                "epci_name": row["epci_name"].strip(),
                "latitude": _float_or_none(row["latitude"]),
                "longitude": _float_or_none(row["longitude"]),
            }
            commune = existing.get(row["insee_code"].strip())
            if commune is None:
                to_create.append(Commune(insee_code=row["insee_code"].strip(), **values))
            elif any(getattr(commune, k) != v for k, v in values.items()):
                for key, value in values.items():
                    setattr(commune, key, value)
                to_update.append(commune)
    Commune.objects.bulk_create(to_create)
    if to_update:
        Commune.objects.bulk_update(to_update, list(values))
    return len(to_create), len(to_update)


@transaction.atomic
def mark_territory(epci_codes: list[str]) -> int:
    """The CPTS territory = the communes of these EPCIs. Returns how many communes it has."""
    Commune.objects.exclude(epci_code__in=epci_codes).filter(in_territory=True).update(in_territory=False)
    return Commune.objects.filter(epci_code__in=epci_codes).update(in_territory=True)
