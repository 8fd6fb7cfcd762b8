"""Finding 6 of issue 14: API tokens expire, are one per device, and die at logout."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from casemgmt.accounts.models import ApiToken
from casemgmt.accounts.services import api_token_issue
from tests.factories import PASSWORD

pytestmark = pytest.mark.django_db

CLIENTS = "/api/v1/clients/"


def _obtain(api, username="cm", device="laptop", **extra):
    return api.post(
        reverse("api-token"),
        {"username": username, "password": PASSWORD, "device": device, **extra},
        format="json",
    )


def test_token_from_password_works_and_says_when_it_expires(api, settings, case_manager):
    settings.API_TOKEN_TTL_DAYS = 30
    response = _obtain(api)
    assert response.status_code == 200
    body = response.json()
    assert body["device"] == "laptop"
    token = ApiToken.objects.get(user=case_manager)
    assert timedelta(days=29, hours=23) < token.expires_at - timezone.now() <= timedelta(days=30)
    assert token.digest != body["token"] and body["token"] not in token.digest  # hashed
    api.credentials(HTTP_AUTHORIZATION=f"Token {body['token']}")
    assert api.get(CLIENTS).status_code == 200
    token.refresh_from_db()
    assert token.last_used_at is not None


def test_wrong_password_gets_no_token(api, case_manager):
    response = api.post(reverse("api-token"), {"username": "cm", "password": "nope"}, format="json")
    assert response.status_code == 400
    assert not ApiToken.objects.exists()


def test_expired_token_is_refused_with_a_clear_message(api, case_manager):
    token, raw = api_token_issue(user=case_manager, name="laptop")
    ApiToken.objects.filter(pk=token.pk).update(expires_at=timezone.now() - timedelta(seconds=1))
    api.credentials(HTTP_AUTHORIZATION=f"Token {raw}")
    response = api.get(CLIENTS)
    assert response.status_code == 401
    assert "Token expired" in response.json()["detail"]
    assert response.headers["WWW-Authenticate"] == "Token"


def test_unknown_token_is_refused(api, case_manager):
    api.credentials(HTTP_AUTHORIZATION="Token not-a-token")
    response = api.get(CLIENTS)
    assert response.status_code == 401
    assert "Invalid or revoked" in response.json()["detail"]


def test_api_logout_revokes_only_the_current_token(api, case_manager):
    _, laptop = api_token_issue(user=case_manager, name="laptop")
    _, phone = api_token_issue(user=case_manager, name="phone")
    api.credentials(HTTP_AUTHORIZATION=f"Token {laptop}")
    assert api.post(reverse("api-logout")).status_code == 204
    assert api.get(CLIENTS).status_code == 401
    api.credentials(HTTP_AUTHORIZATION=f"Token {phone}")
    assert api.get(CLIENTS).status_code == 200


def test_api_logout_with_a_session_has_nothing_to_revoke(api_as, case_manager):
    api_token_issue(user=case_manager, name="laptop")
    response = api_as(case_manager).post(reverse("api-logout"))
    assert response.status_code == 400
    assert ApiToken.objects.count() == 1


def test_api_logout_needs_a_sign_in(api):
    assert api.post(reverse("api-logout")).status_code in (401, 403)


def test_a_new_token_for_the_same_device_replaces_the_old_one(api, case_manager):
    first = _obtain(api, device="laptop").json()["token"]
    second = _obtain(api, device="laptop").json()["token"]
    other = _obtain(api, device="phone").json()["token"]
    assert ApiToken.objects.filter(user=case_manager).count() == 2
    api.credentials(HTTP_AUTHORIZATION=f"Token {first}")
    assert api.get(CLIENTS).status_code == 401
    for raw in (second, other):
        api.credentials(HTTP_AUTHORIZATION=f"Token {raw}")
        assert api.get(CLIENTS).status_code == 200


def test_browser_logout_leaves_api_tokens_alone(client, api, case_manager):
    _, raw = api_token_issue(user=case_manager, name="laptop")
    client.force_login(case_manager)
    client.post(reverse("accounts:logout"))
    api.credentials(HTTP_AUTHORIZATION=f"Token {raw}")
    assert api.get(CLIENTS).status_code == 200


def test_token_page_lists_only_my_tokens(client, case_manager, teammate):
    api_token_issue(user=case_manager, name="My laptop")
    api_token_issue(user=teammate, name="Teammate phone")
    client.force_login(case_manager)
    response = client.get(reverse("accounts:tokens"))
    assert response.status_code == 200
    assert "My laptop" in response.text
    assert "Teammate phone" not in response.text


def test_owner_revokes_a_token_from_the_page(client, api, case_manager):
    token, raw = api_token_issue(user=case_manager, name="laptop")
    client.force_login(case_manager)
    response = client.post(reverse("accounts:token_revoke", args=[token.pk]))
    assert response.status_code == 302
    api.credentials(HTTP_AUTHORIZATION=f"Token {raw}")
    assert api.get(CLIENTS).status_code == 401


def test_outsider_cannot_revoke_my_token(client, case_manager, outsider):
    token, _ = api_token_issue(user=case_manager, name="laptop")
    client.force_login(outsider)
    assert client.post(reverse("accounts:token_revoke", args=[token.pk])).status_code == 404
    assert ApiToken.objects.filter(pk=token.pk).exists()


def test_admin_can_revoke_anyones_token_in_django_admin(client, case_manager):
    from tests.factories import UserFactory

    root = UserFactory(username="root", is_staff=True, is_superuser=True)
    token, _ = api_token_issue(user=case_manager, name="laptop")
    client.force_login(root)
    listing = client.get(reverse("admin:accounts_apitoken_changelist"))
    assert listing.status_code == 200 and "laptop" in listing.text
    response = client.post(
        reverse("admin:accounts_apitoken_delete", args=[token.pk]), {"post": "yes"}
    )
    assert response.status_code == 302
    assert not ApiToken.objects.filter(pk=token.pk).exists()
