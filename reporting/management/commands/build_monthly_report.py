"""Build the monthly report of one month for the funders of one kind (ARS, CPAM…)."""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError

from reporting.models import Funder
from reporting.periods import InvalidMonth, Month
from reporting.services import reports


class Command(BaseCommand):
    help = (
        "Construit le rapport mensuel d'un mois pour les financeurs d'un type (idempotent : sans --force, "
        "un rapport déjà publié est conservé tel quel ; --force crée une nouvelle version)."
    )

    def add_arguments(self, parser):
        parser.add_argument("--month", required=True, help="Mois couvert, au format AAAA-MM (ex. 2026-10).")
        parser.add_argument(
            "--audience",
            required=True,
            choices=[kind for kind, _ in Funder.Kind.choices],
            help="Type de financeur destinataire : ars, cpam, departement, prefecture, other.",
        )
        parser.add_argument("--force", action="store_true", help="Régénérer : publie une nouvelle version.")
        parser.add_argument("--notify", action="store_true", help="Prévenir par e-mail les utilisateurs du financeur.")

    def handle(self, *args, month, audience, force, notify, **options):
        try:
            period = Month.parse(month)
        except InvalidMonth as exc:
            raise CommandError(str(exc))
        if period >= Month.current():
            raise CommandError(f"Le mois {period.key} n'est pas terminé : un rapport porte sur un mois révolu.")
        funders = list(Funder.objects.filter(kind=audience).order_by("name"))
        if not funders:
            raise CommandError(f"Aucun financeur de type « {Funder.Kind(audience).label} » n'est enregistré.")
        for funder in funders:
            report = reports.request_monthly_report(audience=funder, month=period, force=force)
            try:
                outcome = reports.build_report(
                    report_id=report.pk,
                    progress=lambda pct, msg: (
                        self.stdout.write(f"  {pct:3d} % {msg}") if options["verbosity"] > 1 else None
                    ),
                )
            except reports.ReportBusy as exc:
                raise CommandError(f"{funder} : {exc}")
            report = outcome.report
            if outcome.built:
                self.stdout.write(
                    self.style.SUCCESS(
                        f"{funder} : rapport {period.key} version {report.version} publié "
                        f"(SHA-256 {report.checksum[:12]}…)."
                    )
                )
            else:
                self.stdout.write(
                    f"{funder} : rapport {period.key} version {report.version} déjà publié, rien à faire "
                    "(--force pour une nouvelle version)."
                )
            if notify:
                sent = reports.notify_audience(report=report)
                self.stdout.write(f"  {sent} e-mail(s) envoyé(s).")
