"""import_patients FILE: load a CPAM / partner list (CSV or XLSX) into the registry.

Exit status: 0 every row imported, 1 some rows rejected (or nothing imported with
--all-or-nothing), 2 the file could not be used at all (nothing written).
"""

from __future__ import annotations

import sys
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from escorter.audit import record_system
from patients.models import IssueKind, Patient, PatientImport
from patients.services import import_patients


class Command(BaseCommand):
    help = "Importe une liste de patients sans médecin traitant (CSV ou XLSX)."

    def add_arguments(self, parser):
        parser.add_argument("file", help="fichier CSV (; ou ,) ou XLSX")
        parser.add_argument("--dry-run", action="store_true", help="vérifier sans rien enregistrer")
        parser.add_argument(
            "--all-or-nothing", action="store_true", help="n'importer aucune ligne si une seule est rejetée"
        )
        parser.add_argument("--errors-out", metavar="ERRORS.csv", help="écrire le rapport d'erreurs dans ce fichier")
        parser.add_argument(
            "--source",
            default=Patient.ReferralSource.CPAM,
            choices=[c for c in Patient.ReferralSource.values if c != "self"],
            help="origine de la liste (défaut : cpam)",
        )

    def handle(self, *args, **options):
        path = Path(options["file"])
        if not path.is_file():
            self.stderr.write(f"Fichier introuvable : {path}")
            sys.exit(2)
        errors_file = None
        # the import page's history lists command-line imports too (no file is kept)
        batch = None
        if not options["dry_run"]:
            batch = PatientImport.objects.create(
                original_name=path.name[:255], source=options["source"], state=PatientImport.State.FAILED
            )
        try:
            if options["errors_out"]:
                errors_file = open(options["errors_out"], "w", encoding="utf-8-sig", newline="")  # noqa: SIM115
            with path.open("rb") as binary:
                report = import_patients(
                    binary,
                    source=options["source"],
                    dry_run=options["dry_run"],
                    all_or_nothing=options["all_or_nothing"],
                    errors_stream=errors_file,
                    file_name=path.name,
                    patient_import=batch,
                )
        except OSError as exc:
            raise CommandError(f"Lecture impossible : {exc}")
        finally:
            if errors_file is not None:
                errors_file.close()
        if batch is not None:
            PatientImport.objects.filter(pk=batch.pk).update(
                state=PatientImport.State.FAILED if report.fatal else PatientImport.State.DONE,
                summary={"final": report.as_dict(), "final_lines": report.summary_lines(), "command": True},
                imported_at=timezone.now(),
            )
        for line in report.summary_lines():
            self.stdout.write(line)
        if report.issues and options["verbosity"] >= 1:
            shown = [i for i in report.issues if i.kind == IssueKind.ERROR][:20]
            for issue in shown:
                who = f" ({issue.person})" if issue.person else ""
                self.stdout.write(f"  ligne {issue.line}{who} – {issue.column or '—'} : {issue.message}")
            if report.rejected and not options["errors_out"]:
                self.stdout.write("(rapport complet : --errors-out ERREURS.csv)")
        self.stdout.write(f"{report.rows_per_second:.0f} lignes/s.")
        if report.written:
            record_system("import", object_type="patients.Patient", detail=" ".join(report.summary_lines())[:2000])
        code = report.exit_code
        if code:
            sys.exit(code)
