from django.urls import path

from openprocure.buyer.supplierportal import views

app_name = "supplierportal"

urlpatterns = [
    path("o/<str:token>/", views.order, name="order"),
    path("o/<str:token>/confirm/", views.confirm, name="confirm"),
    path("o/<str:token>/ship/", views.ship, name="ship"),
    path("o/<str:token>/invoice/", views.invoice, name="invoice"),
    path("o/<str:token>/upload/", views.upload, name="upload"),
    path("o/<str:token>/account/", views.account, name="account"),
    path("orders/", views.orders, name="orders"),
]
