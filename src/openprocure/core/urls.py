"""URLs both sites share."""

from django.contrib.auth import views as auth_views
from django.urls import include, path

from openprocure.core import operations, views

urlpatterns = [
    path("accounts/login/", views.LoginView.as_view(), name="login"),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("i18n/", include("django.conf.urls.i18n")),
    path("mailbox/", views.mailbox, name="mailbox"),
    path("healthz", views.health, name="health"),
    path("operations/", operations.operations_status, name="operations-status"),
]
