"""URLs of orders: the code catalogue, "Your account" and the business's API keys."""

from django.urls import include, path

from openprocure.supplier.orders import delivery_settings, views

urlpatterns = [
    path("help/order-codes/", views.order_codes, name="orders-codes"),
    path(
        "account/",
        include(
            [
                path("orders/", views.account_orders, name="orders-account"),
                path("orders/<str:number>/", views.account_order, name="orders-account-order"),
                path("orders/<str:number>/pdf/", views.account_order_pdf, name="orders-account-order-pdf"),
                path("orders/<str:number>/cancel/", views.cancel, name="orders-cancel"),
                path("api-keys/", views.api_keys, name="orders-api-keys"),
                path("api-keys/<int:key_id>/revoke/", views.revoke_api_key, name="orders-api-key-revoke"),
            ]
        ),
    ),
    path("support/orders/<str:number>/cancel/", views.staff_cancel, name="orders-staff-cancel"),
    path(
        "business/integrations/<int:integration_id>/order-documents/",
        delivery_settings.order_settings,
        name="orders-settings",
    ),
    path(
        "business/integrations/<int:integration_id>/conformance/",
        views.conformance_run,
        name="business-conformance-run",
    ),
]
