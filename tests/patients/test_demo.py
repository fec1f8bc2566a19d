"""The demo registry: 2,000 deterministic patients of the territory, 260 with an ALD."""

import pytest
from django.db.models import Count

from patients import demo
from patients.models import Patient
from sites import demo as sites_demo

pytestmark = pytest.mark.django_db


def test_demo_registry_has_the_figures_of_the_mission_and_is_deterministic():
    sites_demo.seed()
    demo.seed()
    assert Patient.objects.count() == 2000
    assert Patient.objects.filter(ald=True).count() == 260
    names = list(Patient.objects.order_by("pk").values_list("last_name", "first_names", "birth_date")[:20])
    main = set(
        Patient.objects.values("commune__name")
        .annotate(n=Count("pk"))
        .order_by("-n")
        .values_list("commune__name", flat=True)[:5]
    )
    assert main == {"Beauvoir-sur-Mer", "Bouin", "Saint-Gervais", "Froidfond", "La Barre-de-Monts"}
    assert Patient.objects.filter(status="gp_found").exclude(new_gp_name="").count() > 100
    assert Patient.objects.filter(pregnancy=True).exists()
    assert all(p.status_changes.exists() for p in Patient.objects.all()[:50])
    Patient.objects.all().delete()
    demo.seed()
    assert list(Patient.objects.order_by("pk").values_list("last_name", "first_names", "birth_date")[:20]) == names


def test_seeding_twice_adds_nothing():
    sites_demo.seed()
    demo.seed()
    demo.seed()
    assert Patient.objects.count() == 2000
