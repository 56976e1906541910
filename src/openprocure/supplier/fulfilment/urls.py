"""URLs of fulfilment: the operators' queue, and invoices and charges in "Your account"."""

from django.urls import path

from openprocure.supplier.fulfilment import views

urlpatterns = [
    path("fulfilment/", views.queue, name="fulfilment-queue"),
    path("fulfilment/orders/<int:order_id>/ship/", views.ship_order, name="fulfilment-ship"),
    path("fulfilment/ship-together/", views.ship_together, name="fulfilment-ship-together"),
    path("fulfilment/orders/<int:order_id>/return/", views.record_return, name="fulfilment-return"),
    path("fulfilment/returns/", views.return_requests, name="fulfilment-return-requests"),
    path(
        "fulfilment/returns/<int:request_id>/decline/",
        views.decline_return_request,
        name="fulfilment-return-decline",
    ),
    path(
        "account/orders/<str:number>/return-request/", views.request_return, name="fulfilment-request-return"
    ),
    path("fulfilment/shipments/<int:shipment_id>/delivered/", views.delivered, name="fulfilment-delivered"),
    path("account/invoices/", views.account_invoices, name="fulfilment-account-invoices"),
    path("account/invoices/<str:number>/pdf/", views.invoice_pdf, name="fulfilment-invoice-pdf"),
    path(
        "account/invoices/<str:number>/einvoice/", views.invoice_einvoice, name="fulfilment-invoice-einvoice"
    ),
    path(
        "fulfilment/invoices/<str:number>/payment-received/",
        views.payment_received,
        name="fulfilment-payment-received",
    ),
    path("account/charges/", views.account_charges, name="fulfilment-account-charges"),
]
