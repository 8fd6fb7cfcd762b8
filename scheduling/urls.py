from django.urls import path

from . import views

app_name = "scheduling"

urlpatterns = [
    path("", views.calendar, name="calendar"),
    path("appointments/<int:pk>/", views.appointment_detail, name="detail"),
    path("appointments/<int:pk>/check-in/", views.appointment_check_in, name="check_in"),
    path("appointments/<int:pk>/complete/", views.appointment_complete, name="complete"),
    path("appointments/<int:pk>/no-show/", views.appointment_no_show, name="no_show"),
    path("appointments/<int:pk>/cancel/", views.appointment_cancel, name="cancel"),
    path("appointments/<int:pk>/move/", views.appointment_move, name="move"),
    path("appointments/<int:pk>/drop/", views.appointment_drop, name="drop"),
    path("appointments/<int:pk>/note/", views.appointment_note, name="note"),
    path("clients/<int:client_pk>/book/", views.book, name="book"),
    path("clients/<int:pk>/", views.client_appointments, name="client_appointments"),
    path("feed/", views.feed_settings, name="feed_settings"),
    path("feed/<str:token>.ics", views.feed, name="feed"),
]
