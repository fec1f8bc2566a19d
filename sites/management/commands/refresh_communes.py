"""refresh_communes: bring the communes up to the reference files of sites/data/ (a newer COG).

Merged communes are kept (retired) and their codes resolve to their successor; the
territory choice is kept. Run after replacing the files with build_reference.py's output.
"""

from __future__ import annotations

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from sites import reference


class Command(BaseCommand):
    help = "Met à jour les communes de référence (COG de l'INSEE) depuis sites/data/."

    def add_arguments(self, parser):
        parser.add_argument("--communes", type=Path, default=reference.COMMUNES_FILE, help="communes.csv.gz")
        parser.add_argument(
            "--former-codes", type=Path, default=reference.FORMER_CODES_FILE, help="former-codes.csv.gz"
        )

    def handle(self, *args, **options):
        for path in (options["communes"], options["former_codes"]):
            if not path.is_file():
                raise CommandError(f"Fichier introuvable : {path}")
        report = reference.refresh(communes_file=options["communes"], former_file=options["former_codes"])
        self.stdout.write(report.summary())
