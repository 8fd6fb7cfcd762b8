from django.urls import path

from . import views

app_name = "interop"

urlpatterns = [
    path("adt/", views.feed, name="feed"),
    path("adt/review/", views.review_queue, name="review_queue"),
    path("adt/<int:message_id>/", views.message_detail, name="message_detail"),
    path("adt/<int:message_id>/resolve/", views.message_resolve, name="message_resolve"),
    path(
        "adt/<int:message_id>/new-client/",
        views.message_create_client,
        name="message_create_client",
    ),
    path("adt/<int:message_id>/dismiss/", views.message_dismiss, name="message_dismiss"),
]
