"""Commune outlines projected for an SVG map (the territory page; any shaded map of communes)."""

from __future__ import annotations

import math
from dataclasses import dataclass

from sites.boundaries import boundaries
from sites.models import Commune


@dataclass
class Outline:
    commune: Commune
    path: str  # SVG path data, one closed sub-path per ring (holes drawn with fill-rule evenodd)
    x: float  # label anchor: the projected centroid
    y: float


@dataclass
class OutlineMap:
    width: int
    height: int
    outlines: list[Outline]
    missing: list[Commune]  # no outline in the reference data (created since 2018)


def outline_map(communes: list[Commune], *, width: int = 640, padding: int = 8) -> OutlineMap:
    """Equirectangular projection (exact enough at the scale of a département) scaled to `width`."""
    shapes = boundaries(c.insee_code for c in communes)
    points = [p for code in shapes for polygon in shapes[code] for p in polygon[0]]
    if not points:
        return OutlineMap(width=width, height=width // 2, outlines=[], missing=list(communes))
    lons = [p[0] for p in points]
    lats = [p[1] for p in points]
    west, east, south, north = min(lons), max(lons), min(lats), max(lats)
    squeeze = math.cos(math.radians((south + north) / 2))
    scale = (width - 2 * padding) / (((east - west) * squeeze) or 0.01)
    height = int((north - south) * scale + 2 * padding)

    def project(lon: float, lat: float) -> tuple[float, float]:
        return round(padding + (lon - west) * squeeze * scale, 1), round(padding + (north - lat) * scale, 1)

    outlines, missing = [], []
    for commune in communes:
        polygons = shapes.get(commune.insee_code)
        if not polygons:
            missing.append(commune)
            continue
        parts = []
        for polygon in polygons:
            for ring in polygon:
                xy = [project(lon, lat) for lon, lat in ring[:-1]]
                parts.append("M" + "L".join(f"{x} {y}" for x, y in xy) + "Z")
        if commune.has_coordinates:
            x, y = project(commune.longitude, commune.latitude)
        else:
            x, y = project(*polygons[0][0][0])
        outlines.append(Outline(commune=commune, path="".join(parts), x=x, y=y))
    return OutlineMap(width=width, height=height, outlines=outlines, missing=missing)
