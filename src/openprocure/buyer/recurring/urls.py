from django.urls import path

from openprocure.buyer.recurring import views

app_name = "recurring"

urlpatterns = [
    path("", views.schedule_list, name="list"),
    path("from/<int:requisition_pk>/", views.schedule_create, name="create"),
    path("<int:pk>/", views.schedule_detail, name="detail"),
    path("<int:pk>/skip/", views.skip, name="skip"),
    path("<int:pk>/unskip/", views.unskip, name="unskip"),
    path("<int:pk>/pause/", views.pause, name="pause"),
    path("<int:pk>/resume/", views.resume, name="resume"),
    path("<int:pk>/cancel/", views.cancel, name="cancel"),
]
