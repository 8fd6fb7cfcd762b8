"""A case manager prints a Spanish-speaking client's care plan and safety plan: the
print buttons give the client's language (Spanish), and "Print in: English | Español"
switches; desktop and phone screenshots land in tests/_artifacts/."""

from playwright.sync_api import expect

from tests import pdf as pdfs
from tests.browser.conftest import log_in
from tests.careplans.test_pdf_spanish import spanish_client, spanish_plan  # noqa: F401
from tests.factories import PASSWORD


def _pdf_text(page, href: str) -> str:
    response = page.request.get(href)
    assert response.status == 200 and response.headers["content-type"] == "application/pdf"
    return pdfs.text(response.body())


def test_print_in_the_clients_language_or_switch(
    page,
    shot,
    chromium,
    live_server,
    spanish_plan,  # noqa: F811
):
    client = spanish_plan.client
    log_in(page, "cm", PASSWORD)
    page.goto(f"/careplans/{client.pk}/plans/{spanish_plan.pk}/")
    switch = page.locator(".print-in").first
    expect(switch).to_contain_text("Print in:")
    expect(switch).to_contain_text("Español (client's language)")
    shot(page, "print-language-plan-desktop")

    button = page.get_by_role("link", name="Print client copy (PDF, Español)")
    assert "Mi plan de atención" in _pdf_text(page, button.get_attribute("href"))
    english = switch.get_by_role("link", name="English")
    assert "My care plan" in _pdf_text(page, english.get_attribute("href"))
    spanish = switch.get_by_role("link", name="Español")
    expect(spanish).to_have_attribute("lang", "es")
    text = _pdf_text(page, spanish.get_attribute("href"))
    assert "Mi plan de atención" in text and "llame al 988 y marque 2" in text

    # Keyboard: the switch's links are reachable and show focus.
    spanish.focus()
    expect(spanish).to_be_focused()

    page.goto(f"/careplans/{client.pk}/safety-plan/")
    safety_switch = page.locator(".print-in").first
    expect(safety_switch).to_contain_text("Español (client's language)")
    href = page.get_by_role("link", name="Print safety plan (PDF, Español)").get_attribute("href")
    assert "Mi plan de seguridad" in _pdf_text(page, href)
    english = safety_switch.get_by_role("link", name="English").get_attribute("href")
    assert "My safety plan" in _pdf_text(page, english)
    shot(page, "print-language-safety-desktop")

    phone = chromium.new_context(
        base_url=live_server.url, viewport={"width": 390, "height": 844}, is_mobile=True
    )
    mobile = phone.new_page()
    log_in(mobile, "cm", PASSWORD)
    mobile.goto(f"/careplans/{client.pk}/plans/{spanish_plan.pk}/")
    expect(mobile.locator(".print-in").first).to_be_visible()
    shot(mobile, "print-language-plan-phone")
    mobile.goto(f"/careplans/{client.pk}/safety-plan/")
    shot(mobile, "print-language-safety-phone")
    phone.close()
    assert page.csp_violations == []
