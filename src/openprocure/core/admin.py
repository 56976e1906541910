from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin

from openprocure.core.models import DeliveryAttempt, Document, OutboxMessage, User


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    ordering = ["email"]
    list_display = ["email", "first_name", "last_name", "is_staff", "is_active"]
    search_fields = ["email", "first_name", "last_name"]
    fieldsets = (
        (None, {"fields": ("email", "password")}),
        ("Personal info", {"fields": ("first_name", "last_name", "preferred_language")}),
        ("Permissions", {"fields": ("is_active", "is_staff", "is_superuser", "groups")}),
    )
    add_fieldsets = ((None, {"classes": ("wide",), "fields": ("email", "password1", "password2")}),)


@admin.register(Document)
class DocumentAdmin(admin.ModelAdmin):
    list_display = ["created_at", "direction", "kind", "payload_id", "partner", "status_code"]
    list_filter = ["direction", "kind", "protocol"]
    search_fields = ["payload_id", "reference", "partner"]
    readonly_fields = [f.name for f in Document._meta.fields]


class DeliveryAttemptInline(admin.TabularInline):
    model = DeliveryAttempt
    extra = 0
    readonly_fields = ["number", "started_at", "finished_at", "outcome", "status_code", "detail"]


@admin.register(OutboxMessage)
class OutboxMessageAdmin(admin.ModelAdmin):
    list_display = ["created_at", "kind", "payload_id", "status", "attempts", "next_attempt_at"]
    list_filter = ["status", "kind"]
    search_fields = ["payload_id", "reference"]
    inlines = [DeliveryAttemptInline]
