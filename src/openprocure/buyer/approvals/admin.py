from django.contrib import admin

from openprocure.buyer.approvals import models


class StepInline(admin.TabularInline):
    model = models.ApprovalRuleStep
    extra = 0


@admin.register(models.ApprovalRule)
class ApprovalRuleAdmin(admin.ModelAdmin):
    list_display = ["name", "priority", "min_amount", "max_amount", "currency", "is_active"]
    inlines = [StepInline]


@admin.register(models.ApprovalRuleStep)
class ApprovalRuleStepAdmin(admin.ModelAdmin):
    list_display = ["rule", "order", "name", "mode", "quorum"]


class AssignmentInline(admin.TabularInline):
    model = models.ApprovalAssignment
    extra = 0
    readonly_fields = ["approver", "on_behalf_of", "status", "source", "decided_at"]


@admin.register(models.ApprovalRequest)
class ApprovalRequestAdmin(admin.ModelAdmin):
    list_display = ["requisition", "round", "status", "amount", "currency", "created_at"]
    list_filter = ["status"]


@admin.register(models.ApprovalStep)
class ApprovalStepAdmin(admin.ModelAdmin):
    list_display = ["request", "position", "name", "status", "required"]
    inlines = [AssignmentInline]


admin.site.register(models.Delegation)
admin.site.register(models.Budget)
admin.site.register(models.BudgetCommitment)


@admin.register(models.ApiToken)
class ApiTokenAdmin(admin.ModelAdmin):
    list_display = ["user", "name", "prefix", "created_at", "last_used_at", "revoked_at"]
    exclude = ["token_hash"]
