from django.urls import path

from . import views

app_name = "drafts"

urlpatterns = [
    path("autosave/", views.autosave, name="autosave"),
    path("keepalive/", views.keepalive, name="keepalive"),
    path("discard/", views.discard, name="discard"),
]
