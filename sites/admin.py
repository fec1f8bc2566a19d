from django.contrib import admin

from sites.models import Closure, Commune, Premises, Room


@admin.register(Commune)
class CommuneAdmin(admin.ModelAdmin):
    list_display = ("name", "insee_code", "epci_name", "population", "in_territory")
    list_filter = ("in_territory", "epci_name")
    search_fields = ("name", "insee_code", "postal_codes")


class RoomInline(admin.TabularInline):
    model = Room
    extra = 0


class ClosureInline(admin.TabularInline):
    model = Closure
    extra = 0


@admin.register(Premises)
class PremisesAdmin(admin.ModelAdmin):
    list_display = ("name", "commune", "status", "available_from", "available_until")
    list_filter = ("status",)
    search_fields = ("name", "commune__name", "address")
    autocomplete_fields = ("commune", "lending_commune")
    inlines = [RoomInline, ClosureInline]


@admin.register(Room)
class RoomAdmin(admin.ModelAdmin):
    list_display = ("name", "premises", "wheelchair_accessible", "active")
    list_filter = ("premises", "active")


@admin.register(Closure)
class ClosureAdmin(admin.ModelAdmin):
    list_display = ("premises", "room", "start_date", "end_date", "reason")
    list_filter = ("premises",)
