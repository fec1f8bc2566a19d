"""Load the demo territory: every installed app's demo steps, in their declared order.

Idempotent: running it twice leaves the same data. An app contributes `DEMO_STEPS`, a
list of (order, step, what it loads, in French) in its `demo` module; the project names no
app here, so the ground floor does not import the floors above it. Demo modules are imported only by
this command, never by the running application.
"""

from __future__ import annotations

import time
from importlib import import_module

from django.apps import apps
from django.core.management.base import BaseCommand
from django.db import transaction
from django.utils.module_loading import module_has_submodule

from escorter.demo import DEMO_PASSWORD, DEMO_USERS


def demo_steps() -> list:
    steps = []
    for config in apps.get_app_configs():
        if module_has_submodule(config.module, "demo"):
            steps.extend(import_module(f"{config.name}.demo").DEMO_STEPS)
    return [(step, label) for _order, step, label in sorted(steps, key=lambda entry: entry[0])]


class Command(BaseCommand):
    help = "Charge le territoire de démonstration (idempotent)."

    def handle(self, *args, **options):
        steps = demo_steps()
        started = time.monotonic()
        self.stdout.write(f"Chargement du territoire de démonstration ({len(steps)} étapes, quelques minutes)…")
        for number, (step, label) in enumerate(steps, start=1):
            # printed before each step, so that a long step does not look like a hang
            elapsed = time.monotonic() - started
            self.stdout.write(f"[{number}/{len(steps)}] {label[0].upper()}{label[1:]}… ({elapsed:.0f} s écoulées)")
            self.stdout.flush()
            with transaction.atomic():
                step(stdout=self.stdout)
        self.stdout.write(self.style.SUCCESS("Territoire de démonstration prêt."))
        self.stdout.write(f"Comptes de démonstration (mot de passe : {DEMO_PASSWORD}) :")
        for username, first, last, role, funder in DEMO_USERS:
            extra = f" – {funder}" if funder else ""
            self.stdout.write(f"  {role.label:<14} {username:<14} {first} {last}{extra}")
