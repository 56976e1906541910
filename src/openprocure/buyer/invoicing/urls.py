from django.urls import path

from openprocure.buyer.invoicing import views

app_name = "invoicing"

urlpatterns = [
    path("", views.invoice_list, name="list"),
    path("upload/", views.upload, name="upload"),
    path("manual/", views.manual, name="manual"),
    path("exceptions/", views.exceptions, name="exceptions"),
    path("exceptions/<int:pk>/<str:action>/", views.exception_action, name="exception_action"),
    path("payments/", views.payments, name="payments"),
    path("identifiers/", views.identifiers, name="identifiers"),
    path("tolerances/", views.tolerances, name="tolerances"),
    path("tolerances/new/", views.tolerance_edit, name="tolerance_new"),
    path("tolerances/<int:pk>/", views.tolerance_edit, name="tolerance_edit"),
    path("tolerances/<int:pk>/delete/", views.tolerance_delete, name="tolerance_delete"),
    path("payments/<int:pk>.csv", views.payment_csv, name="payment_csv"),
    path("<int:pk>/", views.invoice_detail, name="detail"),
    path("<int:pk>/original/", views.original, name="original"),
    path("<int:pk>/pdf/", views.invoice_pdf, name="pdf"),
]
