from django.urls import include, path

from openprocure.buyer.approvals import views

app_name = "approvals"

urlpatterns = [
    path("", views.inbox, name="inbox"),
    path("approve-selected/", views.approve_selected, name="approve_selected"),
    path("reject-selected/", views.reject_selected, name="reject_selected"),
    path("<int:pk>/", views.detail, name="detail"),
    path("<int:pk>/reassign/", views.reassign, name="reassign"),
    path("email/<str:token>/", views.email_action, name="email_action"),
    path("requisitions/<int:requisition_id>/", views.history, name="history"),
    path("requisitions/<int:requisition_id>/preview/", views.preview, name="preview"),
    path("delegations/", views.delegations, name="delegations"),
    path("delegations/<int:pk>/cancel/", views.cancel_delegation, name="cancel_delegation"),
    path(
        "policy/",
        include(
            [
                path("", views.policy, name="policy"),
                path("new/", views.rule_edit, name="rule_create"),
                path("<int:pk>/", views.rule_edit, name="rule_edit"),
            ]
        ),
    ),
    path("budgets/", views.budget_list, name="budgets"),
    path("tokens/", views.api_tokens, name="api_tokens"),
]
