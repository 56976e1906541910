"""URLs of support: the PO lookup."""

from django.urls import path

from openprocure.supplier.support import views

urlpatterns = [
    path("support/lookup/", views.lookup, name="support-lookup"),
    path("support/orders/<str:number>/", views.order, name="support-order"),
]
