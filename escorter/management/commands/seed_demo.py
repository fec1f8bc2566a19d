"""Load the demo territory: communes, roles' demo users, funders, then each app's demo data.

Idempotent: running it twice leaves the same data. Each app contributes a `demo.seed()`
function, called in dependency order (sites, patients, staffing, reporting).
"""

from __future__ import annotations

from importlib import import_module

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.management.base import BaseCommand
from django.db import transaction

from escorter.roles import Role

DEMO_PASSWORD = "Escorter-2026"

# username, first name, last name, role, funder name (funders only)
DEMO_USERS = [
    ("coordination", "Claire", "Morand", Role.COORDINATOR, None),
    ("secretariat", "Sophie", "Guérin", Role.SECRETARY, None),
    ("dr.martin", "Paul", "Martin", Role.PRACTITIONER, None),
    ("ars", "Hélène", "Baudry", Role.FUNDER, "ARS Pays de la Loire"),
    ("cpam", "Marc", "Chauvet", Role.FUNDER, "CPAM de la Vendée"),
]

DEMO_MODULES = (
    "sites.demo",  # communes, territory, premises
    "reporting.demo",  # funders (demo users are created right after)
    "patients.demo",  # the registry
    "staffing.demo",  # professionals, rota, permanences
    "staffing.demo_bookings",  # consultation history and upcoming bookings
    "staffing.demo_calls",  # unscheduled-care line calls
    "reporting.demo_data",  # funding lines, expenses, reports
)


class Command(BaseCommand):
    help = "Charge le territoire de démonstration (idempotent)."

    def handle(self, *args, **options):
        for module_name in DEMO_MODULES:
            try:
                module = import_module(module_name)
            except ModuleNotFoundError as exc:
                if exc.name != module_name:
                    raise
                continue
            with transaction.atomic():
                module.seed(stdout=self.stdout)
            if module_name == "reporting.demo":
                with transaction.atomic():
                    self._users()
        self.stdout.write(self.style.SUCCESS("Territoire de démonstration prêt."))
        self.stdout.write(f"Comptes de démonstration (mot de passe : {DEMO_PASSWORD}) :")
        for username, first, last, role, funder in DEMO_USERS:
            extra = f" – {funder}" if funder else ""
            self.stdout.write(f"  {role.label:<14} {username:<14} {first} {last}{extra}")

    def _users(self) -> None:
        from reporting.models import Funder, FunderMembership

        User = get_user_model()
        for username, first, last, role, funder_name in DEMO_USERS:
            user, created = User.objects.get_or_create(
                username=username,
                defaults={"first_name": first, "last_name": last, "email": f"{username}@demo.escorter.fr"},
            )
            if created:
                user.set_password(DEMO_PASSWORD)
                # the demo coordinator also administers the app (Django admin)
                user.is_staff = user.is_superuser = role == Role.COORDINATOR
                user.save()
            group, _ = Group.objects.get_or_create(name=role.value)
            user.groups.set([group])
            if funder_name:
                FunderMembership.objects.update_or_create(
                    user=user, defaults={"funder": Funder.objects.get(name=funder_name)}
                )
