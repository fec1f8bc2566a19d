"""Navigation per role: each installed app lists its entries in `<app>/navigation.py` as NAVIGATION.

An entry is (label, url name, roles, bootstrap icon). The project names no app: it reads
the `navigation` module of every installed app, so the ground floor imports nothing above it.
The navbar groups entries into a few menus (a coordinator has a dozen pages): by the
URL namespace, with the exceptions listed in GROUP_OF.
"""

from __future__ import annotations

from functools import cache
from importlib import import_module

from django.apps import apps
from django.urls import reverse
from django.utils.module_loading import module_has_submodule

from escorter.roles import STAFF, user_role

# (label, icon) per menu, in navbar order
GROUPS = {
    "patients": ("Patients", "bi-people"),
    "agenda": ("Agenda", "bi-calendar3"),
    "organisation": ("Organisation", "bi-diagram-3"),
    "pilotage": ("Pilotage", "bi-graph-up"),
}
GROUP_OF_NAMESPACE = {
    "patients": "patients",
    "staffing": "agenda",
    "sites": "organisation",
    "reporting": "pilotage",
    "interop": "organisation",
}
GROUP_OF = {"staffing:rota": "organisation", "staffing:planner": "pilotage"}


@cache
def _entries() -> tuple:
    entries = []
    for config in apps.get_app_configs():
        if module_has_submodule(config.module, "navigation"):
            entries.extend(getattr(import_module(f"{config.name}.navigation"), "NAVIGATION", ()))
    return tuple(entries)


def _group_of(url_name: str) -> str:
    return GROUP_OF.get(url_name) or GROUP_OF_NAMESPACE.get(url_name.split(":")[0], "pilotage")


def navigation(request):
    """`nav_items` (flat, for the home page), `nav_groups` (the navbar's menus), the role.

    `user_is_staff`: coordinator or secretary, for buttons only they may use.
    """
    role = user_role(getattr(request, "user", None))
    if role is None:
        return {"nav_items": [], "nav_groups": [], "user_role": None, "user_is_staff": False}
    items = []
    for label, url_name, roles, icon in _entries():
        if role not in roles:
            continue
        url = reverse(url_name)
        active = request.path.startswith(url) if url != "/" else request.path == "/"
        items.append({"label": label, "url": url, "icon": icon, "active": active, "group": _group_of(url_name)})
    groups = []
    for key, (label, icon) in GROUPS.items():
        members = [item for item in items if item["group"] == key]
        if members:
            active = any(item["active"] for item in members)
            groups.append({"key": key, "label": label, "icon": icon, "items": members, "active": active})
    return {"nav_items": items, "nav_groups": groups, "user_role": role, "user_is_staff": role in STAFF}


def team_contact(request):
    """The team's phone number, for pages and printed confirmations."""
    from django.conf import settings

    from escorter.phones import format_phone

    return {"team_phone": format_phone(settings.ESCORTER_TEAM_PHONE)}
