"""Django admin holds configuration only: users, teams, roles, the lockout records, the
resource directory, rules, cadences and the outbox. Client records (referrals, follow-ups,
care transitions, notes, the audit trail ...) are read and changed in the app, scoped to
the user and audited, never through the admin, where no audit event would be written."""

import pytest
from django.contrib import admin
from django.urls import reverse

from referrals.services import referral_create

# What the admin may show. A new entry must be configuration: no client data in its rows.
CONFIGURATION = {
    "auth.Group",  # roles
    "axes.AccessAttempt",  # login lockout: unlock an account
    "axes.AccessLog",
    "axes.AccessFailureLog",
    "accounts.User",
    "accounts.Team",
    "accounts.ApiToken",  # device, first characters, dates: revocation
    "otp_totp.TOTPDevice",  # two-factor devices: a lost phone's is deleted here
    "otp_static.StaticDevice",  # recovery codes
    "notifications.OutboxMessage",  # user id, template name and ids; "Send again"
    "assessments.ReassessmentRule",
    "clients.DiagnosisCodeRange",  # the dual-diagnosis classification table (a code table)
    "interop.FacilityMapping",  # which level of care a hospital's locations are
    "careplans.TeamPlanCadence",
    "dashboard.UrgencyWeight",  # the weights of the urgency order (Today, Needs attention)
    "careplans.StageSuggestion",
    "referrals.Organization",  # the resource directory
    "referrals.Service",
    "scheduling.TeamCalendarSetting",  # whether a team's calendar feeds show initials
    "portal.QuestionSet",  # a team's own check-in questions (text and answer options)
}


def test_admin_registers_only_configuration():
    registered = {model._meta.label for model in admin.site._registry}
    assert registered - CONFIGURATION == set(), (
        "registered in Django admin but not configuration (client data is read in the app, audited)"
    )


@pytest.fixture
def staff_admin(admin_user):
    admin_user.is_staff = True
    admin_user.is_superuser = True
    admin_user.save(update_fields=["is_staff", "is_superuser"])
    return admin_user


@pytest.mark.django_db
def test_a_referral_has_no_admin_page(client, staff_admin, client_record, case_manager):
    referral = referral_create(
        actor=case_manager, client=client_record, reason="Housing", provider_name="Shelter"
    )
    client.force_login(staff_admin)
    assert client.get(reverse("admin:index")).status_code == 200
    for url in (
        f"/admin/referrals/referral/{referral.pk}/change/",
        f"/admin/referrals/referral/{referral.pk}/delete/",
        "/admin/referrals/referral/",
        "/admin/referrals/followup/",
        "/admin/referrals/caretransition/",
        "/admin/audit/auditevent/",
        "/admin/notifications/notification/",
    ):
        assert client.get(url).status_code == 404, url
