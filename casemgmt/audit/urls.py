from django.urls import path

from . import views

app_name = "audit"

urlpatterns = [
    path("", views.audit_list, name="list"),
    path("events/", views.audit_events, name="events"),
    path("export.csv", views.audit_export, name="export"),
    path("clients/<int:client_id>/", views.audit_client, name="client"),
    path("clients/<int:client_id>/disclosures/", views.audit_disclosures, name="disclosures"),
]
