from django.urls import path

from openprocure.buyer.recurring import views

app_name = "recurring"

urlpatterns = [
    path("from/<int:requisition_pk>/", views.schedule_create, name="create"),
    path("<int:pk>/", views.schedule_detail, name="detail"),
    path("<int:pk>/skip/", views.skip, name="skip"),
]
