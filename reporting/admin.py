from django.contrib import admin

from reporting.models import Expense, Funder, FunderMembership, FundingLine, FundingObjective, MonthlyReport


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


class FundingObjectiveInline(admin.TabularInline):
    model = FundingObjective
    extra = 0


@admin.register(FundingLine)
class FundingLineAdmin(admin.ModelAdmin):
    list_display = ("label", "funder", "purpose", "amount_granted", "period_start", "period_end")
    list_filter = ("funder", "purpose")
    list_select_related = ("funder",)
    search_fields = ("label",)
    inlines = [FundingObjectiveInline]


@admin.register(FundingObjective)
class FundingObjectiveAdmin(admin.ModelAdmin):
    list_display = ("line", "indicator", "target", "label")
    list_select_related = ("line", "line__funder")


@admin.register(Expense)
class ExpenseAdmin(admin.ModelAdmin):
    list_display = ("date", "line", "category", "supplier", "amount")
    list_filter = ("category", "line__funder")
    list_select_related = ("line", "line__funder")
    search_fields = ("supplier", "note")
    date_hierarchy = "date"


@admin.register(MonthlyReport)
class MonthlyReportAdmin(admin.ModelAdmin):
    """Read-only: reports are built by the worker and never edited by hand."""

    list_display = ("audience", "month", "version", "status", "generated_at", "notified_at")
    list_filter = ("status", "audience")
    list_select_related = ("audience",)

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
