"""anonymise_patients: GDPR retention, for patients who left the registry long ago."""

from __future__ import annotations

from django.core.management.base import BaseCommand

from patients.services import anonymise_patients
from patients.services.gdpr import DEFAULT_RETENTION_MONTHS


class Command(BaseCommand):
    help = "Anonymise les patients sortis du registre depuis plus de N mois (défaut : 24)."

    def add_arguments(self, parser):
        parser.add_argument("--months", type=int, default=DEFAULT_RETENTION_MONTHS)
        parser.add_argument("--dry-run", action="store_true", help="compter sans anonymiser")

    def handle(self, *args, **options):
        months = options["months"]
        if months < 1:
            self.stderr.write("--months doit être au moins 1.")
            raise SystemExit(2)
        count = anonymise_patients(months=months, dry_run=options["dry_run"])
        verb = "seraient anonymisé(s)" if options["dry_run"] else "anonymisé(s)"
        self.stdout.write(f"{count} patient(s) sorti(s) depuis plus de {months} mois {verb}.")
