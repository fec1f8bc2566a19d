"""seed_demo picks the Vendée territory among the communes migrate loaded, the demo accounts and every app's demo data,
idempotently. One test on purpose: the demo territory takes a while to build."""

import pytest
from django.apps import apps
from django.contrib.auth import get_user_model
from django.core.management import call_command

from escorter.roles import Role, user_role
from sites.models import Commune

pytestmark = pytest.mark.django_db

DEMO_APPS = {"sites", "patients", "staffing", "reporting", "auth"}


def _counts():
    return {m._meta.label: m.objects.count() for m in apps.get_models() if m._meta.app_label in DEMO_APPS}


def test_seed_demo_builds_the_territory_serves_the_most_fragile_first_and_a_second_run_changes_nothing():
    call_command("seed_demo", verbosity=0)
    first = _counts()

    # issue 11: fewer than a third of the patients to call are P1, and the last monthly
    # report (the demo history follows the same policy) shows P1 seen sooner than P3
    from patients.selectors import waiting_list_figures
    from reporting.periods import Month
    from reporting.secrecy import protect_section
    from reporting.selectors.activity import delays_section
    from reporting.selectors.base import Scope

    figures = waiting_list_figures()
    assert figures["total"] > 1000 and figures["p1"] < figures["total"] / 3
    delays = protect_section(delays_section(Month.current().previous(), Scope())).tables[0]
    p1, p3 = delays.value("P1", "Médiane"), delays.value("P3", "Médiane")
    assert not p1.masked and not p3.masked and p1.value < p3.value

    vendee = Commune.objects.filter(department_code="85")
    assert vendee.count() == 253
    without_point = set(vendee.filter(latitude__isnull=True).values_list("insee_code", flat=True))
    assert without_point == {"85165", "85212"}
    assert Commune.objects.filter(in_territory=True).values("epci_code").distinct().count() == 3
    assert Commune.objects.filter(in_territory=True).count() == 20
    assert Commune.objects.get(insee_code="85018").name == "Beauvoir-sur-Mer"

    # disruptions handled the one way: nothing left on cancelled time, a past one's patients moved on
    from staffing.models import Consultation

    assert not Consultation.objects.filter(permanence__status="cancelled", status__in=["proposed", "booked"]).exists()
    assert Consultation.objects.filter(cancel_reason="Médecin malade", rescheduled_to__status="done").exists()

    # the dashboard's closed months are read from their snapshots from its first view
    from reporting.selectors.month_ends import month_end_counts
    from reporting.services.month_ends import dashboard_months

    assert not month_end_counts(dashboard_months()).pending

    users = get_user_model().objects.all()
    assert set(Role) <= {user_role(u) for u in users}
    assert users.get(username="ars").funder_membership.funder.name == "ARS Pays de la Loire"

    call_command("seed_demo", verbosity=0)
    assert _counts() == first
