from django.apps import AppConfig


class StaffingConfig(AppConfig):
    name = "staffing"
    verbose_name = "Équipe, permanences et consultations"

    def ready(self):
        from patients import appointments
        from patients.access import practitioner_access_rule
        from staffing import access, gdpr  # noqa: F401  gdpr registers the erasure and access steps
        from staffing.selectors.waiting import WaitingListAppointments

        practitioner_access_rule(access.holds_consultation)
        appointments.register(WaitingListAppointments())
