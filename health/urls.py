from django.urls import path

from . import views

app_name = "health"

urlpatterns = [
    path("clients/<int:pk>/medications/", views.medications, name="medications"),
    path("clients/<int:pk>/medications/reconcile/", views.reconcile, name="reconcile"),
    path(
        "clients/<int:pk>/medications/<int:medication_id>/",
        views.medication_detail,
        name="medication",
    ),
    path("clients/<int:pk>/crisis/", views.crisis, name="crisis"),
]
