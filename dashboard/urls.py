from django.urls import path

from . import views, views_queues

app_name = "dashboard"

urlpatterns = [
    path("", views.team, name="team"),
    path("clients/", views.clients, name="clients"),
    path("attention/", views.attention, name="attention"),
    path("team.csv", views.team_csv, name="team_csv"),
    path("clients.csv", views.clients_csv, name="clients_csv"),
    path("measures/", views.measures, name="measures"),
    path("measures.csv", views.measures_csv, name="measures_csv"),
    path("queues/", views_queues.queues, name="queues"),
    path("queues/approvals/", views_queues.approvals, name="queue_approvals"),
    path(
        "queues/approvals/<int:plan_id>/approve/",
        views_queues.approve,
        name="queue_approve",
    ),
    path(
        "queues/approvals/<int:plan_id>/return/",
        views_queues.return_plan,
        name="queue_return",
    ),
    path("queues/cosign/", views_queues.cosign, name="queue_cosign"),
    path("queues/consents/", views_queues.consents, name="queue_consents"),
    path("queues/no-contact/", views_queues.no_contact, name="queue_no_contact"),
]
