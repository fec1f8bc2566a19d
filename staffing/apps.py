from django.apps import AppConfig


class StaffingConfig(AppConfig):
    name = "staffing"
    verbose_name = "Équipe, permanences et consultations"

    def ready(self):
        from staffing import gdpr  # noqa: F401  registers the erasure and access steps
