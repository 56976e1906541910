from django.contrib import admin

from openprocure.buyer.recurring import models


class OccurrenceInline(admin.TabularInline):
    model = models.Occurrence
    extra = 0
    readonly_fields = ["index", "due_on", "requisition", "skipped", "within_envelope"]


class EventInline(admin.TabularInline):
    model = models.ScheduleEvent
    extra = 0
    readonly_fields = ["kind", "actor", "reason", "detail", "created_at"]


@admin.register(models.RecurringSchedule)
class RecurringScheduleAdmin(admin.ModelAdmin):
    """Read-mostly: schedules change through the services (and their events), not through this form."""

    list_display = ["source", "period", "every", "weekday", "next_on", "ends_on", "status"]
    list_filter = ["status", "period"]
    readonly_fields = ["status", "next_index", "next_on", "envelope"]
    inlines = [OccurrenceInline, EventInline]
