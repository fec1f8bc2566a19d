"""Reads of the sites app: communes, premises, and the territory map drawn from commune coordinates."""

from __future__ import annotations

import math
from dataclasses import dataclass

from django.db.models import Count, Q, QuerySet, Sum

from sites.models import Commune, Department, Premises


def territory_communes() -> QuerySet[Commune]:
    return Commune.objects.filter(in_territory=True).order_by("epci_name", "name")


@dataclass
class EpciChoice:
    code: str
    name: str
    communes: list[Commune]

    @property
    def population(self) -> int:
        return sum(c.population or 0 for c in self.communes)

    @property
    def chosen(self) -> bool:
        return bool(self.communes) and all(c.in_territory for c in self.communes)

    @property
    def partly_chosen(self) -> bool:
        return not self.chosen and any(c.in_territory for c in self.communes)


def main_department() -> str | None:
    """The département holding most of the territory (where the territory page opens)."""
    row = (
        Commune.objects.filter(in_territory=True)
        .values("department_code")
        .annotate(n=Count("pk"))
        .order_by("-n", "department_code")
        .first()
    )
    return row["department_code"] if row else None


def department_choices() -> list[Department]:
    return list(Department.objects.order_by("code"))


def department_epcis(department: str) -> list[EpciChoice]:
    """The current communes of a département grouped by EPCI (communes without one last)."""
    groups: dict[str, EpciChoice] = {}
    for commune in Commune.objects.filter(current=True, department_code=department).order_by("epci_name", "name"):
        group = groups.get(commune.epci_code)
        if group is None:
            group = groups[commune.epci_code] = EpciChoice(commune.epci_code, commune.epci_name or "Sans EPCI", [])
        group.communes.append(commune)
    return sorted(groups.values(), key=lambda g: (not g.code, g.name))


def territory_summary() -> dict:
    """Size of the territory: a few dozen communes, so one small aggregate."""
    communes = Commune.objects.filter(in_territory=True)
    totals = communes.aggregate(
        communes=Count("pk"),
        population=Sum("population"),
        epcis=Count("epci_code", distinct=True, filter=~Q(epci_code="")),
    )
    codes = sorted(set(communes.values_list("department_code", flat=True)))
    totals["departments"] = list(Department.objects.filter(code__in=codes))
    return totals


def commune_choices(*, keep: int | None = None) -> QuerySet[Commune]:
    """Communes offered in a form: those of the territory's départements (a patient may live just
    across its edge), the territory first. Not all of France: 35,000 options would make the page
    weigh megabytes. Empty until a coordinator has chosen the territory."""
    departments = Commune.objects.filter(in_territory=True).values("department_code")
    offered = Q(current=True, department_code__in=departments) | Q(pk=keep)
    return Commune.objects.filter(offered).order_by("-in_territory", "name")


def premises_list() -> QuerySet[Premises]:
    return (
        Premises.objects.select_related("commune", "lending_commune")
        .annotate(room_count=Count("rooms", filter=Q(rooms__active=True)))
        .order_by("status", "name")
    )


def premises_detail(pk: int) -> Premises:
    from django.shortcuts import get_object_or_404

    return get_object_or_404(Premises.objects.select_related("commune", "lending_commune"), pk=pk)


@dataclass
class MapPoint:
    x: float
    y: float
    label: str
    commune: Commune | None = None
    premises: Premises | None = None


@dataclass
class TerritoryMap:
    width: int
    height: int
    communes: list[MapPoint]
    premises: list[MapPoint]
    epcis: list[tuple[str, str]]  # (name, colour)


EPCI_COLOURS = ["#9ec5fe", "#a3cfbb", "#fecba1", "#c5b3e6", "#f1aeb5"]


def territory_map(premises: list[Premises], *, width: int = 640, padding: int = 60) -> TerritoryMap:
    """An SVG-ready projection of the territory's communes and the premises (equirectangular, fine at this scale)."""
    communes = [c for c in territory_communes() if c.has_coordinates]
    if not communes:
        return TerritoryMap(width=width, height=width // 2, communes=[], premises=[], epcis=[])
    lats = [c.latitude for c in communes]
    lons = [c.longitude for c in communes]
    mid_lat = math.radians((min(lats) + max(lats)) / 2)
    span_x = (max(lons) - min(lons)) * math.cos(mid_lat) or 0.01
    span_y = (max(lats) - min(lats)) or 0.01
    scale = (width - 2 * padding) / span_x
    height = int(span_y * scale + 2 * padding)

    def project(lat: float, lon: float) -> tuple[float, float]:
        x = padding + (lon - min(lons)) * math.cos(mid_lat) * scale
        y = padding + (max(lats) - lat) * scale
        return round(x, 1), round(y, 1)

    epci_names = sorted({c.epci_name for c in communes})
    colours = {name: EPCI_COLOURS[i % len(EPCI_COLOURS)] for i, name in enumerate(epci_names)}
    commune_points = []
    for commune in communes:
        x, y = project(commune.latitude, commune.longitude)
        point = MapPoint(x=x, y=y, label=commune.name, commune=commune)
        point.colour = colours[commune.epci_name]
        point.radius = round(4 + math.sqrt((commune.population or 0) / 1000) * 2.5, 1)
        point.label_y = round(y + point.radius + 11, 1)
        # long names near the edges would be cut by the viewBox: anchor them inwards
        point.anchor = "end" if x > width - 110 else "start" if x < 110 else "middle"
        commune_points.append(point)
    premises_points = []
    for item in premises:
        if not item.commune.has_coordinates:
            continue
        x, y = project(item.commune.latitude, item.commune.longitude)
        point = MapPoint(x=x, y=y, label=item.name, premises=item)
        point.head_y = round(y - 18, 1)  # the pin's tip sits on the commune, its head above
        premises_points.append(point)
    return TerritoryMap(
        width=width,
        height=height,
        communes=commune_points,
        premises=premises_points,
        epcis=[(name, colours[name]) for name in epci_names],
    )


# --- Distances (booking and scheduler) -------------------------------------------------------

EARTH_RADIUS_KM = 6371.0088


def great_circle_km(lat_a: float, lon_a: float, lat_b: float, lon_b: float) -> float:
    """Haversine distance between two points, in kilometres."""
    phi_a, phi_b = math.radians(lat_a), math.radians(lat_b)
    h = (
        math.sin((phi_b - phi_a) / 2) ** 2
        + math.cos(phi_a) * math.cos(phi_b) * math.sin(math.radians(lon_b - lon_a) / 2) ** 2
    )
    return 2 * EARTH_RADIUS_KM * math.asin(min(1.0, math.sqrt(h)))


def commune_centroids(communes) -> dict[int, tuple[float, float] | None]:
    """(latitude, longitude) per commune id; a commune without coordinates (INSEE leaves two
    Vendée communes blank) gets the centroid of its EPCI's communes. One query for all fallbacks."""
    communes = list(communes)
    result: dict[int, tuple[float, float] | None] = {}
    missing_epcis = {c.epci_code for c in communes if not c.has_coordinates and c.epci_code}
    epci_centroid: dict[str, tuple[float, float]] = {}
    if missing_epcis:
        from django.db.models import Avg

        rows = (
            Commune.objects.filter(epci_code__in=missing_epcis, latitude__isnull=False, longitude__isnull=False)
            .values("epci_code")
            .annotate(lat=Avg("latitude"), lon=Avg("longitude"))
        )
        epci_centroid = {row["epci_code"]: (row["lat"], row["lon"]) for row in rows}
    for commune in communes:
        if commune.has_coordinates:
            result[commune.pk] = (commune.latitude, commune.longitude)
        else:
            result[commune.pk] = epci_centroid.get(commune.epci_code)
    return result


def distance_km(commune_a: Commune | None, commune_b: Commune | None) -> float | None:
    """Great-circle distance between two communes' centroids (EPCI fallback); None if unknown."""
    if commune_a is None or commune_b is None:
        return None
    centroids = commune_centroids([commune_a, commune_b])
    a, b = centroids.get(commune_a.pk), centroids.get(commune_b.pk)
    if a is None or b is None:
        return None
    return great_circle_km(a[0], a[1], b[0], b[1])
