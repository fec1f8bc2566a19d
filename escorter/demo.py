"""The demo accounts, one per role; a seed_demo step like each app's (`<app>/demo.py`, DEMO_STEPS)."""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group

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


def seed_users(stdout=None) -> None:
    User = get_user_model()
    for username, first, last, role, _funder in DEMO_USERS:
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


# (order, step, what it loads): seed_demo runs every installed app's steps sorted by order.
DEMO_STEPS = [(20, seed_users, "comptes de démonstration")]
