from django.urls import path

from . import views

app_name = "documents"

urlpatterns = [
    path("clients/<int:pk>/", views.client_documents, name="client_documents"),
    path(
        "clients/<int:pk>/<int:document_id>/download/",
        views.document_download_view,
        name="download",
    ),
    path(
        "clients/<int:pk>/<int:document_id>/entered-in-error/",
        views.document_entered_in_error,
        name="entered_in_error",
    ),
]
