"""Hostile lists: peak memory and time of refusing them, beside a valid list of the same size class.

    DATABASE_URL=postgres://... python bench/import_safety.py

Each file is imported (dry run) in a fresh Python process, which prints its own peak resident
memory (ru_maxrss) and wall time; the first line is the baseline, a valid 20,000-row list. The
hostile files are those of tests/data/ (the 300 KB XLSX that inflates to 300 MB, a sheet claiming
A1:XFD1048576, NUL bytes, a PDF) plus a 1 MB cell and a 50 MB line without an end, made here.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT / "tests" / "data"

CHILD = """
import json, os, resource, sys, time
sys.path.insert(0, sys.argv[2])
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "escorter.settings")
import django
django.setup()
from patients.services import import_patients
before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
started = time.monotonic()
with open(sys.argv[1], "rb") as fh:
    report = import_patients(fh, file_name=os.path.basename(sys.argv[1]), dry_run=True)
print(json.dumps({
    "seconds": time.monotonic() - started,
    "peak_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
    "startup_mb": before / 1024,
    "rows": report.rows,
    "fatal": report.fatal,
}))
"""


def _valid_list(path: Path, rows: int) -> None:
    with path.open("w", encoding="utf-8") as fh:
        fh.write("Nom;Prénom;Date de naissance;Commune\n")
        for i in range(rows):
            fh.write(f"Patient{i};Jean;{1 + i % 28:02d}/{1 + i % 12:02d}/19{40 + i % 50};Challans\n")


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        valid = tmp / "liste-valide-20000.csv"
        _valid_list(valid, 20_000)
        cell = tmp / "cellule-1Mo.csv"
        cell.write_text("Nom;Prénom;Date de naissance\nDupont;" + "J" * 1_000_000 + ";01/01/1950\n", encoding="utf-8")
        endless = tmp / "ligne-sans-fin-50Mo.csv"
        with endless.open("wb") as fh:
            fh.write(b"Nom;Prenom;Date de naissance\n")
            for _ in range(50):
                fh.write(b"x" * (1024 * 1024))
        files = [
            valid,
            DATA / "bombe-decompression.xlsx",
            DATA / "dimensions-absurdes.xlsx",
            DATA / "octets-nuls.csv",
            DATA / "binaire-pdf-renomme.csv",
            cell,
            endless,
        ]
        print(f"{'file':40} {'size':>9} {'peak RSS':>9} {'Django alone':>12} {'time':>7}  outcome")
        for path in files:
            out = (
                subprocess.run(
                    [sys.executable, "-c", CHILD, str(path), str(ROOT)],
                    capture_output=True,
                    text=True,
                    env=os.environ,
                    timeout=600,
                    check=True,
                )
                .stdout.strip()
                .splitlines()[-1]
            )
            result = json.loads(out)
            outcome = f"refused: {result['fatal'][:70]}" if result["fatal"] else f"{result['rows']} rows read"
            print(
                f"{path.name:40} {path.stat().st_size / 1024:>7.0f} kB {result['peak_mb']:>6.0f} MB "
                f"{result['startup_mb']:>9.0f} MB {result['seconds']:>6.2f}s  {outcome}"
            )


if __name__ == "__main__":
    main()
