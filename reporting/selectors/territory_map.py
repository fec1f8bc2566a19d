"""The territory map: commune outlines shaded by waiting patients per 1,000 inhabitants (counts
of 1 to 4 masked as in the funders' reports) and each premises' catchment (the communes whose
nearest premises it is). Drawn as SVG from the vendored boundaries: no tile server."""

from __future__ import annotations

from dataclasses import dataclass, field

from django.core.cache import cache
from django.db.models import Count
from django.utils import timezone

from patients.models import Patient
from reporting.secrecy import format_value, is_small
from reporting.selectors.capacity_gaps import CapacityGaps, capacity_gaps
from sites.models import Commune, Premises
from sites.outlines import OutlineMap, outline_map
from sites.selectors import commune_centroids, great_circle_km, territory_communes

# ColorBrewer "Blues", 5 classes: light to dark, the darkest with white text in the legend
SHADES = ["#eff3ff", "#bdd7e7", "#6baed6", "#3182bd", "#08519c"]
CATCHMENT_COLOURS = ["#1f4e79", "#2a7f7a", "#b54708", "#6941c6", "#3b7a1f", "#b42318", "#475467", "#8a5a00"]
COUNTS_CACHE_SECONDS = 600  # a grouped count over the waiting patients, not redone per request


@dataclass
class CommuneShade:
    commune: Commune
    path: str
    x: float
    y: float
    waiting: int | None  # None: masked (1 to 4 patients)
    display: str  # "12", "< 5", "0"
    rate: float | None  # per 1,000 inhabitants; None when masked or no population
    shade: str  # CSS class: "shade-0".."shade-4", "masked", "none"
    nearest: Premises | None = None
    catchment_colour: str = "#f2f4f7"


@dataclass
class Legend:
    label: str
    css: str


@dataclass
class TerritoryShading:
    width: int
    height: int
    communes: list[CommuneShade]
    legend: list[Legend]
    premises: list[tuple[Premises, float, float, str]]  # premises, x, y, catchment colour
    catchments: list[tuple[Premises, str, list[str]]]  # premises, colour, commune names
    counted_at: object = None
    missing: list[Commune] = field(default_factory=list)
    gaps: CapacityGaps | None = None


def waiting_by_commune() -> tuple[dict[int, int], object]:
    """Patients waiting to be called per commune id, and when counted (cached 10 minutes)."""
    cached = cache.get("territory-map-waiting")
    if cached is None:
        counts = dict(
            Patient.objects.filter(Patient.AWAITING_CALL, commune__in_territory=True)
            .values_list("commune_id")
            .annotate(n=Count("pk"))
            .values_list("commune_id", "n")
        )
        cached = (counts, timezone.now())
        cache.set("territory-map-waiting", cached, COUNTS_CACHE_SECONDS)
    return cached


def _breaks(rates: list[float]) -> list[float]:
    """Four upper bounds splitting the rates into five classes of about equal size."""
    if not rates:
        return [1, 2, 5, 10]
    ordered = sorted(rates)
    bounds = []
    for k in (1, 2, 3, 4):
        value = ordered[min(len(ordered) - 1, k * len(ordered) // 5)]
        bounds.append(round(value, 1))
    # strictly increasing, so that every class is reachable
    for i in range(1, 4):
        bounds[i] = max(bounds[i], bounds[i - 1] + 0.1)
    return bounds


def _nearest(centroid, sites: list[tuple[Premises, tuple[float, float]]]) -> Premises | None:
    if centroid is None or not sites:
        return None
    return min(sites, key=lambda site: great_circle_km(*centroid, *site[1]))[0]


def territory_shading(*, width: int = 640) -> TerritoryShading:
    communes = list(territory_communes())
    drawn: OutlineMap = outline_map(communes, width=width)
    counts, counted_at = waiting_by_commune()
    premises = list(Premises.objects.exclude(status=Premises.Status.CLOSED).select_related("commune").order_by("name"))
    centroids = commune_centroids([*communes, *(p.commune for p in premises)])
    sites = [(p, centroids[p.commune_id]) for p in premises if centroids.get(p.commune_id)]
    colours = {p.pk: CATCHMENT_COLOURS[i % len(CATCHMENT_COLOURS)] for i, (p, _) in enumerate(sites)}

    rates = []
    for commune in communes:
        n = counts.get(commune.pk, 0)
        if commune.population and not is_small(n):
            rates.append(1000 * n / commune.population)
    bounds = _breaks([r for r in rates if r > 0])

    shaded = []
    for outline in drawn.outlines:
        commune = outline.commune
        n = counts.get(commune.pk, 0)
        masked = is_small(n)
        rate = None if masked or not commune.population else 1000 * n / commune.population
        if masked:
            css = "masked"
        elif rate is None:
            css = "none"
        elif rate == 0:
            css = "shade-0"
        else:
            css = f"shade-{1 + sum(rate > b for b in bounds[:3])}"
        nearest = _nearest(centroids.get(commune.pk), sites)
        shaded.append(
            CommuneShade(
                commune=commune,
                path=outline.path,
                x=outline.x,
                y=outline.y,
                waiting=None if masked else n,
                display="< 5" if masked else format_value(n, "int"),
                rate=rate,
                shade=css,
                nearest=nearest,
                catchment_colour=colours.get(nearest.pk, "#f2f4f7") if nearest else "#f2f4f7",
            )
        )
    fmt = lambda v: format_value(v, "decimal")  # noqa: E731
    legend = [
        Legend("aucun patient en attente", "shade-0"),
        Legend(f"moins de {fmt(bounds[0])} ‰", "shade-1"),
        Legend(f"{fmt(bounds[0])} à {fmt(bounds[1])} ‰", "shade-2"),
        Legend(f"{fmt(bounds[1])} à {fmt(bounds[2])} ‰", "shade-3"),
        Legend(f"plus de {fmt(bounds[2])} ‰", "shade-4"),
        Legend("1 à 4 patients : non publié (secret statistique)", "masked"),
    ]
    positions = {o.commune.pk: (o.x, o.y) for o in drawn.outlines}
    pins = []
    for p, _ in sites:
        x, y = positions.get(p.commune_id, (None, None))
        if x is not None:
            pins.append((p, x, y, colours[p.pk]))
    catchments = [
        (p, colours[p.pk], sorted(s.commune.name for s in shaded if s.nearest and s.nearest.pk == p.pk))
        for p, _ in sites
    ]
    return TerritoryShading(
        width=drawn.width,
        height=drawn.height,
        communes=shaded,
        legend=legend,
        premises=pins,
        catchments=catchments,
        counted_at=counted_at,
        missing=drawn.missing,
        gaps=capacity_gaps(shaded, sites, centroids, counts),
    )
