from django.urls import path

from openprocure.buyer.organization import views

app_name = "organization"

urlpatterns = [
    path("", views.overview, name="overview"),
]
