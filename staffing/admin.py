"""Admin of the staffing rota models (booking models register themselves in their own admin module)."""

from django.contrib import admin

from staffing.models import Absence, CalendarFeed, CoverageTarget, Permanence, Professional, RotaRule


@admin.register(Professional)
class ProfessionalAdmin(admin.ModelAdmin):
    list_display = ("last_name", "first_name", "profession", "rpps", "practice", "user", "active")
    list_filter = ("profession", "active")
    search_fields = ("last_name", "first_name", "rpps")
    autocomplete_fields = ("commune", "user")


@admin.register(RotaRule)
class RotaRuleAdmin(admin.ModelAdmin):
    list_display = ("professional", "premises", "room", "weekday", "start_time", "end_time", "recurrence", "active")
    list_filter = ("premises", "recurrence", "active")
    list_select_related = ("professional", "premises", "room")


@admin.register(Absence)
class AbsenceAdmin(admin.ModelAdmin):
    list_display = ("professional", "kind", "start_date", "end_date")
    list_filter = ("kind",)
    list_select_related = ("professional",)


@admin.register(Permanence)
class PermanenceAdmin(admin.ModelAdmin):
    list_display = ("start", "end", "professional", "premises", "room", "status", "origin")
    list_filter = ("status", "origin", "premises")
    list_select_related = ("professional", "premises", "room")
    date_hierarchy = "start"
    raw_id_fields = ("rule", "cancelled_by")


@admin.register(CoverageTarget)
class CoverageTargetAdmin(admin.ModelAdmin):
    list_display = ("premises", "profession", "hours_per_week")


@admin.register(CalendarFeed)
class CalendarFeedAdmin(admin.ModelAdmin):
    list_display = ("__str__", "created_at", "revoked_at", "last_used_at")
    readonly_fields = ("token",)


# --- Booking -----------------------------------------------------------------------

from staffing.models import Consultation, Reminder  # noqa: E402


@admin.register(Consultation)
class ConsultationAdmin(admin.ModelAdmin):
    list_display = ("start", "patient", "professional", "permanence", "kind", "status")
    list_filter = ("status", "kind", "professional")
    list_select_related = ("patient", "professional", "permanence__premises")
    raw_id_fields = ("patient", "permanence", "rescheduled_from")
    date_hierarchy = "start"
    readonly_fields = ("created_at", "created_by", "confirmed_at", "confirmed_by", "cancelled_at", "cancelled_by")


@admin.register(Reminder)
class ReminderAdmin(admin.ModelAdmin):
    list_display = ("consultation", "channel", "recipient", "status", "sent_at")
    list_filter = ("channel", "status")
    list_select_related = ("consultation__professional",)
    raw_id_fields = ("consultation",)
