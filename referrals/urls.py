from django.contrib.auth.decorators import login_required
from django.urls import path
from django.views.generic import RedirectView

from . import views

app_name = "referrals"

urlpatterns = [
    path("", views.referral_index, name="list"),
    # "My follow-ups" gathers several apps' work: it moved to the dashboard (/follow-ups/).
    # Links in reminder emails sent before the move keep working.
    path(
        "follow-ups/",
        login_required(RedirectView.as_view(pattern_name="my_followups", query_string=True)),
    ),
    path("follow-ups/<int:followup_id>/close/", views.followup_close, name="followup_close"),
    path(
        "follow-ups/<int:followup_id>/reschedule/",
        views.followup_reschedule,
        name="followup_reschedule",
    ),
    path("directory/", views.directory, name="directory"),
    path("directory/import/", views.hsds_import_view, name="hsds_import"),
    path("directory/services/<int:service_id>/refer/", views.service_refer, name="service_refer"),
    path("clients/<int:pk>/", views.client_referrals, name="client_referrals"),
    path("clients/<int:pk>/new/", views.referral_new, name="referral_create"),
    path("clients/<int:pk>/<int:referral_id>/", views.referral_detail, name="referral_detail"),
    path(
        "clients/<int:pk>/<int:referral_id>/packet/",
        views.referral_packet,
        name="referral_packet",
    ),
    path("clients/<int:pk>/follow-ups/new/", views.followup_new, name="followup_create"),
    path("clients/<int:pk>/disclosures/", views.disclosure_log_view, name="disclosure_log"),
    path("clients/<int:pk>/transitions/new/", views.transition_new, name="transition_create"),
    path(
        "clients/<int:pk>/transitions/<int:transition_id>/",
        views.transition_detail,
        name="transition_detail",
    ),
]
