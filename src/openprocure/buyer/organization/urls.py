from django.urls import path

from openprocure.buyer.organization import views

app_name = "organization"

urlpatterns = [
    path("", views.overview, name="overview"),
    path("cost-centers/new/", views.cost_center_edit, name="cost-center-new"),
    path("cost-centers/<int:pk>/", views.cost_center_edit, name="cost-center-edit"),
    path("gl-accounts/new/", views.gl_account_edit, name="gl-account-new"),
    path("gl-accounts/<int:pk>/", views.gl_account_edit, name="gl-account-edit"),
]
