"""Admin of the shared models. Documents are a record: shown read-only, every secret in them masked.

Bodies are stored masked already (journal, outbox, partners' answers); the pages mask them again
when they show them, so a row written before that rule, or by a path that forgot it, never shows
a secret either.
"""

from typing import Any

from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.http import HttpRequest
from django.utils.html import format_html
from django.utils.safestring import SafeString
from django.utils.translation import gettext_lazy as _

from openprocure.core.journal import mask_secrets
from openprocure.core.models import DeliveryAttempt, Document, OutboxMessage, PlatformFlow, User


def masked_text(text: str) -> SafeString:
    """A stored document for an admin page: secrets masked, escaped, its lines kept."""
    return format_html('<pre class="masked-document">{}</pre>', mask_secrets(text or ""))


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    ordering = ["email"]
    list_display = ["email", "first_name", "last_name", "is_staff", "is_active"]
    search_fields = ["email", "first_name", "last_name"]
    fieldsets = (
        (None, {"fields": ("email", "password")}),
        ("Personal info", {"fields": ("first_name", "last_name", "preferred_language", "language_source")}),
        ("Permissions", {"fields": ("is_active", "is_staff", "is_superuser", "groups")}),
    )
    add_fieldsets = ((None, {"classes": ("wide",), "fields": ("email", "password1", "password2")}),)


@admin.register(Document)
class DocumentAdmin(admin.ModelAdmin):
    list_display = ["created_at", "direction", "kind", "payload_id", "partner", "status_code"]
    list_filter = ["direction", "kind", "protocol"]
    search_fields = ["payload_id", "reference", "partner"]
    exclude = ["raw"]
    readonly_fields = [*(f.name for f in Document._meta.fields if f.name != "raw"), "raw_masked"]

    @admin.display(description=_("raw document (secrets masked)"))
    def raw_masked(self, document: Document) -> SafeString:
        return masked_text(document.raw)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False


class DeliveryAttemptInline(admin.TabularInline):
    model = DeliveryAttempt
    extra = 0
    can_delete = False
    fields = ("number", "started_at", "finished_at", "outcome", "status_code", "detail", "answer_masked")
    readonly_fields = fields

    @admin.display(description=_("partner's answer"))
    def answer_masked(self, attempt: DeliveryAttempt) -> SafeString:
        return masked_text(attempt.response_body)

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(OutboxMessage)
class OutboxMessageAdmin(admin.ModelAdmin):
    list_display = ["created_at", "kind", "payload_id", "status", "attempts", "next_attempt_at"]
    list_filter = ["status", "kind", "created_at"]
    search_fields = ["payload_id", "reference"]
    exclude = ["body", "response_body", "lease_token"]
    readonly_fields = [
        *(
            f.name
            for f in OutboxMessage._meta.fields
            if f.name not in ("id", "body", "response_body", "lease_token")
        ),
        "body_masked",
        "response_masked",
    ]
    inlines = [DeliveryAttemptInline]

    @admin.display(description=_("body (secrets masked)"))
    def body_masked(self, message: OutboxMessage) -> SafeString:
        return masked_text(message.body)

    @admin.display(description=_("partner's answer"))
    def response_masked(self, message: OutboxMessage) -> SafeString:
        return masked_text(message.response_body)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False


@admin.register(PlatformFlow)
class PlatformFlowAdmin(admin.ModelAdmin):
    """Inbound files handled from the e-invoicing platforms: a record, read-only."""

    list_display = ["handled_at", "entity", "kind", "name", "outcome", "reason"]
    list_filter = ["outcome", "kind", "entity"]
    search_fields = ["flow_id", "name", "reason"]
    readonly_fields = [f.name for f in PlatformFlow._meta.fields]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False
