from django.urls import include, path

from openprocure.buyer.requisitions import views

app_name = "requisitions"

urlpatterns = [
    path("", views.requisition_list, name="list"),
    path("new/", views.requisition_create, name="create"),
    path("submit-selected/", views.submit_selected, name="submit_selected"),
    path(
        "<int:pk>/",
        include(
            [
                path("", views.requisition_detail, name="detail"),
                path("details/", views.edit_header, name="edit_header"),
                path("lines/add/", views.add_free_text_line, name="add_line"),
                path("lines/<int:line_pk>/remove/", views.remove_line, name="remove_line"),
                path("lines/<int:line_pk>/accounting/", views.line_accounting, name="line_accounting"),
                path("submit/", views.submit, name="submit"),
                path("cancel/", views.cancel, name="cancel"),
                path("copy/", views.copy, name="copy"),
            ]
        ),
    ),
]
