from django.urls import path

from openprocure.buyer.requisitions import views

app_name = "requisitions"

urlpatterns = [
    path("", views.requisition_list, name="list"),
    path("new/", views.requisition_create, name="create"),
    path("submit-selected/", views.submit_selected, name="submit_selected"),
    path("<int:pk>/", views.requisition_detail, name="detail"),
    path("<int:pk>/details/", views.edit_header, name="edit_header"),
    path("<int:pk>/lines/add/", views.add_free_text_line, name="add_line"),
    path("<int:pk>/lines/<int:line_pk>/remove/", views.remove_line, name="remove_line"),
    path("<int:pk>/lines/<int:line_pk>/accounting/", views.line_accounting, name="line_accounting"),
    path("<int:pk>/submit/", views.submit, name="submit"),
    path("<int:pk>/cancel/", views.cancel, name="cancel"),
    path("<int:pk>/copy/", views.copy, name="copy"),
]
