"""Headless Chromium through Playwright, driving Debian's /usr/bin/chromium.

One browser per test session. Without Chromium the browser tests skip with a message
saying how to install it, except where ``CI`` is set: there a missing browser fails
(``tests.system_packages``).
"""

import os
from pathlib import Path

import pytest

from tests.system_packages import require_system_package

CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
ARTIFACTS = Path(__file__).resolve().parent.parent / "_artifacts"


def pytest_collection_modifyitems(config, items):
    for item in items:
        if "tests/browser/" in str(item.fspath):
            item.add_marker(pytest.mark.browser)


@pytest.fixture(scope="session")
def chromium():
    require_system_package(
        f"Chromium at {CHROMIUM}", found=Path(CHROMIUM).exists(), install="apt-get install chromium"
    )
    from playwright.sync_api import sync_playwright

    # Playwright's sync API runs an event loop in this thread; the ORM calls the tests
    # make themselves (factories) are still synchronous and safe.
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM,
            headless=True,
            args=[
                "--no-sandbox",
                "--disable-gpu",
                "--disable-dev-shm-usage",
                "--disable-quic",
                "--no-first-run",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
            ],
        )
        yield browser
        browser.close()
    os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)


@pytest.fixture
def page(chromium, live_server, transactional_db):
    context = chromium.new_context(
        base_url=live_server.url, viewport={"width": 1280, "height": 860}
    )
    page = context.new_page()
    page.set_default_timeout(10_000)
    page.csp_violations = []
    page.on(
        "console",
        lambda msg: (
            page.csp_violations.append(msg.text) if "Content Security Policy" in msg.text else None
        ),
    )
    yield page
    context.close()


@pytest.fixture
def shot():
    ARTIFACTS.mkdir(exist_ok=True)

    def take(page, name):
        path = ARTIFACTS / f"{name}.png"
        page.screenshot(path=str(path), full_page=True)
        return path

    return take


def log_in(page, username, password, *, device=None, steps_ahead=0):
    """Sign in through the login page; with ``device`` (a confirmed TOTPDevice, see
    ``tests.two_factor.enrol``) also give the app's current code, computed here. Users
    without two-factor sign-in see no second step, as before. A device takes each 30-second
    step's code once: a second sign-in within the step passes ``steps_ahead=1``."""
    page.goto("/accounts/login/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Log in").click()
    if device is not None:
        from tests.two_factor import totp_code

        page.wait_for_url("**/accounts/login/verify/")
        page.get_by_label("Authentication code").fill(totp_code(device, steps_ahead=steps_ahead))
        page.get_by_role("button", name="Verify").click()
