from django.urls import include, path

from openprocure.buyer.invoicing import views

app_name = "invoicing"

urlpatterns = [
    path("", views.invoice_list, name="list"),
    path("upload/", views.upload, name="upload"),
    path("manual/", views.manual, name="manual"),
    path("exceptions/", views.exceptions, name="exceptions"),
    path("exceptions/<int:pk>/<str:action>/", views.exception_action, name="exception_action"),
    path("payments/", views.payments, name="payments"),
    path("payments/<int:pk>.csv", views.payment_csv, name="payment_csv"),
    path("identifiers/", views.identifiers, name="identifiers"),
    path(
        "tolerances/",
        include(
            [
                path("", views.tolerances, name="tolerances"),
                path("new/", views.tolerance_edit, name="tolerance_new"),
                path("<int:pk>/", views.tolerance_edit, name="tolerance_edit"),
                path("<int:pk>/delete/", views.tolerance_delete, name="tolerance_delete"),
            ]
        ),
    ),
    path(
        "<int:pk>/",
        include(
            [
                path("", views.invoice_detail, name="detail"),
                path("original/", views.original, name="original"),
                path("pdf/", views.invoice_pdf, name="pdf"),
            ]
        ),
    ),
]
