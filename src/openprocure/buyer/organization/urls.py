from django.urls import include, path

from openprocure.buyer.organization import views

app_name = "organization"

urlpatterns = [
    path("", views.overview, name="overview"),
    path("cost-centers/new/", views.cost_center_edit, name="cost-center-new"),
    path("cost-centers/<int:pk>/", views.cost_center_edit, name="cost-center-edit"),
    path("gl-accounts/new/", views.gl_account_edit, name="gl-account-new"),
    path("gl-accounts/<int:pk>/", views.gl_account_edit, name="gl-account-edit"),
    path("departments/new/", views.department_edit, name="department-new"),
    path("departments/<int:pk>/", views.department_edit, name="department-edit"),
    path("addresses/new/", views.address_edit, name="address-new"),
    path("addresses/<int:pk>/", views.address_edit, name="address-edit"),
    path(
        "restricted-categories/",
        include(
            [
                path("new/", views.restricted_category_edit, name="restricted-category-new"),
                path("<int:pk>/", views.restricted_category_edit, name="restricted-category-edit"),
                path("<int:pk>/delete/", views.restricted_category_delete, name="restricted-category-delete"),
            ]
        ),
    ),
    path("legal-entities/new/", views.legal_entity_edit, name="legal-entity-new"),
    path("legal-entities/<int:pk>/", views.legal_entity_edit, name="legal-entity-edit"),
    path(
        "people/",
        include(
            [
                path("", views.people, name="people"),
                path("new/", views.person_edit, name="person-new"),
                path("<int:pk>/", views.person_edit, name="person-edit"),
                path("<int:pk>/send-link/", views.person_send_link, name="person-send-link"),
                path("role-limits/", views.role_limit_edit, name="role-limit"),
            ]
        ),
    ),
]
