from django.apps import AppConfig


class EscorterConfig(AppConfig):
    name = "escorter"
    verbose_name = "Escorter"

    def ready(self):
        from escorter import gdpr, sms

        gdpr.erasure_step("escorter.sms_log")(sms.erase_from_sms_log)
