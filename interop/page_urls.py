"""/sas/: the coordinator's page about the SAS connector (session login, coordinator role)."""

from django.urls import path

from interop import pages

app_name = "interop"

urlpatterns = [
    path("publication/", pages.publication, name="publication"),
    path("publication/permanences/<int:pk>/", pages.permanence_share, name="permanence_share"),
]
