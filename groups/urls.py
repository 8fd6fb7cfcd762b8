from django.urls import path

from . import views

app_name = "groups"

urlpatterns = [
    path("", views.group_index, name="index"),
    path("new/", views.group_new, name="create"),
    path("<int:group_id>/", views.group_detail, name="detail"),
    path("<int:group_id>/sessions/", views.session_add, name="session_add"),
    path(
        "<int:group_id>/members/<int:membership_id>/leave/",
        views.member_leave,
        name="member_leave",
    ),
    path("sessions/<int:session_id>/", views.session_detail, name="session"),
    path("sessions/<int:session_id>/sign/", views.session_sign, name="session_sign"),
    path("sessions/<int:session_id>/cancel/", views.session_cancel, name="session_cancel"),
]
