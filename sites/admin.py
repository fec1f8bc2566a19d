from django.contrib import admin

from sites.models import Commune


@admin.register(Commune)
class CommuneAdmin(admin.ModelAdmin):
    list_display = ("name", "insee_code", "epci_name", "population", "in_territory")
    list_filter = ("in_territory", "epci_name")
    search_fields = ("name", "insee_code", "postal_codes")
