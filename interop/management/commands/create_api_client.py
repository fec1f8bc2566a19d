"""manage.py create_api_client NAME [--scope S ...] [--rate N]: a token for an external system, shown once."""

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from interop.models import Scope
from interop.services import create_api_client


class Command(BaseCommand):
    help = "Crée un client de l'API FHIR (p. ex. le SAS) et affiche son jeton, une seule fois, en dernière ligne."

    def add_arguments(self, parser):
        parser.add_argument("name", help="nom du client, p. ex. SAS")
        parser.add_argument(
            "--scope",
            action="append",
            choices=Scope.values,
            help="droit accordé (répétable) ; par défaut tous : " + ", ".join(Scope.values),
        )
        parser.add_argument("--rate", type=int, default=120, help="appels par minute au plus (défaut 120)")

    def handle(self, *args, name, scope, rate, **options):
        try:
            client, token = create_api_client(name=name, scopes=scope, rate_per_minute=rate)
        except ValidationError as exc:
            raise CommandError(" ".join(exc.messages))
        self.stdout.write(
            f"Client « {client.name} » créé (droits : {', '.join(client.scopes) or 'aucun'} ; "
            f"{client.rate_per_minute} appels/min). Conservez le jeton ci-dessous : il ne sera plus affiché."
        )
        self.stdout.write(token)
