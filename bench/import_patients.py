"""Import throughput and memory: generate a messy CPAM-like CSV and import it.

    DATABASE_URL=postgres://... python bench/import_patients.py [--rows 50000] [--commit] [--xlsx]

Prints rows/s (target >= 5,000 rows/s on PostgreSQL) and peak memory of the import; run it
with --rows 200000 to check that memory stays flat (it should not grow with the rows).
Without --commit the import runs in dry-run mode: every insert happens, then rolls back.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import random
import resource
import sys
import tempfile
import time
import tracemalloc
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "escorter.settings")


def write_csv(path: Path, rows: int, communes: list[tuple[str, str, str]]) -> None:
    rng = random.Random(7)
    last = [
        "Martin",
        "Bernard",
        "Hérault",
        "Lefèvre",
        "Gaborit",
        "Bénéteau",
        "Rousseau",
        "Guérin",
        "Chauvet",
        "Boisseau",
    ]
    first = ["Jean", "Marie", "Élodie", "François", "Anaïs", "Gérard", "Zoé", "Noël", "Hélène", "Loïc"]
    with path.open("w", encoding="utf-8-sig", newline="") as fh:
        fh.write("Nom;Prénoms;Date de naissance;Sexe;NIR;Adresse;Code INSEE;Téléphone;ALD;Code ALD\n")
        for i in range(rows):
            sex = rng.choice("MF")
            birth = dt.date(1930, 1, 1) + dt.timedelta(days=rng.randint(0, 33000))
            insee, name, _ = rng.choice(communes)
            nir = ""
            if rng.random() < 0.5:
                commune_code = f"85{rng.randint(1, 299):03d}"
                body = f"{1 if sex == 'M' else 2}{birth:%y%m}{commune_code}{i % 1000:03d}"
                key = 97 - int(body) % 97
                nir = body + f"{key if rng.random() > 0.02 else (key + 1) % 97:02d}"  # 2 % bad keys
            ald = rng.random() < 0.13
            fh.write(
                f"{rng.choice(last)}-{i};{rng.choice(first)};{birth:%d/%m/%Y};{sex};{nir};{i} rue des Marais;"
                f"{insee};06{rng.randint(0, 99_999_999):08d};{'oui' if ald else 'non'};"
                f"{rng.randint(1, 30) if ald else ''}\n"
            )


def _backend_cpu_seconds() -> float | None:
    """CPU time of our PostgreSQL backend process, when the server runs on this machine."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        pid = cursor.fetchone()[0]
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return None
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=50_000)
    parser.add_argument("--commit", action="store_true", help="keep the imported rows (default: dry run)")
    parser.add_argument("--trace", action="store_true", help="measure Python memory with tracemalloc (slower)")
    args = parser.parse_args()

    import django

    django.setup()
    from patients.services import import_patients
    from sites import demo
    from sites.models import Commune

    if not Commune.objects.filter(in_territory=True).exists():
        demo.seed()
    communes = list(Commune.objects.filter(in_territory=True).values_list("insee_code", "name", "epci_code"))
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "bench.csv"
        started = time.monotonic()
        write_csv(path, args.rows, communes)
        print(
            f"fichier : {args.rows} lignes, {path.stat().st_size / 1e6:.1f} Mo, "
            f"généré en {time.monotonic() - started:.1f} s"
        )
        errors = open(Path(tmp) / "errors.csv", "w", encoding="utf-8", newline="")  # noqa: SIM115
        if args.trace:
            tracemalloc.start()
        cpu = time.process_time()
        pg_cpu = _backend_cpu_seconds()
        with path.open("rb") as binary:
            report = import_patients(binary, dry_run=not args.commit, errors_stream=errors, file_name=path.name)
        cpu = time.process_time() - cpu
        pg_after = _backend_cpu_seconds()
        pg_cpu = pg_after - pg_cpu if pg_cpu is not None and pg_after is not None else None
        peak = tracemalloc.get_traced_memory()[1] if args.trace else 0
        tracemalloc.stop()
        errors.close()
    for line in report.summary_lines():
        print(line)
    print(f"durée : {report.seconds:.2f} s (dont {cpu:.2f} s de CPU Python ; le reste : PostgreSQL et la charge)")
    print(f"charge de la machine : {os.getloadavg()[0]:.1f} sur {os.cpu_count()} processeurs")
    if pg_cpu is not None:
        busy = cpu + pg_cpu
        per_core = f"{report.rows / busy:,.0f}".replace(",", " ")
        print(
            f"CPU consommé : Python {cpu:.1f} s + PostgreSQL {pg_cpu:.1f} s = {busy:.1f} s, soit {per_core} lignes/s "
            "par cœur occupé (les deux se recouvrent : une machine au repos à 2 cœurs fait mieux)"
        )
    print(f"débit : {report.rows_per_second:,.0f} lignes/s (objectif ≥ 5 000)".replace(",", " "))
    rss = f"RSS max du processus : {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} Mo"
    if args.trace:
        print(f"mémoire Python au pic (tracemalloc) : {peak / 1e6:.1f} Mo ; {rss}")
    else:
        print(f"{rss} (--trace pour la mémoire Python au pic)")


if __name__ == "__main__":
    main()
