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


# Consultations and reminders name patients: they are not in the admin (an admin page
# would be an unaudited nominative read); the app's audited pages show them.
