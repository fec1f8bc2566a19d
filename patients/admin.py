"""Admin of the patients app: only the priority rule.

Patients, their status history, imports and calls are nominative: they are read through
the app's audited pages only (an admin page would be an unaudited nominative read, and its
change history would keep names past an erasure).
"""

from django.contrib import admin

from patients.models import PriorityRule


@admin.register(PriorityRule)
class PriorityRuleAdmin(admin.ModelAdmin):
    list_display = ("version", "is_active", "created_at", "created_by", "comment")
    readonly_fields = ("created_at",)
