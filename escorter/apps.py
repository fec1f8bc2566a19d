from django.apps import AppConfig


class EscorterConfig(AppConfig):
    name = "escorter"
    verbose_name = "Escorter"
