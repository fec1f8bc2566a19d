from django.contrib import admin

from escorter.models import AuditLog, TaskRun


@admin.register(AuditLog)
class AuditLogAdmin(admin.ModelAdmin):
    """Read-only: the audit log is append-only, even for administrators."""

    list_display = ("at", "username", "role", "action", "object_type", "object_id", "ip")
    list_filter = ("action", "role", "object_type")
    search_fields = ("username", "object_id", "detail")
    date_hierarchy = "at"

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(TaskRun)
class TaskRunAdmin(admin.ModelAdmin):
    list_display = ("task_name", "status", "progress", "created_at", "heartbeat_at", "finished_at", "created_by")
    list_filter = ("status", "task_name")
    readonly_fields = [f.name for f in TaskRun._meta.fields]

    def has_add_permission(self, request):
        return False
