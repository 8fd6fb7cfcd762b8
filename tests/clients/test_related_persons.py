"""Related persons (family and collateral contacts, issue 16 section 3): services, the
consent gate of a collateral contact, the care team and safety plan picks, the Family &
contacts tab and ``/api/v1/related-persons/``.

The gate's rule comes from the regulations, not from the code: HIPAA 45 CFR 164.508(c)
(an authorisation names the person to whom the disclosure may be made) and 42 CFR
2.31(a)(4) (a Part 2 consent names each recipient); a general release never carries
substance use information (2.31; ``consent_allows_disclosure``).
"""

from datetime import UTC, date, datetime, timedelta

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from careplans.services import safety_plan_save
from casemgmt.audit.models import AuditEvent
from casemgmt.lib.errors import Conflict
from clients import selectors, services
from clients.models import (
    CareTeamRole,
    ConsentKind,
    ContactNote,
    ContactType,
    DiagnosisCategory,
    RelatedPerson,
    TimelineEntry,
)
from tests.factories import ClientFactory

pytestmark = pytest.mark.django_db

API = "/api/v1/related-persons/"
NOTES = "/api/v1/notes/"
SIGNED = date(2026, 1, 5)


def person(client, actor, **overrides) -> RelatedPerson:
    values = {
        "name": "Marisol Ortega",
        "relationship": "sibling",
        "relationship_detail": "older sister",
        "phone": "555-0142",
        "in_support_network": True,
    } | overrides
    return services.related_person_add(actor=actor, client=client, **values)


def release(client, actor, names, kind=ConsentKind.RELEASE, **overrides):
    values = {
        "kind": kind,
        "discloser": "Riverside IDDT team",
        "information_description": "Attendance, housing and mental health treatment plan",
        "recipients": names,
        "purpose": "Family support of the client's recovery",
        "expiry_kind": "date",
        "expires_on": date(2027, 1, 1),
        "signed_by": "The client",
        "signed_on": SIGNED,
        "signature_method": "paper",
    }
    if kind == ConsentKind.PART2:
        values |= {
            "patient_name": client.legal_name,
            "right_to_revoke_explained": True,
            "how_to_revoke": "In writing to the program",
        }
    return services.consent_create(actor=actor, client=client, **(values | overrides))


def collateral(client, actor, who, **overrides) -> ContactNote:
    values = {
        "contact_at": timezone.now() - timedelta(hours=1),
        "contact_type": ContactType.COLLATERAL,
        "duration_minutes": 15,
        "data": "Sister called: client has been sleeping at her place.",
        "assessment": "Family support is steady.",
        "plan": "Call again next week.",
        "related_person": who,
    } | overrides
    return services.note_create(actor=actor, client=client, **values)


def substance_use_diagnosis(client, actor):
    services.diagnosis_add(
        actor=actor,
        client=client,
        category=DiagnosisCategory.SUBSTANCE_USE,
        icd10_code="F10.20",
        description="Alcohol use disorder, moderate",
    )


# ============================================================================= services
def test_add_a_person_is_audited_and_on_the_timeline(case_manager, client_record):
    p = person(client_record, case_manager)
    assert p.is_active and p.relationship_label == "older sister"
    assert AuditEvent.objects.filter(
        object_type="clients.relatedperson", action="create", client_id=client_record.pk
    ).exists()
    entry = TimelineEntry.objects.get(client=client_record, kind="related_person")
    assert entry.summary == "Related person added: Marisol Ortega (older sister)"


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"name": "  "}, "name"),
        ({"relationship": "cousin-ish"}, "relationship"),
        ({"email": "not-an-email"}, "email"),
    ],
)
def test_bad_details_are_refused_naming_the_field(case_manager, client_record, overrides, field):
    with pytest.raises(ValidationError) as error:
        person(client_record, case_manager, **overrides)
    assert field in error.value.message_dict
    assert not RelatedPerson.objects.exists()


def test_a_release_naming_them_is_linked_whichever_comes_first(case_manager, client_record):
    before = release(client_record, case_manager, ["marisol  ortega"])  # typed, other case
    p = person(client_record, case_manager)
    assert list(p.consents.all()) == [before]
    after = release(client_record, case_manager, [], related_person_ids=[p.pk])
    assert after.recipients == ["Marisol Ortega"]  # the name is written on the consent
    assert set(p.consents.all()) == {before, after}


def test_a_consent_cannot_name_another_clients_person(case_manager, client_record, team):
    other = person(ClientFactory(team=team), case_manager)
    with pytest.raises(ValidationError) as error:
        release(client_record, case_manager, ["X"], related_person_ids=[other.pk])
    assert "related_person_ids" in error.value.message_dict


def test_edit_with_a_stale_version_is_a_conflict(case_manager, teammate, client_record):
    p = person(client_record, case_manager)
    services.related_person_update(
        actor=teammate, person=p, values={"phone": "555-0199"}, expected_version=1
    )
    with pytest.raises(Conflict):
        services.related_person_update(
            actor=case_manager, person=p, values={"phone": "555-0111"}, expected_version=1
        )
    p.refresh_from_db()
    assert p.phone == "555-0199" and p.edit_version == 2


def test_mark_inactive_keeps_the_person_and_needs_a_reason(case_manager, client_record):
    p = person(client_record, case_manager)
    with pytest.raises(ValidationError) as error:
        services.related_person_deactivate(actor=case_manager, person=p, reason=" ")
    assert "reason" in error.value.message_dict
    services.related_person_deactivate(actor=case_manager, person=p, reason="Moved away")
    p.refresh_from_db()
    assert not p.is_active and p.inactive_reason == "Moved away"
    with pytest.raises(Conflict):
        services.related_person_deactivate(actor=case_manager, person=p, reason="Again")
    with pytest.raises(Conflict):
        services.related_person_update(actor=case_manager, person=p, values={"phone": "1"})
    assert RelatedPerson.objects.filter(pk=p.pk).exists()


# ------------------------------------------------------------------- the consent gate
def test_a_collateral_contact_without_a_release_is_refused_and_nothing_saved(
    case_manager, client_record
):
    p = person(client_record, case_manager)
    with pytest.raises(ValidationError) as error:
        collateral(client_record, case_manager, p)
    (message,) = error.value.message_dict["related_person"]
    assert "No release of information names Marisol Ortega" in message
    assert not ContactNote.objects.exists()


def test_a_collateral_contact_names_the_person(case_manager, client_record):
    with pytest.raises(ValidationError) as error:
        collateral(client_record, case_manager, None)
    assert "related_person" in error.value.message_dict
    p = person(client_record, case_manager)
    with pytest.raises(ValidationError) as error:
        collateral(client_record, case_manager, p, contact_type=ContactType.PHONE)
    assert error.value.message_dict["related_person"] == [
        "Only a collateral contact names a related person."
    ]


def test_a_release_naming_them_allows_the_contact_and_is_kept_on_the_note(
    case_manager, client_record
):
    p = person(client_record, case_manager)
    consent = release(client_record, case_manager, ["Marisol Ortega"])
    note = collateral(client_record, case_manager, p)
    assert note.related_person == p and note.consent == consent
    assert note.discloses_substance_use is False
    services.note_sign(actor=case_manager, note=note)


def test_substance_use_information_needs_a_part2_consent_naming_them(case_manager, client_record):
    """A client with a substance use diagnosis: the contact is presumed to share it, and
    a general release does not cover it (42 CFR 2.31)."""
    substance_use_diagnosis(client_record, case_manager)
    p = person(client_record, case_manager)
    release(client_record, case_manager, ["Marisol Ortega"])
    with pytest.raises(ValidationError) as error:
        collateral(client_record, case_manager, p)
    (message,) = error.value.message_dict["related_person"]
    assert "42 CFR Part 2 consent" in message and "general release names them" in message
    # Said not to share it: the release is enough.
    note = collateral(client_record, case_manager, p, discloses_substance_use=False)
    assert note.discloses_substance_use is False
    part2 = release(client_record, case_manager, ["Marisol Ortega"], kind=ConsentKind.PART2)
    shared = collateral(client_record, case_manager, p)
    assert shared.discloses_substance_use is True and shared.consent == part2


def test_a_revoked_release_refuses_the_contact_and_the_signature(case_manager, client_record):
    p = person(client_record, case_manager)
    consent = release(client_record, case_manager, ["Marisol Ortega"])
    note = collateral(client_record, case_manager, p)
    services.consent_revoke(
        actor=case_manager, consent=consent, reason="Client asked", revoked_on=SIGNED
    )
    with pytest.raises(ValidationError) as error:
        services.note_sign(actor=case_manager, note=note)
    assert "revoked on 2026-01-05" in error.value.message_dict["related_person"][0]
    note.refresh_from_db()
    assert not note.is_signed


def test_an_expired_release_names_its_expiry(case_manager, client_record):
    p = person(client_record, case_manager)
    release(client_record, case_manager, ["Marisol Ortega"], expires_on=date(2026, 1, 31))
    check = selectors.related_person_disclosure_check(
        person=p, substance_use=False, when=datetime(2026, 2, 2, 12, tzinfo=UTC)
    )
    assert not check and "expired on 2026-01-31" in check.reason


def test_an_inactive_person_is_not_shared_with(case_manager, client_record):
    p = person(client_record, case_manager)
    release(client_record, case_manager, ["Marisol Ortega"])
    services.related_person_deactivate(actor=case_manager, person=p, reason="Asked us not to")
    with pytest.raises(ValidationError) as error:
        collateral(client_record, case_manager, RelatedPerson.objects.get(pk=p.pk))
    assert "marked inactive" in error.value.message_dict["related_person"][0]


def test_another_clients_person_is_refused(case_manager, client_record, team):
    other = person(ClientFactory(team=team), case_manager)
    with pytest.raises(ValidationError) as error:
        collateral(client_record, case_manager, other)
    assert "related_person" in error.value.message_dict


# ------------------------------------------------------------- care team, safety plan
def test_the_care_team_can_pick_a_related_person(case_manager, client_record):
    p = person(client_record, case_manager)
    member = services.care_team_member_add(
        actor=case_manager,
        client=client_record,
        role=CareTeamRole.FAMILY_SUPPORT,
        related_person=p,
    )
    assert member.related_person == p and member.name == "Marisol Ortega"
    assert member.phone == "555-0142"
    with pytest.raises(ValidationError) as error:
        services.care_team_member_add(
            actor=case_manager,
            client=client_record,
            role=CareTeamRole.FAMILY_SUPPORT,
            related_person=p,
        )
    assert "already on the care team" in error.value.message_dict["related_person"][0]


def test_the_safety_plan_can_pick_people_to_ask_for_help(case_manager, client_record):
    p = person(client_record, case_manager)
    values = {
        "warning_signs": "Not sleeping",
        "internal_coping": "Walk",
        "social_distraction": "Library",
        "people_to_ask": "",
        "professionals": "Casey, case manager",
        "environment_safe": "Pills with my sister",
    }
    plan = safety_plan_save(
        actor=case_manager, client=client_record, values=values, related_person_ids=[p.pk]
    )
    assert plan.people_to_ask == "Marisol Ortega (older sister): 555-0142"
    # Picked again with the line already there: not added twice.
    again = safety_plan_save(
        actor=case_manager,
        client=client_record,
        values=values | {"people_to_ask": plan.people_to_ask},
        related_person_ids=[p.pk],
    )
    assert again.people_to_ask == plan.people_to_ask
    with pytest.raises(ValidationError) as error:
        safety_plan_save(
            actor=case_manager, client=client_record, values=values, related_person_ids=[999999]
        )
    assert "related_person_ids" in error.value.message_dict


# ================================================================================ pages
def test_the_tab_shows_who_is_covered_and_offers_a_release(browser_as, case_manager, client_record):
    covered = person(client_record, case_manager)
    person(client_record, case_manager, name="Dee Park", relationship="friend")
    release(client_record, case_manager, ["Marisol Ortega"])
    page = browser_as(case_manager).get(reverse("clients:related_persons", args=[client_record.pk]))
    html = page.content.decode()
    assert page.status_code == 200
    assert "Release on file" in html and "No release on file" in html
    assert "Record a release for Dee Park" in html
    assert f"related_person={covered.pk}" in html  # "Record a collateral contact"


def test_add_edit_and_mark_inactive_through_the_pages(browser_as, case_manager, client_record):
    web = browser_as(case_manager)
    new = reverse("clients:related_person_create", args=[client_record.pk])
    bad = web.post(new, {"name": "", "relationship": "parent"})
    assert bad.status_code == 200 and "Enter the person&#x27;s name." in bad.content.decode()
    web.post(new, {"name": "Luz Ortega", "relationship": "parent", "in_support_network": "on"})
    p = RelatedPerson.objects.get(name="Luz Ortega")
    edit = reverse("clients:related_person_edit", args=[client_record.pk, p.pk])
    form = {"name": "Luz Ortega", "relationship": "parent", "phone": "555-0177", "edit_version": 1}
    assert web.post(edit, form).status_code == 302
    stale = web.post(edit, form | {"phone": "555-0000"})
    assert stale.status_code == 200 and "Saved meanwhile" in stale.content.decode()
    inactive = reverse("clients:related_person_inactive", args=[client_record.pk, p.pk])
    assert web.post(inactive, {"reason": "Moved to Ohio"}).status_code == 302
    p.refresh_from_db()
    assert p.phone == "555-0177" and not p.is_active


def test_outsider_gets_404_on_the_pages(browser_as, outsider, case_manager, client_record):
    p = person(client_record, case_manager)
    web = browser_as(outsider)
    for url in (
        reverse("clients:related_persons", args=[client_record.pk]),
        reverse("clients:related_person_create", args=[client_record.pk]),
        reverse("clients:related_person_edit", args=[client_record.pk, p.pk]),
        reverse("clients:related_person_inactive", args=[client_record.pk, p.pk]),
    ):
        assert web.get(url).status_code == 404


def test_the_collateral_note_form_refuses_without_a_release(
    browser_as, case_manager, client_record
):
    p = person(client_record, case_manager)
    web = browser_as(case_manager)
    url = reverse("clients:note_create", args=[client_record.pk])
    assert (
        f'value="{p.pk}" selected'
        in web.get(url, {"contact_type": "collateral", "related_person": p.pk}).content.decode()
    )
    form = {
        "contact_at": (timezone.localtime() - timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M"),
        "contact_type": "collateral",
        "related_person": p.pk,
        "duration_minutes": 10,
        "data": "Talked with her sister.",
        "assessment": "Supportive.",
        "plan": "Follow up.",
    }
    refused = web.post(url, form)
    assert refused.status_code == 200
    assert "No release of information names Marisol Ortega" in refused.content.decode()
    assert not ContactNote.objects.exists()


def test_tab_query_count_is_flat(
    browser_as, case_manager, client_record, django_assert_max_num_queries
):
    web = browser_as(case_manager)
    url = reverse("clients:related_persons", args=[client_record.pk])
    person(client_record, case_manager)
    with django_assert_max_num_queries(16) as one:
        web.get(url)
    for n in range(15):
        release(client_record, case_manager, [f"Person {n}"])
        person(client_record, case_manager, name=f"Person {n}")
    with django_assert_max_num_queries(16) as many:
        assert web.get(url).content.decode().count("Release on file") == 15
    assert len(many.captured_queries) == len(one.captured_queries)


# ================================================================================== API
def test_api_create_list_and_coverage(api_as, case_manager, client_record):
    api = api_as(case_manager)
    created = api.post(
        API,
        {"client": client_record.pk, "name": "Marisol Ortega", "relationship": "sibling"},
        format="json",
    )
    assert created.status_code == 201, created.json()
    assert created.json()["release_consent"] is None
    consent = release(client_record, case_manager, ["Marisol Ortega"])
    body = api.get(API, {"client": client_record.pk}).json()
    assert body["count"] == 1
    row = body["results"][0]
    assert row["release_consent"] == consent.pk and row["part2_consent"] is None
    assert row["consent_ids"] == [consent.pk]
    assert AuditEvent.objects.filter(
        object_type="clients.relatedperson_list", client_id=client_record.pk
    ).exists()


def test_api_bad_input_is_400_naming_the_field(api_as, case_manager, client_record):
    api = api_as(case_manager)
    bad = api.post(API, {"client": client_record.pk, "name": "", "relationship": "sibling"})
    assert bad.status_code == 400 and "name" in bad.json()
    bad = api.post(API, {"client": client_record.pk, "name": "A", "relationship": "x"})
    assert bad.status_code == 400 and "relationship" in bad.json()


def test_api_outsider_gets_404_and_cannot_create(api_as, outsider, case_manager, client_record):
    p = person(client_record, case_manager)
    api = api_as(outsider)
    assert api.get(f"{API}{p.pk}/").status_code == 404
    assert api.patch(f"{API}{p.pk}/", {"phone": "1"}, format="json").status_code == 404
    assert api.post(f"{API}{p.pk}/deactivate/", {"reason": "x"}).status_code == 404
    made = api.post(API, {"client": client_record.pk, "name": "A", "relationship": "friend"})
    assert made.status_code == 400 and "client" in made.json()
    assert api.get(API).json()["count"] == 0


def test_api_patch_and_deactivate(api_as, case_manager, client_record):
    p = person(client_record, case_manager)
    api = api_as(case_manager)
    changed = api.patch(f"{API}{p.pk}/", {"phone": "555-0101", "edit_version": 1}, format="json")
    assert changed.status_code == 200 and changed.json()["phone"] == "555-0101"
    stale = api.patch(f"{API}{p.pk}/", {"phone": "555-0102", "edit_version": 1}, format="json")
    assert stale.status_code == 409
    no_reason = api.post(f"{API}{p.pk}/deactivate/", {"reason": ""}, format="json")
    assert no_reason.status_code == 400 and "reason" in no_reason.json()
    done = api.post(f"{API}{p.pk}/deactivate/", {"reason": "Moved"}, format="json")
    assert done.status_code == 200 and done.json()["is_active"] is False
    assert api.post(f"{API}{p.pk}/deactivate/", {"reason": "Moved"}).status_code == 409


def test_api_collateral_note_without_consent_is_400_on_related_person(
    api_as, case_manager, client_record
):
    p = person(client_record, case_manager)
    api = api_as(case_manager)
    payload = {
        "client": client_record.pk,
        "contact_at": (timezone.now() - timedelta(hours=1)).isoformat(),
        "contact_type": "collateral",
        "duration_minutes": 10,
        "data": "d",
        "assessment": "a",
        "plan": "p",
        "related_person": p.pk,
    }
    refused = api.post(NOTES, payload, format="json")
    assert refused.status_code == 400
    assert "No release of information names" in refused.json()["related_person"][0]
    assert not ContactNote.objects.exists()
    release(client_record, case_manager, ["Marisol Ortega"])
    made = api.post(NOTES, payload, format="json")
    assert made.status_code == 201 and made.json()["related_person_name"] == "Marisol Ortega"
    unknown = api.post(NOTES, payload | {"related_person": 2_000_000}, format="json")
    assert unknown.status_code == 400 and "related_person" in unknown.json()


def test_api_list_query_count_is_flat(
    api_as, case_manager, client_record, team, django_assert_max_num_queries
):
    api = api_as(case_manager)
    person(client_record, case_manager)
    with django_assert_max_num_queries(10) as one:
        assert api.get(API).json()["count"] == 1
    for n in range(20):
        other = ClientFactory(team=team)
        release(other, case_manager, [f"P {n}"])
        person(other, case_manager, name=f"P {n}")
    with django_assert_max_num_queries(10) as many:
        assert api.get(API).json()["count"] == 21
    assert len(many.captured_queries) == len(one.captured_queries)


def test_api_schema_documents_related_persons(api_as, case_manager):
    schema = api_as(case_manager).get("/api/schema/", {"format": "json"}).json()
    assert "/api/v1/related-persons/" in schema["paths"]
    assert "/api/v1/related-persons/{id}/deactivate/" in schema["paths"]
