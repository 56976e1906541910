"""Admin of business accounts, for operators (secrets are hashes and are never editable here)."""

from django.contrib import admin

from openprocure.supplier.business import models


class MembershipInline(admin.TabularInline):
    model = models.Membership
    extra = 0
    raw_id_fields = ["user"]


@admin.register(models.Business)
class BusinessAdmin(admin.ModelAdmin):
    list_display = ["name", "status", "email", "tax_number", "created_at"]
    list_filter = ["status"]
    search_fields = ["name", "email", "tax_number"]
    inlines = [MembershipInline]


@admin.register(models.Integration)
class IntegrationAdmin(admin.ModelAdmin):
    list_display = ["business", "status", "buyer_domain", "buyer_identity", "oci_username"]
    list_filter = ["status"]
    search_fields = ["business__name", "buyer_identity", "oci_username"]
    exclude = ["shared_secret_hash", "oci_password_hash"]
    # Status and settings change through the services (irreversible switch, recorded changes).
    readonly_fields = ["status", "activated_at", *models.SETTING_FIELDS]


@admin.register(models.SettingsChange)
class SettingsChangeAdmin(admin.ModelAdmin):
    list_display = ["integration", "field", "old_value", "new_value", "changed_by", "changed_at"]

    def has_change_permission(self, request, obj=None):
        return False


admin.site.register(models.StaffProfile)
admin.site.register(models.PaymentMethod)
admin.site.register(models.ShippingAddress)
admin.site.register(
    models.Invitation,
    list_display=["email", "business", "created_at", "expires_at", "accepted_at"],
    exclude=["token_hash"],
)
