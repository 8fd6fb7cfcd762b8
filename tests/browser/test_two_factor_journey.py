"""An admin's first sign-in: set up the authenticator app, keep the recovery codes, then
sign in with password and code. Screenshots of the set-up and code pages, desktop and phone."""

import re

from django_otp.plugins.otp_totp.models import TOTPDevice
from playwright.sync_api import expect

from tests.browser.conftest import log_in
from tests.factories import PASSWORD, UserFactory
from tests.two_factor import totp_code

PHONE = {"width": 390, "height": 844}


def test_admin_sets_up_two_factor_and_signs_in_with_a_code(page, shot, chromium, live_server):
    admin = UserFactory(username="boss", is_staff=True)

    log_in(page, "boss", PASSWORD)  # the password alone leads to the set-up page
    expect(page).to_have_url(re.compile(r"/accounts/2fa/setup/$"))
    expect(page.get_by_role("heading", name="Set up two-factor sign-in")).to_be_visible()
    expect(page.locator(".qr-code svg")).to_be_visible()
    shot(page, "2fa-01-setup-desktop")
    page.goto("/clients/")  # nothing else opens before it is set up
    expect(page).to_have_url(re.compile(r"/accounts/2fa/setup/$"))

    device = TOTPDevice.objects.get(user=admin, confirmed=False)
    page.get_by_label("Authentication code").fill(totp_code(device))
    page.get_by_role("button", name="Turn on two-factor sign-in").click()
    expect(page.get_by_role("heading", name="Your recovery codes")).to_be_visible()
    expect(page.locator(".recovery-codes li")).to_have_count(10)
    shot(page, "2fa-02-recovery-codes")
    page.get_by_role("link", name="I have kept them, continue").click()
    expect(page.get_by_role("heading", name="Today", exact=True)).to_be_visible()

    page.get_by_role("button", name=admin.display_name).click()
    page.get_by_role("button", name="Log out").click()
    page.goto("/accounts/login/")
    page.get_by_label("Username").fill("boss")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    expect(page.get_by_role("heading", name="Enter your code")).to_be_visible()
    expect(page.get_by_label("Authentication code")).to_be_focused()
    shot(page, "2fa-03-verify-desktop")
    page.get_by_label("Authentication code").fill("000000")
    page.get_by_role("button", name="Verify").click()
    expect(page.get_by_text("That code is not right").first).to_be_visible()
    device.refresh_from_db()
    device.throttle_reset()  # django-otp pauses a device a second after a wrong code
    page.get_by_label("Authentication code").fill(totp_code(device, steps_ahead=1))
    page.get_by_role("button", name="Verify").click()
    expect(page.get_by_role("heading", name="Today", exact=True)).to_be_visible()
    assert page.csp_violations == []

    # Phone: the same two pages at 390 px.
    phone = chromium.new_context(base_url=live_server.url, viewport=PHONE)
    mobile = phone.new_page()
    other = UserFactory(username="boss2", is_superuser=True)
    log_in(mobile, "boss2", PASSWORD)
    expect(mobile.locator(".qr-code svg")).to_be_visible()
    box = mobile.locator(".qr-code svg").bounding_box()
    assert box and box["width"] <= PHONE["width"]
    shot(mobile, "2fa-04-setup-phone")
    code_device = TOTPDevice.objects.get(user=other, confirmed=False)
    mobile.get_by_label("Authentication code").fill(totp_code(code_device))
    mobile.get_by_role("button", name="Turn on two-factor sign-in").click()
    expect(mobile.get_by_role("heading", name="Your recovery codes")).to_be_visible()
    mobile.context.clear_cookies()
    mobile.goto("/accounts/login/")
    mobile.get_by_label("Username").fill("boss2")
    mobile.get_by_label("Password").fill(PASSWORD)
    mobile.get_by_role("button", name="Log in").click()
    expect(mobile.get_by_role("heading", name="Enter your code")).to_be_visible()
    shot(mobile, "2fa-05-verify-phone")
    phone.close()


def test_a_user_without_two_factor_signs_in_as_before(page, case_manager):
    log_in(page, "cm", PASSWORD)
    expect(page.get_by_role("heading", name="Today", exact=True)).to_be_visible()


def test_a_user_with_an_app_signs_in_through_the_shared_helper(page, case_manager):
    from tests.two_factor import enrol

    log_in(page, "cm", PASSWORD, device=enrol(case_manager))
    expect(page.get_by_role("heading", name="Today", exact=True)).to_be_visible()
