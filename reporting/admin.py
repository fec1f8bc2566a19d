from django.contrib import admin

from reporting.models import Funder, FunderMembership


class FunderMembershipInline(admin.TabularInline):
    model = FunderMembership
    extra = 0
    autocomplete_fields = ("user",)


@admin.register(Funder)
class FunderAdmin(admin.ModelAdmin):
    list_display = ("name", "kind")
    search_fields = ("name",)
    inlines = [FunderMembershipInline]


@admin.register(FunderMembership)
class FunderMembershipAdmin(admin.ModelAdmin):
    list_display = ("user", "funder")
    list_select_related = ("user", "funder")
    autocomplete_fields = ("user",)
