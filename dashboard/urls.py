from django.urls import path

from . import views

app_name = "dashboard"

urlpatterns = [
    path("", views.team, name="team"),
    path("clients/", views.clients, name="clients"),
    path("attention/", views.attention, name="attention"),
    path("team.csv", views.team_csv, name="team_csv"),
    path("clients.csv", views.clients_csv, name="clients_csv"),
    path("measures/", views.measures, name="measures"),
    path("measures.csv", views.measures_csv, name="measures_csv"),
]
