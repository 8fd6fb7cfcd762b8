"""Issue 15, section 5: a 42 CFR Part 2 consent's recipient is a directory organisation
(or a typed name when not in the directory) and the referral gate matches on that; a
refused send says what is missing and offers to record the consent with the recipient
filled in, coming back to the referral; the packet carries the consent's scope next to
the 42 CFR 2.32 notice.

The consent elements follow 42 CFR 2.31(a) as amended by the 2024 final rule
(89 FR 12472, Feb. 16, 2024): (a)(4)(i) the recipients by name; (a)(4)(ii) for an
intermediary, its name and its participants by name or a general designation limited to
those with a treating provider relationship; (a)(4)(iii) for a TPO consent, the
statement that the record may be redisclosed under HIPAA; (a)(6) the right to revoke
"and how the patient may revoke consent"."""

from datetime import date, timedelta

import pytest
from django.urls import reverse

from clients.models import Consent
from referrals.models import Organization, Referral, Service, ServiceCategory
from referrals.services import referral_create, referral_send
from tests import pdf as pdfs
from tests.clients.test_consents import _form_data, part2, tpo
from tests.referrals.conftest import part2_consent

pytestmark = pytest.mark.django_db

REASON = "Alcohol withdrawal, daily use, wants detox"


@pytest.fixture
def nueva_vida(db):
    org = Organization.objects.create(name="Nueva Vida Recovery Center")
    return Service.objects.create(
        organization=org, name="Residential treatment", category=ServiceCategory.WITHDRAWAL
    )


def _data(**overrides):
    """A complete Part 2 consent form, in effect today."""
    return _form_data(expires_on=date(2030, 1, 1), **overrides)


def _referral(case_manager, client, service):
    return referral_create(actor=case_manager, client=client, service=service, reason=REASON)


def _new_consent_url(client, **query):
    from urllib.parse import urlencode

    return reverse("clients:consent_create", args=[client.pk]) + "?" + urlencode(query)


def test_a_typed_short_name_does_not_cover_the_directory_organisation(
    case_manager, client_record, nueva_vida
):
    part2_consent(client_record, case_manager, recipient="Nueva Vida")
    referral = _referral(case_manager, client_record, nueva_vida)
    from casemgmt.lib.errors import Conflict

    with pytest.raises(Conflict) as error:
        referral_send(actor=case_manager, referral=referral)
    message = str(error.value)
    assert "No active 42 CFR Part 2 consent names 'Nueva Vida Recovery Center'" in message
    assert "'Nueva Vida', which is not 'Nueva Vida Recovery Center'" in message
    assert Referral.objects.get(pk=referral.pk).status == "draft"


def test_a_consent_choosing_the_directory_organisation_covers_its_referrals(
    browser_as, case_manager, client_record, nueva_vida
):
    org = nueva_vida.organization
    data = _data(recipients=[]) | {"recipient_organizations": [str(org.pk)]}
    response = browser_as(case_manager).post(_new_consent_url(client_record, kind="part2"), data)
    assert response.status_code == 302
    consent = Consent.objects.get()
    assert consent.recipient_directory_ids == [org.pk]
    assert consent.recipients == ["Nueva Vida Recovery Center"]
    # The organisation is renamed in the directory: the consent still covers it.
    Organization.objects.filter(pk=org.pk).update(name="Nueva Vida Recovery Center, Inc.")
    referral = _referral(case_manager, client_record, Service.objects.get(pk=nueva_vida.pk))
    sent = referral_send(actor=case_manager, referral=referral)
    assert sent.status == "sent" and sent.consent_id == consent.pk


def test_a_typed_name_of_a_directory_organisation_is_linked_to_it(
    browser_as, case_manager, client_record, nueva_vida
):
    data = _data(recipients=["nueva vida recovery CENTER"])
    browser_as(case_manager).post(_new_consent_url(client_record, kind="part2"), data)
    assert Consent.objects.get().recipient_directory_ids == [nueva_vida.organization_id]


def test_refused_send_offers_the_consent_with_the_recipient_and_comes_back(
    browser_as, case_manager, client_record, nueva_vida
):
    referral = _referral(case_manager, client_record, nueva_vida)
    browser = browser_as(case_manager)
    detail = reverse("referrals:referral_detail", args=[client_record.pk, referral.pk])
    page = browser.get(detail).content.decode()
    assert 'id="part2-consent"' in page and "Record a consent for Nueva Vida" in page
    link = _new_consent_url(
        client_record,
        kind="part2",
        purpose="Referral to Nueva Vida Recovery Center for treatment",
        next=detail,
        directory=nueva_vida.organization_id,
    )
    form = browser.get(link).content.decode()
    # The directory organisation is chosen already; the purpose is filled in.
    assert f'value="{nueva_vida.organization_id}" selected' in form
    assert "Referral to Nueva Vida Recovery Center for treatment" in form
    data = _data(recipients=[]) | {
        "recipient_organizations": [str(nueva_vida.organization_id)],
        "next": detail,
    }
    saved = browser.post(link, data)
    assert saved.status_code == 302 and saved.url == detail
    assert referral_send(actor=case_manager, referral=referral).status == "sent"


def test_next_to_another_site_is_ignored(browser_as, case_manager, client_record):
    data = _data() | {"next": "https://evil.example/steal"}
    response = browser_as(case_manager).post(_new_consent_url(client_record, kind="part2"), data)
    consent = Consent.objects.get()
    assert response.url == reverse("clients:consent_detail", args=[client_record.pk, consent.pk])


def test_intermediary_needs_its_participants(case_manager, client_record):
    from django.core.exceptions import ValidationError

    from clients.services import consent_create

    with pytest.raises(ValidationError) as error:
        consent_create(
            actor=case_manager,
            client=client_record,
            **part2(intermediary_name="Riverside Health Information Exchange"),
        )
    assert set(error.value.message_dict) == {"intermediary_participants"}
    assert "2.31(a)(4)(ii)" in error.value.message_dict["intermediary_participants"][0]
    consent = consent_create(
        actor=case_manager,
        client=client_record,
        **part2(
            intermediary_name="Riverside Health Information Exchange",
            intermediary_participants="My treating providers among its participants",
        ),
    )
    assert consent.intermediary_name == "Riverside Health Information Exchange"


def test_tpo_consent_needs_the_hipaa_redisclosure_statement(case_manager, client_record):
    from django.core.exceptions import ValidationError

    from clients.services import consent_create

    with pytest.raises(ValidationError) as error:
        consent_create(
            actor=case_manager, client=client_record, **tpo(hipaa_redisclosure_statement="")
        )
    assert set(error.value.message_dict) == {"hipaa_redisclosure_statement"}
    assert "2.31(a)(4)(iii)" in error.value.message_dict["hipaa_redisclosure_statement"][0]
    assert not Consent.objects.exists()


def test_form_prefills_how_to_revoke_and_the_statement(browser_as, case_manager, client_record):
    form = browser_as(case_manager).get(_new_consent_url(client_record, kind="part2")).text
    assert 'name="how_to_revoke"' in form and "in writing" in form
    assert 'name="hipaa_redisclosure_statement"' in form and "HIPAA regulations" in form


def test_api_directory_recipients(api_as, case_manager, client_record, nueva_vida):
    api = api_as(case_manager)
    body = part2(recipients=[], recipient_directory_ids=[999_999]) | {"client": client_record.pk}
    body = {k: (v.isoformat() if hasattr(v, "isoformat") else v) for k, v in body.items()}
    refused = api.post("/api/v1/consents/", body, format="json")
    assert refused.status_code == 400 and "recipient_directory_ids" in refused.json()
    body["recipient_directory_ids"] = [nueva_vida.organization_id]
    made = api.post("/api/v1/consents/", body, format="json")
    assert made.status_code == 201, made.json()
    assert made.json()["recipients"] == ["Nueva Vida Recovery Center"]
    assert made.json()["recipient_directory_ids"] == [nueva_vida.organization_id]
    assert made.json()["how_to_revoke"] == part2()["how_to_revoke"]


@pytest.mark.parametrize("html", [False, True], ids=["pdf", "printable page"])
def test_packet_carries_the_consent_scope(browser_as, case_manager, client_record, service, html):
    consent = part2_consent(
        client_record,
        case_manager,
        information_description="Diagnosis and medications for withdrawal",
        purpose="Coordinate detox admission",
        expires_on=client_record.team.local_date() + timedelta(days=30),
    )
    referral = _referral(case_manager, client_record, service)
    url = f"/referrals/clients/{client_record.pk}/{referral.pk}/packet/"
    response = browser_as(case_manager).get(url + ("?format=html" if html else ""))
    text = response.content.decode() if html else " ".join(pdfs.text(response.content).split())
    assert "42 CFR 2.32" in text
    assert "Disclosed with the client's written consent (42 CFR 2.31)" in text
    assert "Coordinate detox admission" in text and consent.recipients[0] in text
    assert "Diagnosis and medications for withdrawal" in text
