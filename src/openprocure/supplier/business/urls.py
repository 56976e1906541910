"""URLs of business accounts (mounted under ``business/``)."""

from django.urls import include, path

from openprocure.supplier.business import views

urlpatterns = [
    path("register/", views.register, name="business-register"),
    path("", views.manage, name="business-manage"),
    path("users/invite/", views.invite, name="business-invite"),
    path("users/roles/", views.change_roles, name="business-roles"),
    path(
        "punchout/",
        include(
            [
                path("add/", views.add_punchout, name="business-add-punchout"),
                path("activate/", views.activate, name="business-activate"),
                path("return-urls/", views.return_urls, name="business-return-urls"),
                path("documents/", views.documents, name="business-documents"),
                path("checklist/", views.checklist, name="business-checklist"),
                path("documents/<int:pk>/", views.document, name="business-document"),
                path("credentials/", views.credentials, name="business-credentials"),
            ]
        ),
    ),
    path("payment-methods/add/", views.add_payment_method, name="business-add-payment"),
    path("addresses/add/", views.add_address, name="business-add-address"),
    path("addresses/delivery-day/", views.set_delivery_day, name="business-delivery-day"),
    path("invitation/<str:token>/", views.invitation, name="business-invitation"),
    path(
        "review/",
        include(
            [
                path("", views.review_queue, name="business-review"),
                path("<int:business_id>/approve/", views.approve, name="business-approve"),
                path("<int:business_id>/refuse/", views.refuse, name="business-refuse"),
            ]
        ),
    ),
    path(
        "integrations/<int:integration_id>/",
        include(
            [
                path("settings/", views.integration_settings, name="business-integration-settings"),
                path("checklist/", views.integration_checklist, name="business-integration-checklist"),
                path("documents/<int:pk>/", views.integration_document, name="business-integration-document"),
            ]
        ),
    ),
    path("punchout-only/", views.punchout_only, name="business-punchout-only"),
]
