from django.urls import path

from . import views

app_name = "assessments"

urlpatterns = [
    path("clients/<int:pk>/", views.client_assessments, name="client_assessments"),
    path("clients/<int:pk>/give/<str:code>/", views.response_new, name="response_create"),
    path(
        "clients/<int:pk>/results/<int:response_id>/",
        views.response_detail,
        name="response_detail",
    ),
    path("clients/<int:pk>/trends/<str:code>/", views.trend, name="trend"),
    path(
        "clients/<int:pk>/comprehensive/start/",
        views.assessment_start,
        name="assessment_start",
    ),
    path(
        "clients/<int:pk>/comprehensive/<int:assessment_id>/",
        views.assessment_detail,
        name="assessment_detail",
    ),
    path(
        "clients/<int:pk>/comprehensive/<int:assessment_id>/sections/<str:section>/",
        views.assessment_section,
        name="assessment_section",
    ),
    path(
        "clients/<int:pk>/comprehensive/<int:assessment_id>/substances/",
        views.assessment_substance_add,
        name="assessment_substance_add",
    ),
    path(
        "clients/<int:pk>/comprehensive/<int:assessment_id>/substances/<int:row_id>/remove/",
        views.assessment_substance_remove,
        name="assessment_substance_remove",
    ),
    path(
        "clients/<int:pk>/comprehensive/<int:assessment_id>/complete/",
        views.assessment_complete,
        name="assessment_complete",
    ),
    path(
        "clients/<int:pk>/comprehensive/<int:assessment_id>/new-version/",
        views.assessment_new_version,
        name="assessment_new_version",
    ),
]
