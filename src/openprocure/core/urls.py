"""URLs both sites share."""

from django.contrib.auth import views as auth_views
from django.urls import include, path

from openprocure.core import operations, views
from openprocure.core.platform import views as platform_views

urlpatterns = [
    path("accounts/login/", views.LoginView.as_view(), name="login"),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("i18n/setlang/", views.set_language, name="set_language"),
    path("mailbox/", views.mailbox, name="mailbox"),
    path("healthz", views.health, name="health"),
    path("operations/", operations.operations_status, name="operations-status"),
    path(
        "platforms/",
        include(
            [
                path("", platform_views.platforms, name="platforms"),
                path("add/", platform_views.platform_add, name="platform-add"),
                path("<int:pk>/", platform_views.platform_edit, name="platform-edit"),
                path("<str:siren>/test/", platform_views.platform_test, name="platform-test"),
            ]
        ),
    ),
]
