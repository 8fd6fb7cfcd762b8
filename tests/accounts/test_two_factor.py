"""Two-factor sign-in (issue 14): TOTP after the password, required for admins (and for
everyone by a setting), recovery codes, and the API token endpoint asks for the code."""

import re

import pytest
from django.urls import reverse
from django_otp.plugins.otp_static.models import StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from tests.factories import PASSWORD, UserFactory
from tests.two_factor import enrol, totp_code

pytestmark = pytest.mark.django_db

LOGIN = "/accounts/login/"
VERIFY = "/accounts/login/verify/"
SETUP = "/accounts/2fa/setup/"


def _password(client, username="cm"):
    return client.post(LOGIN, {"username": username, "password": PASSWORD})


def test_a_user_with_an_app_gives_its_code_after_the_password(client, case_manager):
    device = enrol(case_manager)
    response = _password(client)
    assert response.status_code == 302 and response.url == VERIFY
    assert "_auth_user_id" not in client.session  # not signed in on the password alone
    assert client.get(reverse("clients:list")).status_code == 302
    page = client.get(VERIFY)
    assert 'autocomplete="one-time-code"' in page.text
    response = client.post(VERIFY, {"code": totp_code(device)})
    assert response.status_code == 302 and response.url == reverse("home")
    assert client.session["_auth_user_id"] == str(case_manager.pk)
    assert client.get(reverse("clients:list")).status_code == 200


def test_a_wrong_code_does_not_sign_in_and_is_throttled(client, case_manager, settings):
    enrol(case_manager)
    _password(client)
    for _ in range(settings.LOGIN_THROTTLE_FREE_FAILURES - 1):
        response = client.post(VERIFY, {"code": "000000"})
        assert "That code is not right" in response.text
    response = client.post(VERIFY, {"code": "000000"})
    assert "Too many attempts, try again in" in response.text
    assert "_auth_user_id" not in client.session


def test_a_recovery_code_signs_in_once(client, case_manager):
    from casemgmt.accounts.services import recovery_codes_issue

    enrol(case_manager)
    codes = recovery_codes_issue(user=case_manager)
    assert len(codes) == 10 and len(set(codes)) == 10
    _password(client)
    assert client.post(VERIFY, {"code": codes[0].upper()}).status_code == 302
    client.post(reverse("accounts:logout"))
    _password(client)
    response = client.post(VERIFY, {"code": codes[0]})
    assert response.status_code == 200 and "That code is not right" in response.text


def test_the_code_step_needs_the_password_step_first(client):
    assert client.get(VERIFY).status_code == 302


def test_an_admin_without_an_app_must_set_it_up_first(client, api):
    admin = UserFactory(username="boss", is_staff=True)
    response = _password(client, "boss")
    assert response.status_code == 302  # signed in with the password ...
    for url in (reverse("home"), reverse("clients:list"), "/admin/"):
        response = client.get(url)
        assert response.status_code == 302 and response.url == SETUP, url  # ... to set up
    assert client.get("/api/v1/clients/").status_code == 403
    assert client.get(SETUP).status_code == 200
    assert admin.pk


def test_setting_up_shows_a_qr_code_then_ten_recovery_codes_once(client, case_manager, settings):
    settings.OTP_TOTP_THROTTLE_FACTOR = 0  # django-otp's own pause after a wrong code
    client.force_login(case_manager)
    page = client.get(SETUP)
    assert page.status_code == 200
    assert "<svg" in page.text and "QR code for your authenticator app" in page.text
    assert "<img" not in page.text.split("qr-code", 1)[1].split("</div>", 1)[0]  # inline SVG
    device = TOTPDevice.objects.get(user=case_manager, confirmed=False)
    response = client.post(SETUP, {"code": "000000"})
    assert "That code is not right" in response.text
    response = client.post(SETUP, {"code": totp_code(device)})
    assert response.status_code == 200
    codes = re.findall(r"<li>([a-z2-7]{8})</li>", response.text)
    assert len(codes) == 10
    assert set(StaticToken.objects.values_list("token", flat=True)) == set(codes)
    device.refresh_from_db()
    assert device.confirmed
    # Shown once: the page now says it is on, and lists no code.
    page = client.get(SETUP)
    assert "Two-factor sign-in is on" in page.text
    assert not any(code in page.text for code in codes)


def test_an_admin_who_set_it_up_reaches_the_pages(client):
    admin = UserFactory(username="boss", is_staff=True)
    _password(client, "boss")
    assert not TOTPDevice.objects.filter(user=admin).exists()
    client.get(SETUP)
    device = TOTPDevice.objects.get(user=admin)
    client.post(SETUP, {"code": totp_code(device)})
    assert client.get(reverse("home")).status_code == 200
    # Next time the password alone is not enough.
    client.post(reverse("accounts:logout"))
    assert _password(client, "boss").url == VERIFY


def test_everyone_must_set_it_up_when_required_for_all(client, case_manager, settings):
    _password(client)
    assert client.get(reverse("clients:list")).status_code == 200  # default: optional
    settings.OTP_REQUIRED_FOR_ALL = True
    response = client.get(reverse("clients:list"))
    assert response.status_code == 302 and response.url == SETUP


def test_the_token_endpoint_asks_for_the_code_of_a_user_with_an_app(api, case_manager, settings):
    settings.OTP_TOTP_THROTTLE_FACTOR = 0  # django-otp's own pause after a wrong code
    device = enrol(case_manager)
    url = reverse("api-token")
    response = api.post(url, {"username": "cm", "password": PASSWORD}, format="json")
    assert response.status_code == 400 and "otp" in response.json()
    response = api.post(
        url, {"username": "cm", "password": PASSWORD, "otp": "000000"}, format="json"
    )
    assert response.status_code == 400 and "not right" in response.json()["otp"][0]
    response = api.post(
        url, {"username": "cm", "password": PASSWORD, "otp": totp_code(device)}, format="json"
    )
    assert response.status_code == 200 and response.json()["token"]


def test_the_token_endpoint_refuses_an_admin_without_an_app(api):
    UserFactory(username="boss", is_superuser=True)
    response = api.post(
        reverse("api-token"), {"username": "boss", "password": PASSWORD}, format="json"
    )
    assert response.status_code == 403
    assert "/accounts/2fa/setup/" in response.json()["detail"]


def test_admin_login_goes_through_our_login(client):
    response = client.get("/admin/login/?next=/admin/")
    assert response.status_code == 302
    assert response.url.startswith(LOGIN) and "next=/admin/" in response.url


def test_an_admin_session_without_the_code_ends_once_an_app_exists(client):
    admin = UserFactory(username="boss", is_staff=True)
    _password(client, "boss")  # signed in with the password, sent to the set-up page
    enrol(admin)  # an app is added elsewhere: this session never gave its code
    response = client.get(reverse("home"))
    assert response.status_code == 302 and response.url == reverse("accounts:login")
    assert "_auth_user_id" not in client.session
