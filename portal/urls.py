from django.urls import path

from . import staff_views, views

app_name = "portal"

C = "portal/clients/<int:pk>/"

urlpatterns = [
    # The client's pages (no account): fixed addresses first, the token last.
    path("p/", views.home, name="home"),
    path("p/q/", views.question, name="question"),
    path("p/help/", views.help_now, name="help"),
    path("p/done/", views.done, name="done"),
    path("p/plan/", views.plan, name="plan"),
    path("p/plan/my-care-plan.pdf", views.plan_pdf, name="plan_pdf"),
    path("p/plan/my-safety-plan.pdf", views.safety_pdf, name="safety_pdf"),
    path("p/language/", views.language, name="language"),
    path("p/leave/", views.leave, name="leave"),
    path("p/<str:token>/", views.open_link, name="open"),
    # The chart's Check-ins tab (staff).
    path(C + "checkins/", staff_views.checkins, name="checkins"),
    path(C + "checkins/send/", staff_views.checkin_send, name="checkin_send"),
    path(C + "checkins/<int:checkin_id>/", staff_views.checkin_detail, name="checkin_detail"),
    path(
        C + "checkins/<int:checkin_id>/revoke/", staff_views.checkin_revoke, name="checkin_revoke"
    ),
    path(
        C + "checkins/<int:checkin_id>/acknowledge/",
        staff_views.checkin_acknowledge,
        name="checkin_acknowledge",
    ),
    path(C + "checkins/automatic/", staff_views.auto_checkin_set, name="auto_checkin_set"),
    path(C + "plan-link/send/", staff_views.plan_link_send, name="plan_link_send"),
    path(
        C + "plan-link/<int:link_id>/revoke/",
        staff_views.plan_link_revoke,
        name="plan_link_revoke",
    ),
]
