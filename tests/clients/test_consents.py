"""Consents and releases of information, with 42 CFR Part 2: services, the disclosure
selector, the Consents tab and ``/api/v1/consents/``."""

from datetime import UTC, date, datetime, timedelta

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from casemgmt.audit.models import AuditEvent
from casemgmt.lib.errors import Conflict
from clients import selectors, services
from clients.models import Consent, ConsentKind, TimelineEntry
from clients.selectors.consents import (
    consent_active_q,
    consent_allows_disclosure,
    consent_state,
)
from clients.services.consents import PART2_MISSING
from tests.factories import ClientFactory

pytestmark = pytest.mark.django_db

SIGNED = date(2026, 1, 5)


def part2(**overrides) -> dict:
    """Every element of 42 CFR 2.31(a), complete."""
    return {
        "kind": ConsentKind.PART2,
        "patient_name": "Robin Okafor",
        "discloser": "Riverside IDDT team",
        "information_description": "Substance use diagnosis, medications and attendance",
        "recipients": ["Harbor Detox"],
        "purpose": "Coordinate detox admission and aftercare",
        "right_to_revoke_explained": True,
        "how_to_revoke": "In writing to the Riverside IDDT team",
        "expiry_kind": "date",
        "expires_on": date(2026, 3, 1),
        "signed_by": "Robin Okafor",
        "signed_on": SIGNED,
        "signature_method": "paper",
    } | overrides


def tpo(**overrides) -> dict:
    return (
        part2(
            is_tpo=True,
            recipients=[],
            recipient_class="my treating providers, health plans and people helping to operate "
            "this program",
            purpose="treatment, payment and health care operations",
            hipaa_redisclosure_statement="My record may be redisclosed under HIPAA, except "
            "for proceedings against me.",
            expiry_kind="none",
            expires_on=None,
        )
        | overrides
    )


def record(client, actor, **values) -> Consent:
    return services.consent_create(actor=actor, client=client, **(part2() | values))


# ============================================================================= services
def test_complete_part2_consent_is_recorded_audited_and_on_the_timeline(
    client_record, case_manager
):
    consent = record(client_record, case_manager, recipients=["  Harbor  Detox ", "harbor detox"])
    assert consent.kind == "part2" and consent.recorded_by == case_manager
    assert consent.recipients == ["Harbor Detox"]  # trimmed, repeats dropped
    event = AuditEvent.objects.get(object_type="clients.consent", action="create")
    assert event.client_id == client_record.pk and event.object_id == str(consent.pk)
    entry = TimelineEntry.objects.get(client=client_record, kind="consent")
    assert entry.summary == "42 CFR Part 2 consent for Harbor Detox recorded (signed 2026-01-05)"
    assert entry.object_id == str(consent.pk)


def test_empty_part2_consent_names_every_missing_element_and_saves_nothing(
    client_record, case_manager
):
    with pytest.raises(ValidationError) as error:
        services.consent_create(actor=case_manager, client=client_record, kind="part2")
    errors = error.value.message_dict
    assert set(errors) == {
        "patient_name",
        "discloser",
        "information_description",
        "recipients",
        "purpose",
        "right_to_revoke_explained",
        "how_to_revoke",
        "expiry_kind",
        "signed_by",
        "signature_method",
        "signed_on",
    }
    assert all(len(messages) == 1 for messages in errors.values())
    assert all("42 CFR 2.31(a)(" in messages[0] for messages in errors.values())
    assert errors["purpose"] == [
        "A Part 2 consent must state the purpose of the disclosure (42 CFR 2.31(a)(5))."
    ]
    assert not Consent.objects.exists()
    assert not AuditEvent.objects.filter(object_type="clients.consent").exists()
    assert not TimelineEntry.objects.exists()


@pytest.mark.parametrize(
    ("field", "empty", "paragraph"),
    [
        ("patient_name", "", "(a)(1)"),
        ("discloser", "  ", "(a)(2)"),
        ("information_description", "", "(a)(3)"),
        ("recipients", ["", "  "], "(a)(4)"),
        ("purpose", "", "(a)(5)"),
        ("right_to_revoke_explained", False, "(a)(6)"),
        ("how_to_revoke", "  ", "(a)(6)"),
        ("expiry_kind", "", "(a)(7)"),
        ("signed_by", "", "(a)(8)"),
        ("signature_method", "", "(a)(8)"),
        ("signed_on", None, "(a)(9)"),
    ],
)
def test_each_missing_part2_element_is_named_alone(
    client_record, case_manager, field, empty, paragraph
):
    with pytest.raises(ValidationError) as error:
        record(client_record, case_manager, **{field: empty})
    assert error.value.message_dict == {field: [PART2_MISSING[field]]}
    assert f"42 CFR 2.31{paragraph}" in PART2_MISSING[field]
    assert not Consent.objects.exists()


def test_general_designation_only_in_a_tpo_consent(client_record, case_manager):
    with pytest.raises(ValidationError) as error:
        record(client_record, case_manager, recipients=[], recipient_class="my providers")
    assert set(error.value.message_dict) == {"recipients", "recipient_class"}
    assert "only for a treatment, payment" in error.value.message_dict["recipient_class"][0]
    consent = services.consent_create(actor=case_manager, client=client_record, **tpo())
    assert consent.is_tpo and consent.recipients == [] and consent.expiry_kind == "none"


def test_tpo_consent_needs_recipients_or_a_general_designation(client_record, case_manager):
    with pytest.raises(ValidationError) as error:
        services.consent_create(actor=case_manager, client=client_record, **tpo(recipient_class=""))
    assert error.value.message_dict == {"recipients": [PART2_MISSING["recipients_tpo"]]}


def test_no_expiry_only_for_tpo_consents(client_record, case_manager):
    with pytest.raises(ValidationError) as error:
        record(client_record, case_manager, expiry_kind="none", expires_on=None)
    assert list(error.value.message_dict) == ["expiry_kind"]
    assert "Only a consent for treatment, payment" in error.value.message_dict["expiry_kind"][0]


def test_expiry_date_is_required_and_not_before_the_date_signed(client_record, case_manager):
    with pytest.raises(ValidationError) as error:
        record(client_record, case_manager, expires_on=None)
    assert list(error.value.message_dict) == ["expires_on"]
    with pytest.raises(ValidationError) as error:
        record(client_record, case_manager, expires_on=SIGNED - timedelta(days=1))
    assert error.value.message_dict == {
        "expires_on": ["The consent cannot expire before the date it was signed."]
    }
    assert record(client_record, case_manager, expires_on=SIGNED).expires_on == SIGNED


def test_event_expiry_needs_the_event(client_record, case_manager):
    with pytest.raises(ValidationError) as error:
        record(client_record, case_manager, expiry_kind="event", expires_on=None)
    assert list(error.value.message_dict) == ["expiry_event"]
    consent = record(
        client_record,
        case_manager,
        expiry_kind="event",
        expiry_event="Discharge from Harbor Detox",
        expires_on=date(2026, 3, 1),  # ignored: the expiry is the event
    )
    assert consent.expiry_event == "Discharge from Harbor Detox" and consent.expires_on is None


def test_signed_today_is_accepted_but_not_tomorrow(client_record, case_manager):
    today = client_record.team.local_date()
    with pytest.raises(ValidationError) as error:
        record(
            client_record,
            case_manager,
            signed_on=today + timedelta(days=1),
            expires_on=today + timedelta(days=30),
        )
    assert error.value.message_dict == {"signed_on": ["The date signed cannot be in the future."]}
    assert record(
        client_record, case_manager, signed_on=today, expires_on=today + timedelta(days=30)
    )


def test_treatment_consent_needs_signature_method_and_date(client_record, case_manager):
    with pytest.raises(ValidationError) as error:
        services.consent_create(actor=case_manager, client=client_record, kind="treatment")
    assert set(error.value.message_dict) == {"signed_by", "signature_method", "signed_on"}
    consent = services.consent_create(
        actor=case_manager,
        client=client_record,
        kind="treatment",
        signed_by="Robin Okafor",
        signed_on=SIGNED,
        signature_method="screen",
    )
    assert consent.expiry_kind == "none"


def test_general_release_needs_recipients_information_purpose_signature_and_date(
    client_record, case_manager
):
    with pytest.raises(ValidationError) as error:
        services.consent_create(actor=case_manager, client=client_record, kind="release")
    assert set(error.value.message_dict) == {
        "recipients",
        "information_description",
        "purpose",
        "signed_by",
        "signature_method",
        "signed_on",
    }
    with pytest.raises(ValidationError) as error:
        services.consent_create(
            actor=case_manager, client=client_record, **part2(kind="release", is_tpo=True)
        )
    assert list(error.value.message_dict) == ["is_tpo"]


def test_revoke_keeps_the_consent_with_date_reason_and_who(client_record, case_manager):
    consent = record(client_record, case_manager)
    services.consent_revoke(
        actor=case_manager, consent=consent, revoked_on=date(2026, 2, 1), reason=" Asked "
    )
    consent.refresh_from_db()
    assert (consent.revoked_on, consent.revoked_reason) == (date(2026, 2, 1), "Asked")
    assert consent.revoked_by == case_manager
    event = AuditEvent.objects.get(object_type="clients.consent", action="update")
    assert event.detail["verb"] == "revoke"
    assert TimelineEntry.objects.filter(
        kind="consent", summary="42 CFR Part 2 consent for Harbor Detox revoked from 2026-02-01"
    ).exists()


def test_revoke_defaults_to_today(client_record, case_manager):
    consent = record(client_record, case_manager)
    services.consent_revoke(actor=case_manager, consent=consent, reason="Client asked")
    assert consent.revoked_on == client_record.team.local_date()


def test_revoked_consent_cannot_be_revoked_again(client_record, case_manager, teammate):
    consent = record(client_record, case_manager)
    services.consent_revoke(actor=case_manager, consent=consent, reason="Client asked")
    stale = Consent.objects.get(pk=consent.pk)
    with pytest.raises(Conflict, match="already revoked"):
        services.consent_revoke(actor=teammate, consent=stale, reason="Again")
    stale.refresh_from_db()
    assert stale.revoked_by == case_manager and stale.revoked_reason == "Client asked"


@pytest.mark.parametrize(
    ("revoked_on", "reason", "field"),
    [
        (None, "  ", "reason"),
        (date(2099, 1, 1), "Client asked", "revoked_on"),
        (SIGNED - timedelta(days=1), "Client asked", "revoked_on"),
    ],
)
def test_revoke_needs_a_reason_and_a_date_between_signing_and_today(
    client_record, case_manager, revoked_on, reason, field
):
    consent = record(client_record, case_manager)
    with pytest.raises(ValidationError) as error:
        services.consent_revoke(
            actor=case_manager, consent=consent, revoked_on=revoked_on, reason=reason
        )
    assert list(error.value.message_dict) == [field]
    consent.refresh_from_db()
    assert consent.revoked_on is None


def test_revoked_on_the_signing_day_is_allowed(client_record, case_manager):
    consent = record(client_record, case_manager)
    services.consent_revoke(actor=case_manager, consent=consent, revoked_on=SIGNED, reason="x")
    assert consent_state(consent, SIGNED) == "revoked"


# =========================================================================== active/expiry
@pytest.mark.parametrize(
    ("on", "state"),
    [
        (date(2026, 1, 4), "not_yet_in_effect"),  # the day before signing
        (date(2026, 1, 5), "active"),  # the signing day
        (date(2026, 3, 1), "active"),  # the expiry date is the last day in effect
        (date(2026, 3, 2), "expired"),
    ],
)
def test_date_expiry_boundaries(client_record, case_manager, on, state):
    consent = record(client_record, case_manager)
    assert consent_state(consent, on) == state
    assert Consent.objects.filter(consent_active_q(on)).exists() == (state == "active")


@pytest.mark.parametrize(
    ("on", "state"),
    [(date(2026, 1, 31), "active"), (date(2026, 2, 1), "revoked"), (date(2026, 9, 1), "revoked")],
)
def test_revocation_boundaries(client_record, case_manager, on, state):
    consent = record(client_record, case_manager, expires_on=date(2026, 12, 31))
    services.consent_revoke(
        actor=case_manager, consent=consent, revoked_on=date(2026, 2, 1), reason="Asked"
    )
    assert consent_state(consent, on) == state
    assert Consent.objects.filter(consent_active_q(on)).exists() == (state == "active")


def test_event_and_tpo_consents_stay_active_until_revoked(client_record, case_manager):
    event = record(
        client_record, case_manager, expiry_kind="event", expiry_event="Discharge from detox"
    )
    general = services.consent_create(actor=case_manager, client=client_record, **tpo())
    far = date(2040, 1, 1)
    assert consent_state(event, far) == consent_state(general, far) == "active"
    assert Consent.objects.filter(consent_active_q(far)).count() == 2
    services.consent_revoke(actor=case_manager, consent=event, reason="Discharged from detox")
    assert consent_state(event, far) == "revoked"


# ================================================================ consent_allows_disclosure
def test_disclosure_selector_is_exported_for_other_apps():
    assert selectors.consent_allows_disclosure is consent_allows_disclosure
    assert "referrals" in consent_allows_disclosure.__doc__


@pytest.mark.parametrize("recipient", ["Harbor Detox", "  harbor   DETOX ", "HARBOR DETOX"])
def test_named_recipient_is_allowed_whatever_the_case_and_spaces(
    client_record, case_manager, recipient
):
    consent = record(client_record, case_manager)
    check = consent_allows_disclosure(
        client=client_record, recipient=recipient, when=date(2026, 2, 1)
    )
    assert check.allowed and check.consent == consent
    assert "signed on 2026-01-05" in check.reason


def test_no_consent_for_the_recipient(client_record, case_manager):
    record(client_record, case_manager, recipients=["Dr. Lee"])
    check = consent_allows_disclosure(
        client=client_record, recipient=" Harbor Detox", when=date(2026, 2, 1)
    )
    assert not check.allowed and check.consent is None
    assert check.reason == "No active 42 CFR Part 2 consent names 'Harbor Detox' as a recipient."


def test_expired_consent_says_when_it_expired(client_record, case_manager):
    consent = record(client_record, case_manager)
    on_last_day = consent_allows_disclosure(
        client=client_record, recipient="Harbor Detox", when=date(2026, 3, 1)
    )
    assert on_last_day.allowed
    check = consent_allows_disclosure(
        client=client_record, recipient="Harbor Detox", when=date(2026, 3, 2)
    )
    assert not check.allowed and check.consent == consent
    assert check.reason == "The consent for Harbor Detox expired on 2026-03-01."


def test_when_is_read_as_a_date_in_the_team_time_zone(client_record, case_manager):
    record(client_record, case_manager)
    # 03:00 UTC on March 2 is still March 1 in New York: the consent's last day.
    late = datetime(2026, 3, 2, 3, 0, tzinfo=UTC)
    assert client_record.team.time_zone == "America/New_York"
    assert consent_allows_disclosure(client=client_record, recipient="Harbor Detox", when=late)
    later = datetime(2026, 3, 2, 6, 0, tzinfo=UTC)
    assert not consent_allows_disclosure(client=client_record, recipient="Harbor Detox", when=later)


def test_revoked_consent_says_when_it_was_revoked(client_record, case_manager):
    consent = record(client_record, case_manager)
    services.consent_revoke(
        actor=case_manager, consent=consent, revoked_on=date(2026, 2, 1), reason="Asked"
    )
    before = consent_allows_disclosure(
        client=client_record, recipient="Harbor Detox", when=date(2026, 1, 31)
    )
    assert before.allowed
    check = consent_allows_disclosure(
        client=client_record, recipient="Harbor Detox", when=date(2026, 2, 1)
    )
    assert not check.allowed
    assert check.reason == "The consent for Harbor Detox was revoked on 2026-02-01."


def test_a_newer_consent_replaces_a_revoked_one(client_record, case_manager):
    old = record(client_record, case_manager)
    services.consent_revoke(
        actor=case_manager, consent=old, revoked_on=date(2026, 2, 1), reason="Wrong purpose"
    )
    new = record(client_record, case_manager, signed_on=date(2026, 2, 2))
    check = consent_allows_disclosure(
        client=client_record, recipient="harbor detox", when=date(2026, 2, 10)
    )
    assert check.allowed and check.consent == new


@pytest.mark.parametrize(
    ("purpose", "allowed"),
    [
        ("treatment", True),
        ("Payment", True),
        (" operations ", True),
        ("health care operations", True),
        ("legal proceedings", False),
        (None, False),
    ],
)
def test_tpo_general_designation_allows_any_recipient_only_for_tpo_purposes(
    client_record, case_manager, purpose, allowed
):
    consent = services.consent_create(actor=case_manager, client=client_record, **tpo())
    check = consent_allows_disclosure(
        client=client_record, recipient="Bayview Clinic", when=date(2026, 6, 1), purpose=purpose
    )
    assert check.allowed is allowed
    if allowed:
        assert check.consent == consent
    else:
        assert "covers other recipients only for treatment, payment or operations" in check.reason


def test_tpo_consent_naming_a_recipient_covers_only_tpo_purposes(client_record, case_manager):
    services.consent_create(
        actor=case_manager,
        client=client_record,
        **tpo(recipients=["Bayview Clinic"], recipient_class=""),
    )
    when = date(2026, 6, 1)
    assert consent_allows_disclosure(client=client_record, recipient="Bayview Clinic", when=when)
    refused = consent_allows_disclosure(
        client=client_record, recipient="Bayview Clinic", when=when, purpose="court order"
    )
    assert not refused.allowed and "covers only treatment, payment" in refused.reason


def test_general_release_or_treatment_consent_never_allows_substance_use_disclosure(
    client_record, case_manager
):
    services.consent_create(actor=case_manager, client=client_record, **part2(kind="release"))
    check = consent_allows_disclosure(
        client=client_record, recipient="Harbor Detox", when=date(2026, 2, 1)
    )
    assert not check.allowed
    assert check.reason.startswith("No active 42 CFR Part 2 consent names 'Harbor Detox'")
    assert "needs a Part 2 consent" in check.reason or "need a Part 2 consent" in check.reason


def test_blank_recipient_is_refused(client_record):
    check = consent_allows_disclosure(client=client_record, recipient="  ")
    assert not check and check.reason == "Name the recipient of the disclosure."


def test_consents_of_another_client_do_not_count(client_record, case_manager, team):
    other = ClientFactory(team=team)
    record(other, case_manager)
    assert not consent_allows_disclosure(
        client=client_record, recipient="Harbor Detox", when=date(2026, 2, 1)
    )


def test_disclosure_check_is_one_query(client_record, case_manager, django_assert_num_queries):
    for n in range(5):
        record(client_record, case_manager, recipients=[f"Clinic {n}"])
    services.consent_create(actor=case_manager, client=client_record, **tpo())
    with django_assert_num_queries(1):
        consent_allows_disclosure(client=client_record, recipient="Nobody", purpose="treatment")


# ================================================================================ views
def _index(pk):
    return reverse("clients:consents", args=[pk])


def _new(pk, kind=""):
    url = reverse("clients:consent_create", args=[pk])
    return f"{url}?kind={kind}" if kind else url


def _form_data(**overrides) -> dict:
    values = part2() | overrides
    data = {k: v for k, v in values.items() if v not in (None, False)}
    data["recipients"] = "\n".join(values.get("recipients") or [])
    for key in ("expires_on", "signed_on"):
        if values.get(key):
            data[key] = values[key].isoformat()
    if values.get("right_to_revoke_explained"):
        data["right_to_revoke_explained"] = "on"
    return data


def test_tab_lists_active_then_revoked_or_expired(browser_as, case_manager, client_record):
    record(client_record, case_manager, recipients=["Old Clinic"])  # expired on 2026-03-01
    revoked = record(client_record, case_manager, recipients=["Gone Rehab"], expires_on=None,
                     expiry_kind="event", expiry_event="Discharge")  # fmt: skip
    services.consent_revoke(actor=case_manager, consent=revoked, reason="Client asked")
    record(
        client_record,
        case_manager,
        recipients=["Harbor Detox"],
        expiry_kind="event",
        expiry_event="Discharge",
        expires_on=None,
    )
    response = browser_as(case_manager).get(_index(client_record.pk))
    assert response.status_code == 200
    html = response.text
    active, ended = html.split('id="consents-active"')[1].split('id="consents-ended"')
    assert "Harbor Detox" in active and "Old Clinic" not in active
    assert "Old Clinic" in ended and "Gone Rehab" in ended and "Client asked" in ended
    assert "Substance use information may be shared with:" in html
    assert "No active consent to treatment on file" in html
    event = AuditEvent.objects.get(object_type="clients.client", action="view")
    assert event.client_id == client_record.pk


def test_empty_tab_says_what_to_do(browser_as, case_manager, client_record):
    html = browser_as(case_manager).get(_index(client_record.pk)).text
    assert "No active 42 CFR Part 2 consent." in html
    assert "Record the consent to treatment at intake" in html
    assert _new(client_record.pk, "part2").replace("&", "&amp;") in html


@pytest.mark.parametrize(
    "name", ["clients:consents", "clients:consent_create", "clients:consent_detail"]
)
def test_outsider_gets_404(browser_as, outsider, case_manager, client_record, name):
    consent = record(client_record, case_manager)
    args = [client_record.pk] + ([consent.pk] if name == "clients:consent_detail" else [])
    assert browser_as(outsider).get(reverse(name, args=args)).status_code == 404


def test_outsider_cannot_revoke(browser_as, outsider, case_manager, client_record):
    consent = record(client_record, case_manager)
    url = reverse("clients:consent_revoke", args=[client_record.pk, consent.pk])
    response = browser_as(outsider).post(url, {"reason": "x"})
    assert response.status_code == 404
    consent.refresh_from_db()
    assert consent.revoked_on is None


def test_consent_of_another_client_is_404_under_this_client(
    browser_as, case_manager, client_record, team
):
    other = record(ClientFactory(team=team), case_manager)
    url = reverse("clients:consent_detail", args=[client_record.pk, other.pk])
    assert browser_as(case_manager).get(url).status_code == 404


def test_kind_is_chosen_first(browser_as, case_manager, client_record):
    browser = browser_as(case_manager)
    chooser = browser.get(_new(client_record.pk)).text
    assert "What did" in chooser and 'name="purpose"' not in chooser
    part2_form = browser.get(_new(client_record.pk, "part2")).text
    for field in ("patient_name", "discloser", "recipients", "recipient_class", "is_tpo"):
        assert f'name="{field}"' in part2_form
    assert client_record.legal_name in part2_form  # pre-filled from the record
    treatment = browser.get(_new(client_record.pk, "treatment")).text
    assert 'name="signed_by"' in treatment and 'name="recipients"' not in treatment


def test_incomplete_part2_form_shows_every_error_next_to_its_field_and_keeps_input(
    browser_as, case_manager, client_record
):
    data = _form_data(purpose="", signed_by="", information_description="Attendance only")
    data.pop("right_to_revoke_explained")
    response = browser_as(case_manager).post(_new(client_record.pk), data)
    assert response.status_code == 200
    html = response.text
    for field in ("purpose", "signed_by", "right_to_revoke_explained"):
        assert f'id="id_{field}_error"' in html
    assert PART2_MISSING["purpose"] in html
    assert "Attendance only" in html and "Harbor Detox" in html  # nothing lost
    assert "Please correct the 3 problems below." in html
    assert not Consent.objects.exists()


def test_complete_part2_form_records_the_consent(browser_as, case_manager, client_record):
    data = _form_data(recipients=["Harbor Detox", " Dr. Lee "])
    response = browser_as(case_manager).post(_new(client_record.pk), data)
    consent = Consent.objects.get()
    assert response.status_code == 302
    assert response.url == reverse("clients:consent_detail", args=[client_record.pk, consent.pk])
    assert consent.recipients == ["Harbor Detox", "Dr. Lee"] and consent.recorded_by == case_manager


def test_tpo_form_takes_a_general_designation_instead_of_names(
    browser_as, case_manager, client_record
):
    browser = browser_as(case_manager)
    data = _form_data(**tpo()) | {"is_tpo": "on"}
    data.pop("recipient_class")
    response = browser.post(_new(client_record.pk), data)
    assert response.status_code == 200
    assert PART2_MISSING["recipients_tpo"] in response.text
    response = browser.post(_new(client_record.pk), data | {"recipient_class": "my providers"})
    assert response.status_code == 302
    consent = Consent.objects.get()
    assert consent.is_tpo and consent.recipients == [] and consent.recipient_class == "my providers"


def test_general_release_form_records_without_expiry(browser_as, case_manager, client_record):
    data = _form_data(kind="release", expiry_kind="none", expires_on=None)
    data.pop("patient_name")
    response = browser_as(case_manager).post(_new(client_record.pk), data)
    assert response.status_code == 302
    consent = Consent.objects.get()
    assert consent.kind == "release" and consent.expiry_kind == "none"


def test_detail_shows_every_element_and_is_audited(browser_as, case_manager, client_record):
    consent = record(client_record, case_manager)
    url = reverse("clients:consent_detail", args=[client_record.pk, consent.pk])
    html = browser_as(case_manager).get(url).text
    for text in ("Robin Okafor", "Riverside IDDT team", "Harbor Detox", "Coordinate detox"):
        assert text in html
    assert "2.31(a)(1)" in html and "(a)(9)" in html
    assert 'data-confirm="Revoke this consent?' in html
    assert AuditEvent.objects.filter(
        object_type="clients.consent", object_id=str(consent.pk), action="view"
    ).exists()


def test_revoke_from_the_page(browser_as, case_manager, client_record):
    consent = record(client_record, case_manager)
    url = reverse("clients:consent_revoke", args=[client_record.pk, consent.pk])
    response = browser_as(case_manager).post(
        url, {"revoked_on": "2026-02-01", "reason": "Client asked in writing", "edit_version": 1}
    )
    assert response.status_code == 302 and response.url == _index(client_record.pk)
    consent.refresh_from_db()
    assert consent.revoked_on == date(2026, 2, 1) and consent.revoked_by == case_manager


def test_revoke_without_reason_shows_the_error_next_to_it(browser_as, case_manager, client_record):
    consent = record(client_record, case_manager)
    url = reverse("clients:consent_revoke", args=[client_record.pk, consent.pk])
    response = browser_as(case_manager).post(url, {"revoked_on": "2026-02-01", "reason": ""})
    assert response.status_code == 200
    assert 'id="id_reason_error"' in response.text and "Say why" in response.text
    assert 'value="2026-02-01"' in response.text


def test_revoking_twice_says_it_was_already_revoked(browser_as, case_manager, client_record):
    consent = record(client_record, case_manager)
    services.consent_revoke(
        actor=case_manager, consent=consent, revoked_on=date(2026, 2, 1), reason="Asked"
    )
    url = reverse("clients:consent_revoke", args=[client_record.pk, consent.pk])
    browser = browser_as(case_manager)
    response = browser.post(url, {"reason": "Again", "edit_version": 1}, follow=True)
    assert response.redirect_chain[-1][0] == reverse(
        "clients:consent_detail", args=[client_record.pk, consent.pk]
    )
    assert (
        f"This consent was already revoked on 2026-02-01 by {case_manager.display_name}."
        in response.text
    )
    assert "Reason: Asked" in response.text
    assert browser.get(url).status_code == 302  # nothing to revoke: back to the consent
    consent.refresh_from_db()
    assert consent.revoked_reason == "Asked"


def test_tab_query_count_is_flat(
    browser_as, case_manager, client_record, django_assert_max_num_queries
):
    browser = browser_as(case_manager)
    record(client_record, case_manager)
    with django_assert_max_num_queries(14) as one:
        assert browser.get(_index(client_record.pk)).status_code == 200
    for n in range(20):
        record(client_record, case_manager, recipients=[f"Clinic {n}"])
    with django_assert_max_num_queries(14) as many:
        assert browser.get(_index(client_record.pk)).status_code == 200
    assert len(many.captured_queries) == len(one.captured_queries)


# ================================================================================== API
API = "/api/v1/consents/"


def _payload(client, **overrides) -> dict:
    values = part2() | overrides
    data = {k: v.isoformat() if isinstance(v, date) else v for k, v in values.items()}
    return {"client": client.pk} | data


def test_api_create_is_201_audited_and_on_the_timeline(api_as, case_manager, client_record):
    response = api_as(case_manager).post(API, _payload(client_record), format="json")
    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["kind"] == "part2" and body["recipients"] == ["Harbor Detox"]
    assert body["recorded_by_name"] == case_manager.display_name
    assert body["state"] == "expired"  # it expired on 2026-03-01
    assert AuditEvent.objects.filter(object_type="clients.consent", action="create").exists()
    assert TimelineEntry.objects.filter(kind="consent").count() == 1


def test_api_incomplete_part2_consent_is_400_naming_every_element(
    api_as, case_manager, client_record
):
    response = api_as(case_manager).post(
        API, {"client": client_record.pk, "kind": "part2"}, format="json"
    )
    assert response.status_code == 400
    body = response.json()
    assert body["purpose"] == [
        "A Part 2 consent must state the purpose of the disclosure (42 CFR 2.31(a)(5))."
    ]
    assert len(body) == 11 and all("42 CFR 2.31(a)" in m[0] for m in body.values())
    assert not Consent.objects.exists()


def test_api_create_for_a_client_out_of_reach_is_400_naming_client(api_as, outsider, client_record):
    response = api_as(outsider).post(API, _payload(client_record), format="json")
    assert response.status_code == 400 and "client" in response.json()
    assert not Consent.objects.exists()


def test_api_list_is_scoped_and_filtered(
    api_as, case_manager, outsider, client_record, team, other_team
):
    record(client_record, case_manager)  # expired
    treatment = services.consent_create(
        actor=case_manager,
        client=client_record,
        kind="treatment",
        signed_by="Robin",
        signed_on=SIGNED,
        signature_method="paper",
    )
    sibling = record(ClientFactory(team=team), case_manager)
    elsewhere = record(ClientFactory(team=other_team), outsider)
    api = api_as(case_manager)
    ids = [c["id"] for c in api.get(API).json()["results"]]
    assert elsewhere.pk not in ids and sibling.pk in ids and len(ids) == 3
    mine = api.get(API, {"client": client_record.pk}).json()["results"]
    assert len(mine) == 2
    by_kind = api.get(API, {"client": client_record.pk, "kind": "treatment"}).json()["results"]
    assert [c["id"] for c in by_kind] == [treatment.pk]
    active = api.get(API, {"client": client_record.pk, "active": "true"}).json()["results"]
    assert [c["id"] for c in active] == [treatment.pk] and active[0]["state"] == "active"
    ended = api.get(API, {"client": client_record.pk, "active": "false"}).json()["results"]
    assert [c["state"] for c in ended] == ["expired"]
    assert api_as(outsider).get(API).json()["count"] == 1


def test_api_retrieve_out_of_reach_is_404(api_as, outsider, case_manager, client_record):
    consent = record(client_record, case_manager)
    assert api_as(outsider).get(f"{API}{consent.pk}/").status_code == 404


def test_api_retrieve_is_audited(api_as, supervisor, case_manager, client_record):
    consent = record(client_record, case_manager)
    response = api_as(supervisor).get(f"{API}{consent.pk}/")
    assert response.status_code == 200 and response.json()["patient_name"] == "Robin Okafor"
    assert AuditEvent.objects.filter(
        user=supervisor, action="view", object_type="clients.consent", object_id=str(consent.pk)
    ).exists()


def test_api_revoke_then_again_is_409(api_as, case_manager, teammate, client_record):
    consent = record(client_record, case_manager)
    url = f"{API}{consent.pk}/revoke/"
    response = api_as(case_manager).post(
        url, {"revoked_on": "2026-02-01", "reason": "Client asked"}, format="json"
    )
    assert response.status_code == 200, response.json()
    assert response.json()["revoked_on"] == "2026-02-01"
    assert response.json()["revoked_by_name"] == case_manager.display_name
    again = api_as(teammate).post(url, {"reason": "Again"}, format="json")
    assert again.status_code == 409
    assert "already revoked on 2026-02-01" in again.json()["detail"]


def test_api_revoke_without_reason_is_400(api_as, case_manager, client_record):
    consent = record(client_record, case_manager)
    response = api_as(case_manager).post(f"{API}{consent.pk}/revoke/", {}, format="json")
    assert response.status_code == 400 and "reason" in response.json()


def test_api_outsider_cannot_revoke(api_as, outsider, case_manager, client_record):
    consent = record(client_record, case_manager)
    response = api_as(outsider).post(f"{API}{consent.pk}/revoke/", {"reason": "x"}, format="json")
    assert response.status_code == 404


def test_api_list_query_count_is_flat(
    api_as, case_manager, client_record, django_assert_max_num_queries
):
    api = api_as(case_manager)
    record(client_record, case_manager)
    with django_assert_max_num_queries(10) as one:
        assert api.get(API).json()["count"] == 1
    for n in range(20):
        record(ClientFactory(team=client_record.team), case_manager, recipients=[f"C {n}"])
    with django_assert_max_num_queries(10) as many:
        assert api.get(API).json()["count"] == 21
    assert len(many.captured_queries) == len(one.captured_queries)


def test_api_schema_documents_consents(api_as, case_manager):
    schema = api_as(case_manager).get("/api/schema/", {"format": "json"}).json()
    assert "/api/v1/consents/{id}/revoke/" in schema["paths"]
    assert "/api/v1/consents/" in schema["paths"]


def test_a_revoke_from_a_stale_page_names_who_changed_the_consent(
    case_manager, teammate, client_record
):
    """Optimistic locking (issue 13, item 5): the consent's ``edit_version``."""
    from casemgmt.audit.services import versioned_update

    consent = record(client_record, case_manager)
    assert consent.edit_version == 1
    versioned_update(  # a change of the consent by a teammate (no edit page yet)
        actor=teammate,
        obj=consent,
        values={"purpose": "Coordinate housing and treatment"},
        expected_version=1,
        what="this consent",
        client_id=client_record.pk,
    )
    with pytest.raises(Conflict) as error:
        services.consent_revoke(
            actor=case_manager, consent=consent, reason="Asked", expected_version=1
        )
    assert error.value.extra["changed_fields"] == ["purpose"]
    assert teammate.display_name in error.value.message
    consent.refresh_from_db()
    assert consent.revoked_on is None
    services.consent_revoke(actor=case_manager, consent=consent, reason="Asked", expected_version=2)
    consent.refresh_from_db()
    assert consent.revoked_on is not None and consent.edit_version == 3


def test_api_revoke_with_a_stale_edit_version_is_409(api_as, case_manager, teammate, client_record):
    from casemgmt.audit.services import versioned_update

    consent = record(client_record, case_manager)
    api = api_as(case_manager)
    assert api.get(f"/api/v1/consents/{consent.pk}/").json()["edit_version"] == 1
    versioned_update(
        actor=teammate,
        obj=consent,
        values={"purpose": "Other"},
        expected_version=1,
        what="this consent",
        client_id=client_record.pk,
    )
    stale = api.post(
        f"/api/v1/consents/{consent.pk}/revoke/", {"reason": "Asked", "edit_version": 1}
    )
    assert stale.status_code == 409 and stale.json()["changed_fields"] == ["purpose"]
