from django.contrib import admin

from openprocure.buyer.organization import models


class RoleInline(admin.TabularInline):
    model = models.RoleAssignment
    extra = 1


@admin.register(models.UserProfile)
class UserProfileAdmin(admin.ModelAdmin):
    list_display = ["user", "company", "manager", "department", "default_cost_center"]
    list_select_related = ["user", "company", "manager", "department", "default_cost_center"]
    inlines = [RoleInline]


@admin.register(models.CostCenter)
class CostCenterAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "owner", "department", "is_active"]
    list_select_related = ["owner", "department"]


@admin.register(models.Address)
class AddressAdmin(admin.ModelAdmin):
    list_display = ["code", "kind", "name", "city", "country", "is_default"]


for model in (
    models.Company,
    models.LegalEntity,
    models.Department,
    models.GLAccount,
    models.SpendingLimit,
    models.RestrictedCategory,
    models.PreferredSupplier,
):
    admin.site.register(model)
