"""/fhir/: the FHIR R4 API for the SAS (token-authenticated, outside the session login)."""

from django.urls import path

from interop import views

urlpatterns = [
    path("metadata", views.metadata, name="fhir_metadata"),
    path("Slot", views.slot_search, name="fhir_slot_search"),
    path("Appointment", views.appointments, name="fhir_appointments"),
    path("Appointment/<str:pk>", views.appointment_detail, name="fhir_appointment"),
    path("<path:rest>", views.unknown, name="fhir_unknown"),
]
