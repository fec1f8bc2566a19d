"""Root URL configuration: one prefix per app, French paths."""

from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_not_required
from django.urls import include, path

from escorter import views

admin.site.site_header = "Administration d'Escorter"
admin.site.site_title = "Escorter"
admin.site.index_title = "Administration"

urlpatterns = [
    path("", views.home, name="home"),
    path(
        "connexion/", login_not_required(auth_views.LoginView.as_view(redirect_authenticated_user=True)), name="login"
    ),
    path("deconnexion/", auth_views.LogoutView.as_view(), name="logout"),
    path("healthz", views.healthz, name="healthz"),
    path("taches/<int:pk>/", views.task_run_status, name="task_run_status"),
    path("territoire/", include("sites.urls")),
    path("patients/", include("patients.urls")),
    path("equipe/", include("staffing.urls")),
    path("rapports/", include("reporting.urls")),
    path("fhir/", include("interop.urls")),
    path("sas/", include("interop.page_urls")),
    path("admin/", admin.site.urls),
]

handler403 = "escorter.errors.permission_denied"
handler404 = "escorter.errors.page_not_found"
handler400 = "escorter.errors.bad_request"
handler500 = "escorter.errors.server_error"
