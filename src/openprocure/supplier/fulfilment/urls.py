"""URLs of fulfilment: the operators' queue, and invoices and charges in "Your account"."""

from django.urls import include, path

from openprocure.supplier.fulfilment import views

urlpatterns = [
    path(
        "fulfilment/",
        include(
            [
                path("", views.queue, name="fulfilment-queue"),
                path("orders/<int:order_id>/ship/", views.ship_order, name="fulfilment-ship"),
                path("ship-together/", views.ship_together, name="fulfilment-ship-together"),
                path("orders/<int:order_id>/return/", views.record_return, name="fulfilment-return"),
                path("returns/", views.return_requests, name="fulfilment-return-requests"),
                path(
                    "returns/<int:request_id>/decline/",
                    views.decline_return_request,
                    name="fulfilment-return-decline",
                ),
                path("shipments/<int:shipment_id>/delivered/", views.delivered, name="fulfilment-delivered"),
                path(
                    "invoices/<str:number>/correct/", views.correct_invoice, name="fulfilment-invoice-correct"
                ),
                path(
                    "invoices/<str:number>/payment-received/",
                    views.payment_received,
                    name="fulfilment-payment-received",
                ),
            ]
        ),
    ),
    path(
        "account/",
        include(
            [
                path(
                    "orders/<str:number>/return-request/",
                    views.request_return,
                    name="fulfilment-request-return",
                ),
                path("invoices/", views.account_invoices, name="fulfilment-account-invoices"),
                path("invoices/<str:number>/pdf/", views.invoice_pdf, name="fulfilment-invoice-pdf"),
                path(
                    "invoices/<str:number>/einvoice/",
                    views.invoice_einvoice,
                    name="fulfilment-invoice-einvoice",
                ),
                path("charges/", views.account_charges, name="fulfilment-account-charges"),
            ]
        ),
    ),
]
