"""``/fhir/r4/``: the FHIR R4 read API (included from ``casemgmt.urls``)."""

from django.urls import path

from . import views

app_name = "fhir"

urlpatterns = [
    path("metadata", views.Metadata.as_view(), name="metadata"),
    path("Patient", views.PatientSearch.as_view(), name="patient-search"),
    path("Patient/<str:pk>", views.PatientRead.as_view(), name="patient-read"),
    path("Patient/<str:pk>/$everything", views.PatientEverything.as_view(), name="everything"),
    path("Condition", views.ConditionView.as_view(), name="condition-search"),
    path("Condition/<str:pk>", views.ConditionView.as_view(), name="condition-read"),
    path("Observation", views.ObservationView.as_view(), name="observation-search"),
    path("Observation/<str:pk>", views.ObservationView.as_view(), name="observation-read"),
    path("QuestionnaireResponse", views.QuestionnaireResponseView.as_view(), name="qr-search"),
    path(
        "QuestionnaireResponse/<str:pk>", views.QuestionnaireResponseView.as_view(), name="qr-read"
    ),
    path("Questionnaire", views.QuestionnaireView.as_view(), name="questionnaire-search"),
    path("Questionnaire/<str:pk>", views.QuestionnaireView.as_view(), name="questionnaire-read"),
    path("Consent", views.ConsentView.as_view(), name="consent-search"),
    path("Consent/<str:pk>", views.ConsentView.as_view(), name="consent-read"),
    path("Encounter", views.EncounterView.as_view(), name="encounter-search"),
    path("Encounter/<str:pk>", views.EncounterView.as_view(), name="encounter-read"),
    path("CarePlan", views.CarePlanView.as_view(), name="careplan-search"),
    path("CarePlan/<str:pk>", views.CarePlanView.as_view(), name="careplan-read"),
    path("Goal", views.GoalView.as_view(), name="goal-search"),
    path("Goal/<str:pk>", views.GoalView.as_view(), name="goal-read"),
    path("CareTeam", views.CareTeamView.as_view(), name="careteam-search"),
    path("CareTeam/<str:pk>", views.CareTeamView.as_view(), name="careteam-read"),
    path("EpisodeOfCare", views.EpisodeOfCareView.as_view(), name="episode-search"),
    path("EpisodeOfCare/<str:pk>", views.EpisodeOfCareView.as_view(), name="episode-read"),
    path("ServiceRequest", views.ServiceRequestView.as_view(), name="servicerequest-search"),
    path("ServiceRequest/<str:pk>", views.ServiceRequestView.as_view(), name="servicerequest-read"),
    path("Task", views.TaskView.as_view(), name="task-search"),
    path("Task/<str:pk>", views.TaskView.as_view(), name="task-read"),
    path("RelatedPerson", views.RelatedPersonView.as_view(), name="relatedperson-search"),
    path("RelatedPerson/<str:pk>", views.RelatedPersonView.as_view(), name="relatedperson-read"),
]
