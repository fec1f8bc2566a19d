"""Navigation per role: each app lists its entries in `<app>/navigation.py` as NAVIGATION.

An entry is (label, url name, roles, bootstrap icon). Entries whose URL does not
exist yet are skipped, so an app can declare its menu before its pages land.
"""

from __future__ import annotations

from importlib import import_module

from django.urls import NoReverseMatch, reverse

from escorter.roles import user_role

NAV_MODULES = ("sites.navigation", "patients.navigation", "staffing.navigation", "reporting.navigation")


def _entries():
    for module_name in NAV_MODULES:
        try:
            module = import_module(module_name)
        except ModuleNotFoundError:
            continue
        yield from getattr(module, "NAVIGATION", ())


def navigation(request):
    role = user_role(getattr(request, "user", None))
    if role is None:
        return {"nav_items": [], "user_role": None}
    items = []
    for label, url_name, roles, icon in _entries():
        if role not in roles:
            continue
        try:
            url = reverse(url_name)
        except NoReverseMatch:
            continue
        items.append({"label": label, "url": url, "icon": icon, "active": request.path.startswith(url)})
    return {"nav_items": items, "user_role": role}
