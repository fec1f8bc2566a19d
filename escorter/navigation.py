"""Navigation per role: each app lists its entries in `<app>/navigation.py` as NAVIGATION.

An entry is (label, url name, roles, bootstrap icon). Entries whose URL does not
exist yet are skipped, so an app can declare its menu before its pages land.
The navbar groups entries into a few menus (a coordinator has a dozen pages): by the
URL namespace, with the exceptions listed in GROUP_OF.
"""

from __future__ import annotations

from importlib import import_module

from django.urls import NoReverseMatch, reverse

from escorter.roles import STAFF, user_role

NAV_MODULES = (
    "sites.navigation",
    "patients.navigation",
    "staffing.navigation",
    "reporting.navigation",
    "interop.navigation",
)

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
GROUP_OF = {"staffing:rota": "organisation"}


def _entries():
    for module_name in NAV_MODULES:
        try:
            module = import_module(module_name)
        except ModuleNotFoundError:
            continue
        yield from getattr(module, "NAVIGATION", ())


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
        try:
            url = reverse(url_name)
        except NoReverseMatch:
            continue
        active = request.path.startswith(url) if url != "/" else request.path == "/"
        items.append({"label": label, "url": url, "icon": icon, "active": active, "group": _group_of(url_name)})
    groups = []
    for key, (label, icon) in GROUPS.items():
        members = [item for item in items if item["group"] == key]
        if members:
            active = any(item["active"] for item in members)
            groups.append({"key": key, "label": label, "icon": icon, "items": members, "active": active})
    return {"nav_items": items, "nav_groups": groups, "user_role": role, "user_is_staff": role in STAFF}
