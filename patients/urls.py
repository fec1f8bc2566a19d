"""URLs of the patients app (French paths)."""

from django.urls import path

from patients.views import admin_tools, imports, patient, waiting
from patients.views import calls as call_views

app_name = "patients"

urlpatterns = [
    path("", waiting.waiting_list_view, name="waiting_list"),
    path("export.xlsx", waiting.waiting_list_export, name="waiting_list_export"),
    path("nouveau/", patient.patient_create, name="patient_create"),
    path("<int:pk>/", patient.patient_detail, name="patient_detail"),
    path("<int:pk>/modifier/", patient.patient_edit, name="patient_edit"),
    path("<int:pk>/statut/", patient.patient_status, name="patient_status"),
    path("<int:pk>/effacer/", patient.patient_erase, name="patient_erase"),
    path("<int:pk>/donnees.<str:fmt>", patient.patient_data_export, name="patient_data_export"),
    path("import/", imports.import_upload, name="import_upload"),
    path("import/historique/", imports.import_history, name="import_history"),
    path("import/<int:pk>/", imports.import_detail, name="import_detail"),
    path("import/<int:pk>/etat/", imports.import_status, name="import_status"),
    path("import/<int:pk>/confirmer/", imports.import_confirm, name="import_confirm"),
    path("import/<int:pk>/erreurs.csv", imports.import_errors, name="import_errors"),
    path("priorite/", admin_tools.priority_rule, name="priority_rule"),
    path("rgpd/anonymisation/", admin_tools.anonymise, name="anonymise"),
    # unscheduled-care line
    path("appels/", call_views.call_list, name="call_list"),
    path("appels/nouveau/", call_views.call_start, name="call_start"),
    path("appels/<int:pk>/", call_views.call_detail, name="call_detail"),
    path("appels/<int:pk>/brouillon/", call_views.call_autosave, name="call_autosave"),
    path("appels/<int:pk>/patients/", call_views.call_patient_search, name="call_patient_search"),
    path("appels/<int:pk>/patient/", call_views.call_patient_attach, name="call_patient_attach"),
    path("appels/<int:pk>/patient/retirer/", call_views.call_patient_detach, name="call_patient_detach"),
    path("appels/<int:pk>/patient/nouveau/", call_views.call_patient_create, name="call_patient_create"),
]
