"""The communes of France as reference data: loaded by `migrate` and refreshed by
`refresh_communes` when INSEE publishes a new Code officiel géographique.

Files: sites/data/communes.csv.gz and former-codes.csv.gz, built by sites/data/build_reference.py.
The CSV goes to PostgreSQL as it is (COPY into a temporary table) and SQL does the rest, so
loading France's 35,000 communes costs a fraction of a second of Python.
"""

from __future__ import annotations

import gzip
import shutil
from dataclasses import dataclass
from pathlib import Path

from django.db import connection as default_connection
from django.db import transaction

DATA = Path(__file__).resolve().parent / "data"
COMMUNES_FILE = DATA / "communes.csv.gz"
FORMER_CODES_FILE = DATA / "former-codes.csv.gz"

_STAGE = """
DROP TABLE IF EXISTS ref_commune, ref_former;
CREATE TEMPORARY TABLE ref_commune (
    insee_code text, name text, postal_codes text, population text, epci_code text, epci_name text,
    department_code text, department_name text, region_code text, region_name text,
    latitude text, longitude text
) ON COMMIT DROP;
CREATE TEMPORARY TABLE ref_former (code text, name text, kind text, commune text) ON COMMIT DROP;
"""
_VALUES = """
    r.insee_code, r.name, coalesce(string_to_array(NULLIF(r.postal_codes, ''), '|'), '{}')::varchar(5)[],
    NULLIF(r.population, '')::integer, r.epci_code, r.epci_name, r.department_code, r.region_code,
    NULLIF(r.latitude, '')::double precision, NULLIF(r.longitude, '')::double precision
"""
_COLUMNS = (
    "insee_code, name, postal_codes, population, epci_code, epci_name, department_code, region_code, "
    "latitude, longitude"
)
_DEPARTMENTS = """
DELETE FROM sites_department;
INSERT INTO sites_department (code, name, region_code, region_name)
SELECT DISTINCT department_code, department_name, region_code, region_name FROM ref_commune;
"""
_FORMER_CODES = """
DELETE FROM sites_formercommunecode;
INSERT INTO sites_formercommunecode (code, name, kind, commune_id)
SELECT f.code, left(f.name, 100), f.kind, c.id
FROM ref_former f JOIN sites_commune c ON c.insee_code = f.commune AND c.current
ON CONFLICT DO NOTHING;
"""


def _stage(cursor, communes_file: Path, former_file: Path) -> None:
    """Create the temporary tables and COPY both files into them (decompressed on the fly)."""
    cursor.execute(_STAGE)
    raw = cursor.cursor  # psycopg's own cursor: Django's wrapper has no copy()
    # in CSV an empty field is NULL: FORCE_NOT_NULL keeps text columns as '' (NULLIF below for numbers)
    for table, path, texts in (
        (
            "ref_commune",
            communes_file,
            "insee_code, name, postal_codes, epci_code, epci_name, department_code, "
            "department_name, region_code, region_name",
        ),
        ("ref_former", former_file, "code, name, kind, commune"),
    ):
        sql = f"COPY {table} FROM STDIN WITH (FORMAT csv, HEADER, FORCE_NOT_NULL ({texts}))"
        with gzip.open(path, "rb") as source, raw.copy(sql) as copy:
            shutil.copyfileobj(source, copy, 1 << 16)


def load_if_empty(
    connection=None, *, communes_file: Path = COMMUNES_FILE, former_file: Path = FORMER_CODES_FILE
) -> int:
    """Fill an empty commune table (the data migration); returns how many communes were loaded.

    A database that already has communes (an older install, a demo) is left to `refresh_communes`.
    """
    connection = connection or default_connection
    with transaction.atomic(using=connection.alias), connection.cursor() as cursor:
        cursor.execute("SELECT EXISTS (SELECT 1 FROM sites_commune)")
        if cursor.fetchone()[0]:
            return 0
        _stage(cursor, communes_file, former_file)
        # building an index once is ~10x cheaper than 35,000 insertions into it: drop the plain
        # indexes (not the keys) for the load and build them again from their own definitions
        cursor.execute(
            "SELECT i.indexname, i.indexdef FROM pg_indexes i WHERE i.tablename = 'sites_commune' "
            "AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conname = i.indexname)"
        )
        indexes = cursor.fetchall()
        for name, _ in indexes:
            cursor.execute(f'DROP INDEX "{name}"')
        cursor.execute(
            f"INSERT INTO sites_commune ({_COLUMNS}, current, in_territory) "  # noqa: S608
            f"SELECT {_VALUES}, true, false FROM ref_commune r ORDER BY r.insee_code"
        )
        loaded = cursor.rowcount
        for _, definition in indexes:
            cursor.execute(definition)
        cursor.execute(_DEPARTMENTS)
        cursor.execute(_FORMER_CODES)
    return loaded


@dataclass
class RefreshReport:
    created: int = 0
    updated: int = 0
    retired: int = 0
    former_codes: int = 0
    territory_added: int = 0

    def summary(self) -> str:
        return (
            f"Communes : {self.created} créée(s), {self.updated} mise(s) à jour, {self.retired} retirée(s) "
            f"(fusionnées, conservées pour l'historique), {self.former_codes} ancien(s) code(s) ; "
            f"{self.territory_added} commune(s) ajoutée(s) au territoire (successeurs de communes du territoire)."
        )


def refresh(*, communes_file: Path = COMMUNES_FILE, former_file: Path = FORMER_CODES_FILE) -> RefreshReport:
    """Bring the table up to a newer COG: update, create, retire (never delete) communes.

    A retired commune keeps its row (patients and premises point to it) and its code maps to
    its successor through the former codes; if it was in the CPTS territory, its successor
    joins the territory. The territory choice and ids of existing communes are kept.
    """
    report = RefreshReport()
    changed_columns = [c.strip() for c in _COLUMNS.split(",") if c.strip() != "insee_code"]
    assignments = ", ".join(f"{c} = EXCLUDED.{c}" for c in changed_columns)
    differs = " OR ".join(f"sites_commune.{c} IS DISTINCT FROM EXCLUDED.{c}" for c in changed_columns)
    with transaction.atomic(), default_connection.cursor() as cursor:
        _stage(cursor, communes_file, former_file)
        cursor.execute(
            "SELECT count(*) FROM ref_commune r LEFT JOIN sites_commune c USING (insee_code) WHERE c.id IS NULL"
        )
        report.created = cursor.fetchone()[0]
        cursor.execute(
            f"INSERT INTO sites_commune ({_COLUMNS}, current, in_territory) "  # noqa: S608
            f"SELECT {_VALUES}, true, false FROM ref_commune r "
            f"ON CONFLICT (insee_code) DO UPDATE SET {assignments}, current = true "
            f"WHERE NOT sites_commune.current OR {differs}"
        )
        report.updated = cursor.rowcount - report.created
        cursor.execute(
            "UPDATE sites_commune SET current = false WHERE current "
            "AND NOT EXISTS (SELECT 1 FROM ref_commune r WHERE r.insee_code = sites_commune.insee_code) "
            "RETURNING insee_code, in_territory"
        )
        retired = cursor.fetchall()
        report.retired = len(retired)
        cursor.execute(_DEPARTMENTS)
        cursor.execute(_FORMER_CODES)
        cursor.execute("SELECT count(*) FROM sites_formercommunecode")
        report.former_codes = cursor.fetchone()[0]
        lost = [code for code, in_territory in retired if in_territory]
        if lost:
            cursor.execute(
                "UPDATE sites_commune SET in_territory = true WHERE NOT in_territory AND id IN "
                "(SELECT commune_id FROM sites_formercommunecode WHERE code = ANY(%s))",
                [lost],
            )
            report.territory_added = cursor.rowcount
    return report
