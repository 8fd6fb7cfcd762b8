import pytest
from django.conf import settings
from django.contrib.auth.hashers import make_password
from django.test import override_settings
from django.urls import reverse

from casemgmt.accounts.models import Role, User
from tests.factories import PASSWORD

pytestmark = pytest.mark.django_db

LOGIN = "/accounts/login/"


def test_custom_user_model_is_in_use():
    assert settings.AUTH_USER_MODEL == "accounts.User"


def test_role_groups_exist_from_migrations():
    from django.contrib.auth.models import Group

    assert set(Group.objects.values_list("name", flat=True)) >= set(Role.values)


def test_production_hasher_is_argon2():
    import casemgmt.settings as production  # the autouse fixture swaps in MD5 for speed

    assert production.PASSWORD_HASHERS[0].endswith("Argon2PasswordHasher")
    with override_settings(PASSWORD_HASHERS=["django.contrib.auth.hashers.Argon2PasswordHasher"]):
        assert make_password("x" * 12).startswith("argon2$")


def test_login_page_renders_with_labels(client):
    response = client.get(LOGIN)
    assert response.status_code == 200
    assert '<label class="form-label required" for="id_username">' in response.text


def test_login_and_logout(client, case_manager):
    response = client.post(LOGIN, {"username": "cm", "password": PASSWORD})
    assert response.status_code == 302 and response.url == reverse("home")
    assert client.get(reverse("clients:list")).status_code == 200
    response = client.post(reverse("accounts:logout"))
    assert response.status_code == 302
    assert client.get(reverse("clients:list")).status_code == 302


def test_wrong_password_shows_message(client, case_manager):
    response = client.post(LOGIN, {"username": "cm", "password": "nope"})
    assert response.status_code == 200
    assert "correct username and password" in response.text


def test_session_idle_timeout_defaults_to_30_minutes(client, case_manager):
    assert settings.SESSION_IDLE_TIMEOUT_MINUTES == 30
    assert settings.SESSION_COOKIE_AGE == 30 * 60 and settings.SESSION_SAVE_EVERY_REQUEST
    client.force_login(case_manager)
    client.get(reverse("clients:list"))
    assert 29 * 60 < client.session.get_expiry_age() <= 30 * 60


def test_expired_session_is_logged_out(client, case_manager):
    from datetime import timedelta

    from django.contrib.sessions.models import Session
    from django.utils import timezone

    client.force_login(case_manager)
    Session.objects.filter(session_key=client.session.session_key).update(
        expire_date=timezone.now() - timedelta(seconds=1)
    )
    assert client.get(reverse("clients:list")).status_code == 302


def test_csp_header_forbids_inline_script(client):
    header = client.get(LOGIN).headers["Content-Security-Policy"]
    directives = dict(part.strip().split(" ", 1) for part in header.split(";"))
    assert directives["script-src"] == "'self'"
    assert "unsafe-inline" not in header


def test_pages_contain_no_inline_script(client, case_manager):
    client.force_login(case_manager)
    for url in (LOGIN, reverse("clients:list"), reverse("clients:create")):
        html = client.get(url).text
        assert "<script>" not in html and " onclick=" not in html, url


def test_roles(admin_user, auditor, case_manager):
    assert admin_user.is_admin_role and admin_user.can_read_audit
    assert auditor.can_read_audit and not auditor.is_admin_role
    assert not case_manager.can_read_audit
    assert User.objects.get(pk=case_manager.pk).has_role(Role.CASE_MANAGER)
