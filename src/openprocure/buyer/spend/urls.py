from django.urls import path

from openprocure.buyer.spend import views

app_name = "spend"

urlpatterns = [
    path("", views.home, name="home"),
    path("dashboard/", views.dashboard, name="dashboard"),
    path("process/", views.process, name="process"),
    path("history/", views.history, name="history"),
    path("history.csv", views.history_csv, name="history_csv"),
]
