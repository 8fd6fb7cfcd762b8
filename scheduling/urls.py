from django.urls import path

from . import views

app_name = "scheduling"

urlpatterns = [
    path("appointments/<int:pk>/", views.appointment_detail, name="detail"),
]
