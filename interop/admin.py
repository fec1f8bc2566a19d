from django.contrib import admin, messages

from interop.models import ApiClient, PermanencePublication, PublicationPolicy, SasAppointment
from interop.services import revoke_api_clients


@admin.register(ApiClient)
class ApiClientAdmin(admin.ModelAdmin):
    """Tokens are created by `manage.py create_api_client NAME` (shown once); here they are listed and revoked."""

    list_display = ("name", "token_hint", "scopes", "rate_per_minute", "created_at", "revoked_at")
    list_filter = ("revoked_at",)
    search_fields = ("name",)
    readonly_fields = ("token_hint", "created_at", "revoked_at")
    fields = ("name", "token_hint", "scopes", "rate_per_minute", "created_at", "revoked_at")
    actions = ["revoke"]

    def has_add_permission(self, request):
        return False  # a token is only ever shown by the command that creates it

    def has_delete_permission(self, request, obj=None):
        return False  # revoke instead: the audit log and the SAS appointments keep naming the client

    @admin.action(description="Révoquer les jetons sélectionnés")
    def revoke(self, request, queryset):
        count = revoke_api_clients(clients=queryset, user=request.user)
        self.message_user(request, f"{count} jeton(s) révoqué(s).", messages.SUCCESS)


@admin.register(PublicationPolicy)
class PublicationPolicyAdmin(admin.ModelAdmin):
    list_display = ("share_percent", "updated_at")


@admin.register(PermanencePublication)
class PermanencePublicationAdmin(admin.ModelAdmin):
    list_display = ("permanence", "share_percent")
    raw_id_fields = ("permanence",)


@admin.register(SasAppointment)
class SasAppointmentAdmin(admin.ModelAdmin):
    list_display = ("identifier_value", "client", "consultation", "created_at")
    list_filter = ("client",)
    readonly_fields = [f.name for f in SasAppointment._meta.fields]

    def has_add_permission(self, request):
        return False
