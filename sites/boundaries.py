"""Commune boundaries (simplified, 2018 IGN Admin Express via france-geojson, Licence Ouverte):
one file per département in sites/data/boundaries/, read only for the départements asked for.

    >>> boundaries(["85018", "85106"])["85018"]        # GeoJSON MultiPolygon coordinates
    [[[[-2.0419, 46.9186], [-2.0411, 46.9179], ...]]]

A commune merged since 2018 has the union of its former communes' outline; about a hundred
communes created since (split from a commune nouvelle, overseas collectivities) have none.
"""

from __future__ import annotations

import gzip
import json
from collections.abc import Iterable
from functools import lru_cache
from pathlib import Path

FOLDER = Path(__file__).resolve().parent / "data" / "boundaries"
SCALE = 10_000  # coordinates are stored as integers in 1e-4 degree


def department_of(insee_code: str) -> str:
    """'85018' -> '85', '2A004' -> '2A', '97105' -> '971'."""
    return insee_code[:3] if insee_code.startswith("97") else insee_code[:2]


def decode_ring(flat: list[int]) -> list[list[float]]:
    """Undo the build script's delta encoding: [x, y, dx, dy, …] -> [[lon, lat], …] (closed)."""
    ring, x, y = [], 0, 0
    for i in range(0, len(flat), 2):
        x += flat[i]
        y += flat[i + 1]
        ring.append([x / SCALE, y / SCALE])
    if ring and ring[0] != ring[-1]:
        ring.append(ring[0])
    return ring


@lru_cache(maxsize=8)  # a territory spans one or a few départements
def _department_file(department: str) -> dict[str, list]:
    path = FOLDER / f"{department}.json.gz"
    if not path.is_file():
        return {}
    with gzip.open(path, "rb") as fh:
        return json.load(fh)


def boundaries(insee_codes: Iterable[str]) -> dict[str, list]:
    """{INSEE code: MultiPolygon coordinates [[[lon, lat], …] rings] per polygon} for the codes that have one."""
    result = {}
    for code in insee_codes:
        encoded = _department_file(department_of(code)).get(code)
        if encoded is not None:
            result[code] = [[decode_ring(ring) for ring in polygon] for polygon in encoded]
    return result
