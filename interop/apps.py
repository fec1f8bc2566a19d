from django.apps import AppConfig


class InteropConfig(AppConfig):
    name = "interop"
    verbose_name = "Interopérabilité (SAS)"

    def ready(self):
        from interop import gdpr  # noqa: F401  registers the erasure and access steps
