"""Root URL configuration: one prefix per app, French paths."""

from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_not_required
from django.urls import include, path

from escorter import accounts, views

admin.site.site_header = "Administration d'Escorter"
admin.site.site_title = "Escorter"
admin.site.index_title = "Administration"

urlpatterns = [
    path("", views.home, name="home"),
    path(
        "connexion/", login_not_required(auth_views.LoginView.as_view(redirect_authenticated_user=True)), name="login"
    ),
    path("deconnexion/", auth_views.LogoutView.as_view(), name="logout"),
    path("connexion/verification/", accounts.otp_verify, name="otp_verify"),
    path("compte/double-authentification/", accounts.otp_enrol, name="otp_enrol"),
    path("compte/securite/", accounts.account_security, name="account_security"),
    path("compte/codes-de-secours/", accounts.regenerate_recovery_codes, name="regenerate_recovery_codes"),
    path("compte/mot-de-passe/", accounts.PasswordChangeView.as_view(), name="password_change"),
    path("mot-de-passe-oublie/", accounts.password_reset, name="password_reset"),
    path("mot-de-passe-oublie/envoye/", accounts.password_reset_done, name="password_reset_done"),
    path("mot-de-passe-oublie/<uidb64>/<token>/", accounts.password_reset_confirm, name="password_reset_confirm"),
    path("mot-de-passe-oublie/termine/", accounts.password_reset_complete, name="password_reset_complete"),
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
