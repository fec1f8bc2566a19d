from django.apps import AppConfig


class EscorterConfig(AppConfig):
    name = "escorter"
    verbose_name = "Escorter"

    def ready(self):
        from escorter import checks, gdpr, sms  # noqa: F401  (checks registers itself)

        gdpr.erasure_step("escorter.sms_log")(sms.erase_from_sms_log)
