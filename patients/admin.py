"""Admin of the patients app: read-mostly, the NIR never in lists."""

from django.contrib import admin

from patients.models import Patient, PatientImport, PatientStatusChange, PriorityRule


class StatusChangeInline(admin.TabularInline):
    model = PatientStatusChange
    extra = 0
    fields = ("at", "from_status", "to_status", "by", "note")
    readonly_fields = fields
    can_delete = False


@admin.register(Patient)
class PatientAdmin(admin.ModelAdmin):
    list_display = ("last_name", "first_names", "birth_date", "commune", "status", "priority_tier", "priority_score")
    list_filter = ("status", "priority_tier", "ald", "referral_source")
    search_fields = ("search_name", "phone")
    list_select_related = ("commune",)
    autocomplete_fields = ()
    raw_id_fields = ("commune", "created_by", "priority_rule")
    readonly_fields = (
        "priority_score",
        "priority_tier",
        "priority_rule",
        "priority_explanation",
        "search_name",
        "created_at",
        "updated_at",
        "anonymised_at",
        "status_changed_at",
    )
    inlines = [StatusChangeInline]

    def save_model(self, request, obj, form, change):
        from patients.services import active_rule

        obj.apply_priority(active_rule())  # the stored score follows every save
        super().save_model(request, obj, form, change)


@admin.register(PatientStatusChange)
class PatientStatusChangeAdmin(admin.ModelAdmin):
    list_display = ("patient", "from_status", "to_status", "at", "by")
    list_filter = ("to_status",)
    raw_id_fields = ("patient", "by")


@admin.register(PriorityRule)
class PriorityRuleAdmin(admin.ModelAdmin):
    list_display = ("version", "is_active", "created_at", "created_by", "comment")
    readonly_fields = ("created_at",)


@admin.register(PatientImport)
class PatientImportAdmin(admin.ModelAdmin):
    list_display = ("original_name", "source", "state", "created_at", "created_by")
    list_filter = ("state", "source")
    readonly_fields = ("summary", "errors_csv", "created_at", "imported_at")


# --- unscheduled-care line ---
from patients.models import Call  # noqa: E402


@admin.register(Call)
class CallAdmin(admin.ModelAdmin):
    list_display = ("received_at", "caller_kind", "patient", "commune", "category", "outcome", "duration_seconds")
    list_filter = ("outcome", "category", "caller_kind")
    date_hierarchy = "received_at"
    list_select_related = ("patient", "commune")
    raw_id_fields = ("patient", "commune", "handled_by")
    readonly_fields = ("created_at", "updated_at", "closed_at")
