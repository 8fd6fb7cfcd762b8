"""Issue 14, finding 2: the 42 CFR Part 2 gate on every path by which a referral leaves
the program (send, packet PDF, printable packet; a draft too), each entered in the
accounting of disclosures; a referral of a client with a substance use diagnosis is
presumed to disclose it, and saying it does not needs a reason and withholds it.

Finding 4: the packet is rendered by the one PDF renderer, which never follows the
request's Host header anywhere."""

import pytest

from casemgmt.audit.models import AuditEvent
from clients.models import Diagnosis
from referrals.models import Disclosure, Referral
from referrals.services import referral_create, referral_send
from tests import pdf as pdfs
from tests.referrals.conftest import part2_consent

pytestmark = pytest.mark.django_db

REASON = "Alcohol withdrawal, daily use, wants detox"


@pytest.fixture
def sud_client(client_record, case_manager):
    Diagnosis.objects.create(
        client=client_record,
        category="substance_use",
        icd10_code="F10.20",
        description="Alcohol use disorder, moderate",
        recorded_by=case_manager,
    )
    return client_record


def _packet(browser, referral, html=False):
    url = f"/referrals/clients/{referral.client_id}/{referral.pk}/packet/"
    return browser.get(url + ("?format=html" if html else ""))


@pytest.mark.parametrize("html", [False, True], ids=["pdf", "printable page"])
def test_a_draft_sharing_substance_use_prints_no_packet_without_consent(
    browser_as, case_manager, client_record, service, html
):
    referral = referral_create(
        actor=case_manager, client=client_record, service=service, reason=REASON
    )
    browser = browser_as(case_manager)
    response = _packet(browser, referral, html=html)
    assert response.status_code == 302  # back to the referral, saying why
    assert not response.content.startswith(b"%PDF")
    page = browser.get(response.url)
    assert "Not printed" in page.content.decode() and "42 CFR Part 2 consent" in (
        page.content.decode()
    )
    assert not Disclosure.objects.exists()
    assert not AuditEvent.objects.filter(action="print").exists()


def test_a_draft_packet_with_consent_is_entered_in_the_accounting(
    browser_as, case_manager, client_record, service
):
    consent = part2_consent(client_record, case_manager)
    referral = referral_create(
        actor=case_manager, client=client_record, service=service, reason=REASON
    )
    browser = browser_as(case_manager)
    pdf = _packet(browser, referral)
    assert pdf["Content-Type"] == "application/pdf"
    assert REASON in " ".join(pdfs.text(pdf.content).split())
    page = _packet(browser, referral, html=True)
    assert page.status_code == 200 and REASON in page.content.decode()
    disclosures = list(Disclosure.objects.order_by("id"))
    assert [d.consent_id for d in disclosures] == [consent.pk, consent.pk]
    assert all(d.recipient == "Harbor Detox" for d in disclosures)
    assert "packet PDF" in disclosures[0].purpose
    assert "packet printed" in disclosures[1].purpose
    assert AuditEvent.objects.filter(action="print", client_id=client_record.pk).count() == 2


def test_a_revoked_consent_stops_the_packet_of_a_sent_referral(
    browser_as, case_manager, client_record, service
):
    from clients.services import consent_revoke

    consent = part2_consent(client_record, case_manager)
    referral = referral_create(
        actor=case_manager, client=client_record, service=service, reason=REASON
    )
    referral_send(actor=case_manager, referral=referral)
    consent_revoke(actor=case_manager, consent=consent, reason="Client withdrew consent")
    response = _packet(browser_as(case_manager), referral)
    assert response.status_code == 302
    assert Disclosure.objects.count() == 1  # the send only


def test_saying_a_referral_shares_no_substance_use_needs_a_reason_for_a_sud_client(
    api_as, case_manager, sud_client
):
    api = api_as(case_manager)
    body = {
        "client": sud_client.pk,
        "provider_name": "Harbor Detox",
        "reason": REASON,
        "discloses_substance_use": False,
    }
    response = api.post("/api/v1/referrals/", body, format="json")
    assert response.status_code == 400 and "no_disclosure_reason" in response.json()
    assert not Referral.objects.exists()
    response = api.post(
        "/api/v1/referrals/",
        body | {"no_disclosure_reason": "Housing referral only; client asked us not to share"},
        format="json",
    )
    assert response.status_code == 201
    assert response.json()["no_disclosure_reason"].startswith("Housing referral only")
    event = AuditEvent.objects.get(action="create", object_id=str(response.json()["id"]))
    assert event.detail["discloses_substance_use"] is False
    assert event.detail["no_disclosure_reason_given"] is True


def test_a_referral_sharing_none_sends_without_consent_and_its_packet_leaves_the_reason_out(
    browser_as, case_manager, sud_client
):
    referral = referral_create(
        actor=case_manager,
        client=sud_client,
        provider_name="Harbor Detox",
        reason=REASON,
        discloses_substance_use=False,
        no_disclosure_reason="Only the appointment is arranged; details by phone",
    )
    referral_send(actor=case_manager, referral=referral)
    browser = browser_as(case_manager)
    pdf = _packet(browser, referral)
    text = " ".join(pdfs.text(pdf.content).split())
    assert "Alcohol" not in text and "withdrawal" not in text and "F10" not in text
    assert "shares no substance use information" in text
    page = _packet(browser, referral, html=True).content.decode()
    assert "Alcohol" not in page and "reason-withheld" in page
    assert "42 CFR 2.32" not in page  # nothing Part 2 in it, so no re-disclosure notice
    assert not Disclosure.objects.exists()
    assert AuditEvent.objects.filter(action="print", client_id=sud_client.pk).count() == 2


def test_the_packet_fetches_nothing_from_the_host_the_request_names(
    browser_as, case_manager, client_record, service
):
    """Finding 4: with the Host header pointing at a listening socket, rendering the
    packet makes no connection to it (the old renderer fetched its stylesheet there)."""
    part2_consent(client_record, case_manager)
    referral = referral_create(
        actor=case_manager, client=client_record, service=service, reason="Needs detox"
    )
    with pdfs.Listener() as listener:
        response = browser_as(case_manager).get(
            f"/referrals/clients/{client_record.pk}/{referral.pk}/packet/",
            HTTP_HOST=f"127.0.0.1:{listener.port}",
        )
    assert response.status_code == 200 and response.content.startswith(b"%PDF")
    assert listener.connections == []
    # The packet's own stylesheet (an app static file) was read from disk: Letter pages.
    assert set(pdfs.page_sizes(response.content)) == {(612.0, 792.0)}
