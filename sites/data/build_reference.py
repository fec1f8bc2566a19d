"""Build the reference files of sites/data/ from their public sources (run by hand when INSEE publishes).

Sources (see sites/data/README.md for versions and licences):

- codes, names, postal codes, populations, EPCI, départements, regions and the history of
  merged communes: the npm package @etalab/decoupage-administratif (MIT), built from INSEE's
  Code officiel géographique. Get it with `npm pack @etalab/decoupage-administratif@6.0.0`
  and unpack it (`tar xzf …tgz` gives a `package/` folder).
- boundaries and centroids: gregoiredavid/france-geojson (IGN Admin Express COG 2018,
  Licence Ouverte Etalab), one `communes-<dep>-<name>.geojson` per département. A commune
  merged since 2018 is the union of its former communes' polygons (codes from the COG
  history, `anciensCodes`).

Usage (needs shapely, a development dependency):

    python sites/data/build_reference.py PACKAGE_DIR GEOJSON_DEPARTEMENTS_DIR

Writes communes.csv.gz, former-codes.csv.gz and boundaries/<département>.json.gz beside this
script. Boundaries are simplified (Douglas-Peucker, 0.0004° ≈ 35 m) and stored as
integers in 1e-4 degree (≈ 10 m), each ring delta-encoded (`sites.boundaries` decodes them):
enough for a map of a territory, about 1/10 of the source's size.
"""

from __future__ import annotations

import csv
import gzip
import io
import json
import sys
from pathlib import Path

from shapely.geometry import mapping, shape
from shapely.ops import unary_union

HERE = Path(__file__).resolve().parent
SIMPLIFY_DEGREES = 0.0004
DECIMALS = 4
COMMUNE_COLUMNS = [
    "insee_code",
    "name",
    "postal_codes",
    "population",
    "epci_code",
    "epci_name",
    "department_code",
    "department_name",
    "region_code",
    "region_name",
    "latitude",
    "longitude",
]
FORMER_COLUMNS = ["code", "name", "kind", "commune"]
KINDS = {
    "commune-deleguee": "delegated",
    "commune-associee": "associated",
    "arrondissement-municipal": "arrondissement",
}


def _write_gzip_csv(path: Path, header: list[str], rows: list[list]) -> None:
    text = io.StringIO()
    writer = csv.writer(text, lineterminator="\n")
    writer.writerow(header)
    writer.writerows(rows)
    # mtime=0: the same input gives the same bytes (no spurious diffs in git)
    with open(path, "wb") as raw, gzip.GzipFile(fileobj=raw, mode="wb", mtime=0, compresslevel=9) as fh:
        fh.write(text.getvalue().encode("utf-8"))


def encode_ring(ring) -> list[int]:
    """A ring as flat integers in 1e-4 degrees: first point absolute, then differences (x, y, dx, dy, …)."""
    scale = 10**DECIMALS
    flat, last_x, last_y = [], 0, 0
    for lon, lat in ring:
        x, y = round(lon * scale), round(lat * scale)
        if flat and x == last_x and y == last_y:
            continue
        flat += [x - last_x, y - last_y]
        last_x, last_y = x, y
    return flat


def load_geometries(geojson_dir: Path) -> tuple[dict, dict]:
    """(2018 code -> shapely geometry, 2018 code -> name)."""
    shapes, names = {}, {}
    for path in sorted(geojson_dir.glob("*/communes-*.geojson")):
        for feature in json.loads(path.read_text(encoding="utf-8"))["features"]:
            code = feature["properties"]["code"]
            shapes[code] = shape(feature["geometry"]).buffer(0)
            names[code] = feature["properties"]["nom"]
    return shapes, names


def build(package_dir: Path, geojson_dir: Path) -> None:
    data = package_dir / "data"
    communes = json.loads((data / "communes.json").read_text(encoding="utf-8"))
    epcis = json.loads((data / "epci.json").read_text(encoding="utf-8"))
    departments = {d["code"]: d["nom"] for d in json.loads((data / "departements.json").read_text(encoding="utf-8"))}
    regions = {r["code"]: r["nom"] for r in json.loads((data / "regions.json").read_text(encoding="utf-8"))}
    epci_of = {member["code"]: (e["code"], e["nom"]) for e in epcis for member in e["membres"]}
    shapes, old_names = load_geometries(geojson_dir)

    current = [c for c in communes if c["type"] == "commune-actuelle"]
    current_codes = {c["code"] for c in current}
    rows, former, boundaries = [], {}, {}
    missing_points = []
    for commune in current:
        code = commune["code"]
        parts = [shapes[c] for c in [code, *commune.get("anciensCodes", [])] if c in shapes]
        latitude = longitude = ""
        if parts:
            geometry = unary_union(parts) if len(parts) > 1 else parts[0]
            centre = geometry.centroid
            latitude, longitude = round(centre.y, 5), round(centre.x, 5)
            simple = geometry.simplify(SIMPLIFY_DEGREES, preserve_topology=True)
            if simple.is_empty:
                simple = geometry
            polygons = mapping(simple)
            coordinates = polygons["coordinates"] if polygons["type"] == "MultiPolygon" else [polygons["coordinates"]]
            boundaries.setdefault(commune["departement"], {})[code] = [
                [encode_ring(ring) for ring in polygon] for polygon in coordinates
            ]
        else:
            missing_points.append(code)
        epci_code, epci_name = epci_of.get(code, ("", ""))
        rows.append(
            [
                code,
                commune["nom"],
                "|".join(commune.get("codesPostaux", [])),
                commune.get("population", ""),
                epci_code,
                epci_name,
                commune["departement"],
                departments.get(commune["departement"], ""),
                commune["region"],
                regions.get(commune["region"], ""),
                latitude,
                longitude,
            ]
        )
        for old in commune.get("anciensCodes", []):
            if old not in current_codes:
                former[(old, old_names.get(old, ""))] = ("former", code)
    for commune in communes:
        kind = KINDS.get(commune["type"])
        if kind:
            target = commune.get("commune") or commune.get("chefLieu")
            former[(commune["code"], commune["nom"])] = (kind, target)
    former_rows = sorted([code, name, kind, target] for (code, name), (kind, target) in former.items())

    _write_gzip_csv(HERE / "communes.csv.gz", COMMUNE_COLUMNS, sorted(rows))
    _write_gzip_csv(HERE / "former-codes.csv.gz", FORMER_COLUMNS, former_rows)
    folder = HERE / "boundaries"
    folder.mkdir(exist_ok=True)
    for department, items in sorted(boundaries.items()):
        payload = json.dumps(dict(sorted(items.items())), separators=(",", ":")).encode("utf-8")
        with (
            open(folder / f"{department}.json.gz", "wb") as raw,
            gzip.GzipFile(fileobj=raw, mode="wb", mtime=0, compresslevel=9) as fh,
        ):
            fh.write(payload)
    print(
        f"{len(rows)} communes ({len(missing_points)} without boundary: {', '.join(missing_points[:20])}"
        f"{'…' if len(missing_points) > 20 else ''}), {len(former_rows)} former or delegated codes, "
        f"{len(boundaries)} boundary files."
    )


if __name__ == "__main__":
    if len(sys.argv) != 3:
        sys.exit(__doc__)
    build(Path(sys.argv[1]), Path(sys.argv[2]))
