"""Contact notes: DAP drafts, signing (locks), addenda. Services, pages and the API."""

from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import timezone

from casemgmt.audit.models import AuditEvent
from casemgmt.lib.errors import Conflict
from clients import services
from clients.models import ContactNote, ContactType, NoteAddendum, TimelineEntry
from tests.factories import ClientFactory

pytestmark = pytest.mark.django_db

NOTES = "/api/v1/notes/"


def _note(actor, client, **overrides) -> ContactNote:
    values = {
        "actor": actor,
        "client": client,
        "contact_at": timezone.now() - timedelta(hours=2),
        "contact_type": ContactType.PHONE,
        "duration_minutes": 20,
        "data": "Client called about housing voucher; sober 12 days.",
        "assessment": "Engaged, motivated; contemplation stage for alcohol use.",
        "plan": "CM to call housing office Friday.",
    }
    return services.note_create(**(values | overrides))


def _signed(actor, client, **overrides) -> ContactNote:
    note = _note(actor, client, **overrides)
    return services.note_sign(actor=actor, note=note)


def _local(moment) -> str:
    return timezone.localtime(moment).strftime("%Y-%m-%dT%H:%M")


def _form(**overrides) -> dict:
    return {
        "contact_at": _local(timezone.now() - timedelta(hours=1)),
        "contact_type": ContactType.IN_PERSON,
        "duration_minutes": "45",
        "data": "Home visit. Client showed me the new apartment.",
        "assessment": "Stable mood, no cravings reported.",
        "plan": "Next visit in two weeks.",
    } | overrides


# ------------------------------------------------------------------------------ services
def test_create_is_a_draft_audited_and_on_the_timeline(case_manager, client_record):
    note = _note(case_manager, client_record)
    assert note.author == case_manager and not note.is_signed and note.version == 1
    event = AuditEvent.objects.get(object_type="clients.contactnote", action="create")
    assert event.user == case_manager and event.client_id == client_record.pk
    entry = TimelineEntry.objects.get(client=client_record, kind="note")
    assert entry.summary == "Phone contact, 20 min — draft"
    assert entry.link == reverse("clients:note_detail", args=[client_record.pk, note.pk])


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"contact_at": timezone.now() + timedelta(days=1)}, "contact_at"),
        ({"contact_at": None}, "contact_at"),
        ({"contact_type": "carrier_pigeon"}, "contact_type"),
        ({"duration_minutes": 0}, "duration_minutes"),
        ({"duration_minutes": 601}, "duration_minutes"),
        ({"duration_minutes": None}, "duration_minutes"),
        ({"data": "   "}, "data"),
        ({"assessment": ""}, "assessment"),
        ({"plan": ""}, "plan"),
    ],
)
def test_bad_note_is_refused_naming_the_field(case_manager, client_record, overrides, field):
    with pytest.raises(ValidationError) as caught:
        _note(case_manager, client_record, **overrides)
    assert field in caught.value.message_dict
    assert not ContactNote.objects.exists()


def test_duration_limits_are_inclusive(case_manager, client_record):
    assert _note(case_manager, client_record, duration_minutes=1).duration_minutes == 1
    assert _note(case_manager, client_record, duration_minutes=600).duration_minutes == 600


def test_outreach_attempt_needs_no_assessment(case_manager, client_record):
    note = _note(
        case_manager,
        client_record,
        contact_type=ContactType.OUTREACH,
        assessment="",
        data="Knocked at the shelter, client not there.",
    )
    assert note.assessment == ""
    with pytest.raises(ValidationError) as caught:
        _note(case_manager, client_record, contact_type=ContactType.OUTREACH, plan="")
    assert set(caught.value.message_dict) == {"plan"}


def test_author_edits_a_draft_with_the_version_read(case_manager, client_record):
    note = _note(case_manager, client_record)
    note = services.note_update(
        actor=case_manager, note=note, data={"duration_minutes": 30}, expected_version=1
    )
    note.refresh_from_db()
    assert note.duration_minutes == 30 and note.version == 2
    event = AuditEvent.objects.get(object_type="clients.contactnote", action="update")
    assert event.detail == {"fields": ["duration_minutes"], "version": 2}


def test_stale_edit_is_a_conflict_and_saves_nothing(case_manager, client_record):
    note = _note(case_manager, client_record)
    services.note_update(actor=case_manager, note=note, data={"plan": "New"}, expected_version=1)
    with pytest.raises(Conflict) as caught:
        services.note_update(
            actor=case_manager, note=note, data={"plan": "Stale"}, expected_version=1
        )
    assert "changed since you opened it" in caught.value.message
    assert caught.value.extra["version"] == 2
    note.refresh_from_db()
    assert note.plan == "New" and note.version == 2


def test_only_the_author_edits_a_draft(case_manager, teammate, client_record):
    note = _note(case_manager, client_record)
    with pytest.raises(PermissionDenied, match="Only the author"):
        services.note_update(actor=teammate, note=note, data={"plan": "X"}, expected_version=1)
    note.refresh_from_db()
    assert note.plan == "CM to call housing office Friday."


def test_editing_a_signed_note_is_refused_with_the_reason(case_manager, client_record):
    note = _signed(case_manager, client_record)
    with pytest.raises(Conflict) as caught:
        services.note_update(
            actor=case_manager,
            note=note,
            data={"data": "Rewritten history"},
            expected_version=note.version,
        )
    assert "signed by" in caught.value.message and "addendum" in caught.value.message
    note.refresh_from_db()
    assert note.data.startswith("Client called") and note.version == 2


def test_signing_locks_the_note_audits_and_goes_on_the_timeline(case_manager, client_record):
    note = _note(case_manager, client_record)
    note = services.note_sign(actor=case_manager, note=note, expected_version=1)
    note.refresh_from_db()
    assert note.is_signed and note.signed_by == case_manager and note.version == 2
    assert AuditEvent.objects.filter(
        object_type="clients.contactnote", action="update", detail__signed=True
    ).exists()
    summaries = list(
        TimelineEntry.objects.filter(client=client_record, kind="note").values_list(
            "summary", flat=True
        )
    )
    assert "Phone contact, 20 min — signed" in summaries


def test_only_the_author_signs(case_manager, teammate, supervisor, client_record):
    note = _note(case_manager, client_record)
    for other in (teammate, supervisor):
        with pytest.raises(PermissionDenied, match="Only the author"):
            services.note_sign(actor=other, note=note)
    note.refresh_from_db()
    assert not note.is_signed


def test_a_note_is_signed_once(case_manager, client_record):
    note = _signed(case_manager, client_record)
    with pytest.raises(Conflict, match="signed"):
        services.note_sign(actor=case_manager, note=note)


def test_signing_a_changed_note_is_refused(case_manager, client_record):
    note = _note(case_manager, client_record)
    services.note_update(actor=case_manager, note=note, data={"plan": "New"}, expected_version=1)
    with pytest.raises(Conflict, match="changed"):
        services.note_sign(actor=case_manager, note=note, expected_version=1)


def test_any_teammate_adds_an_addendum_to_a_signed_note(case_manager, teammate, client_record):
    note = _signed(case_manager, client_record)
    addendum = services.note_addendum_add(actor=teammate, note=note, text="  Late entry.  ")
    assert addendum.text == "Late entry." and addendum.author == teammate
    assert AuditEvent.objects.filter(
        object_type="clients.noteaddendum", action="create", client_id=client_record.pk
    ).exists()


def test_addendum_needs_text_and_a_signed_note(case_manager, client_record):
    draft = _note(case_manager, client_record)
    with pytest.raises(Conflict, match="draft"):
        services.note_addendum_add(actor=case_manager, note=draft, text="Too early")
    signed = _signed(case_manager, client_record)
    with pytest.raises(ValidationError) as caught:
        services.note_addendum_add(actor=case_manager, note=signed, text=" ")
    assert "text" in caught.value.message_dict
    assert not NoteAddendum.objects.exists()


# ---------------------------------------------------------------------------------- pages
def test_notes_tab_lists_newest_first_with_signed_and_draft(
    browser_as, case_manager, client_record
):
    _signed(
        case_manager,
        client_record,
        contact_at=timezone.now() - timedelta(days=2),
        data="Older signed contact.",
    )
    _note(case_manager, client_record, data="Newer draft contact.")
    response = browser_as(case_manager).get(reverse("clients:notes", args=[client_record.pk]))
    text = response.text
    assert response.status_code == 200
    assert text.index("Newer draft contact.") < text.index("Older signed contact.")
    assert "Draft" in text and f"by {case_manager.display_name} on" in text
    assert "You have 1 unsigned draft" in text
    assert AuditEvent.objects.filter(
        action="view", object_type="clients.client", client_id=client_record.pk
    ).exists()


def test_notes_tab_filters_drafts_and_signed(browser_as, case_manager, client_record):
    _signed(case_manager, client_record, data="The signed one.")
    _note(case_manager, client_record, data="The draft one.")
    browser = browser_as(case_manager)
    url = reverse("clients:notes", args=[client_record.pk])
    drafts = browser.get(url, {"signed": "false"}).text
    assert "The draft one." in drafts and "The signed one." not in drafts
    signed = browser.get(url, {"signed": "true"}).text
    assert "The signed one." in signed and "The draft one." not in signed


def test_empty_notes_tab_says_what_to_do(browser_as, case_manager, client_record):
    response = browser_as(case_manager).get(reverse("clients:notes", args=[client_record.pk]))
    assert "No contact notes yet" in response.text


def test_write_a_note_in_the_browser(browser_as, case_manager, client_record):
    url = reverse("clients:note_create", args=[client_record.pk])
    browser = browser_as(case_manager)
    assert browser.get(url).status_code == 200
    response = browser.post(url, _form())
    note = ContactNote.objects.get()
    assert response.status_code == 302
    assert response.url == reverse("clients:note_detail", args=[client_record.pk, note.pk])
    assert note.author == case_manager and note.duration_minutes == 45
    assert note.contact_type == ContactType.IN_PERSON


def test_bad_note_shows_every_error_next_to_its_field_and_keeps_the_text(
    browser_as, case_manager, client_record
):
    url = reverse("clients:note_create", args=[client_record.pk])
    future = _local(timezone.now() + timedelta(days=1))
    response = browser_as(case_manager).post(
        url, _form(contact_at=future, duration_minutes="700", assessment="")
    )
    assert response.status_code == 200
    text = response.text
    assert 'id="id_contact_at_error"' in text and "cannot be in the future" in text
    assert 'id="id_duration_minutes_error"' in text and "between 1 and 600" in text
    assert 'id="id_assessment_error"' in text
    assert "Home visit. Client showed me the new apartment." in text
    assert not ContactNote.objects.exists()


def test_note_page_shows_actions_for_the_author_of_a_draft_only(
    browser_as, case_manager, teammate, client_record
):
    note = _note(case_manager, client_record)
    url = reverse("clients:note_detail", args=[client_record.pk, note.pk])
    mine = browser_as(case_manager).get(url).text
    assert "Edit draft" in mine and "Sign note" in mine and "data-confirm=" in mine
    assert AuditEvent.objects.filter(
        action="view", object_type="clients.contactnote", object_id=str(note.pk)
    ).exists()
    theirs = browser_as(teammate).get(url).text
    assert "Edit draft" not in theirs and "Sign note" not in theirs
    assert f"Only {case_manager.display_name} can edit and sign it" in theirs


def test_sign_in_the_browser_then_edit_is_gone(browser_as, case_manager, client_record):
    note = _note(case_manager, client_record)
    browser = browser_as(case_manager)
    sign = reverse("clients:note_sign", args=[client_record.pk, note.pk])
    response = browser.post(sign, {"version": note.version}, follow=True)
    note.refresh_from_db()
    assert note.is_signed
    assert "Note signed" in response.text
    assert "Edit draft" not in response.text and "Add addendum" in response.text


def test_teammate_cannot_sign_in_the_browser(browser_as, case_manager, teammate, client_record):
    note = _note(case_manager, client_record)
    sign = reverse("clients:note_sign", args=[client_record.pk, note.pk])
    response = browser_as(teammate).post(sign, {"version": note.version}, follow=True)
    note.refresh_from_db()
    assert not note.is_signed
    assert "Only the author" in response.text


def test_editing_a_signed_note_in_the_browser_is_refused(browser_as, case_manager, client_record):
    note = _signed(case_manager, client_record)
    url = reverse("clients:note_edit", args=[client_record.pk, note.pk])
    browser = browser_as(case_manager)
    response = browser.get(url, follow=True)
    assert "signed and locked" in response.text
    response = browser.post(url, _form(data="Rewritten", version=note.version))
    assert response.status_code == 200
    assert "is locked" in response.text and "Rewritten" in response.text
    note.refresh_from_db()
    assert note.data.startswith("Client called")


def test_edit_a_draft_and_a_stale_edit_is_refused(browser_as, case_manager, client_record):
    note = _note(case_manager, client_record)
    url = reverse("clients:note_edit", args=[client_record.pk, note.pk])
    browser = browser_as(case_manager)
    assert 'name="version" value="1"' in browser.get(url).text
    assert browser.post(url, _form(plan="First edit", version=1)).status_code == 302
    response = browser.post(url, _form(plan="Second, stale", version=1))
    assert "changed since you opened it" in response.text
    assert "Saved meanwhile: First edit" in response.text
    assert 'name="version" value="2"' in response.text  # a second save goes through
    note.refresh_from_db()
    assert note.plan == "First edit"


def test_teammate_cannot_open_the_edit_page(browser_as, case_manager, teammate, client_record):
    note = _note(case_manager, client_record)
    url = reverse("clients:note_edit", args=[client_record.pk, note.pk])
    assert browser_as(teammate).get(url).status_code == 403


def test_addendum_with_htmx_swaps_the_addenda(browser_as, case_manager, teammate, client_record):
    note = _signed(case_manager, client_record)
    url = reverse("clients:note_addendum", args=[client_record.pk, note.pk])
    browser = browser_as(teammate)
    response = browser.post(url, {"text": "Client called back."}, HTTP_HX_REQUEST="true")
    assert response.status_code == 200
    assert 'id="addenda"' in response.text and "Client called back." in response.text
    assert "<html" not in response.text
    response = browser.post(url, {"text": ""}, HTTP_HX_REQUEST="true")
    assert 'id="id_text_error"' in response.text
    assert NoteAddendum.objects.count() == 1


def test_addendum_without_htmx_redirects(browser_as, case_manager, client_record):
    note = _signed(case_manager, client_record)
    url = reverse("clients:note_addendum", args=[client_record.pk, note.pk])
    response = browser_as(case_manager).post(url, {"text": "Late entry."})
    assert response.status_code == 302
    assert NoteAddendum.objects.get().text == "Late entry."


def test_outsider_gets_404_on_every_note_page(browser_as, case_manager, outsider, client_record):
    note = _signed(case_manager, client_record)
    browser = browser_as(outsider)
    pk = client_record.pk
    for name, args in [
        ("clients:notes", [pk]),
        ("clients:note_create", [pk]),
        ("clients:note_detail", [pk, note.pk]),
        ("clients:note_edit", [pk, note.pk]),
    ]:
        assert browser.get(reverse(name, args=args)).status_code == 404, name
    for name in ("clients:note_sign", "clients:note_addendum"):
        response = browser.post(reverse(name, args=[pk, note.pk]), {"text": "x", "version": 2})
        assert response.status_code == 404, name
    assert not NoteAddendum.objects.exists()


def test_note_of_another_client_is_404(browser_as, case_manager, team, client_record):
    other = ClientFactory(team=team)
    note = _note(case_manager, other)
    url = reverse("clients:note_detail", args=[client_record.pk, note.pk])
    assert browser_as(case_manager).get(url).status_code == 404


def test_notes_tab_query_count_is_flat(
    browser_as, case_manager, teammate, client_record, django_assert_max_num_queries
):
    browser = browser_as(case_manager)
    url = reverse("clients:notes", args=[client_record.pk])
    note = _signed(case_manager, client_record)
    services.note_addendum_add(actor=teammate, note=note, text="Addendum.")
    with django_assert_max_num_queries(14) as one:
        browser.get(url)
    for _ in range(15):
        note = _signed(teammate, client_record)
        services.note_addendum_add(actor=case_manager, note=note, text="More.")
        _note(case_manager, client_record)
    with django_assert_max_num_queries(14) as many:
        assert browser.get(url).text.count('<article class="card-body') == 25
    assert len(many.captured_queries) == len(one.captured_queries)


# ------------------------------------------------------------------------------------ API
def test_api_anonymous_is_refused(api, case_manager, client_record):
    note = _note(case_manager, client_record)
    assert api.get(NOTES).status_code in (401, 403)
    assert api.get(f"{NOTES}{note.pk}/").status_code in (401, 403)


def test_api_list_is_scoped_and_filtered(api_as, case_manager, team, other_team, client_record):
    _signed(case_manager, client_record, data="signed")
    _note(case_manager, client_record, data="draft")
    other = ClientFactory(team=team)
    _note(case_manager, other, data="other client")
    ClientFactory(team=other_team)  # nothing of other teams shows
    api = api_as(case_manager)
    assert api.get(NOTES).json()["count"] == 3
    body = api.get(NOTES, {"client": client_record.pk}).json()
    assert [n["data"] for n in body["results"]] == ["draft", "signed"]
    assert [n["data"] for n in api.get(NOTES, {"signed": "true"}).json()["results"]] == ["signed"]
    drafts = api.get(NOTES, {"signed": "false", "client": client_record.pk}).json()["results"]
    assert [n["data"] for n in drafts] == ["draft"]
    assert AuditEvent.objects.filter(
        object_type="clients.contactnote_list", client_id=client_record.pk
    ).exists()


def test_api_list_hides_other_teams(api_as, outsider, case_manager, client_record):
    _note(case_manager, client_record)
    assert api_as(outsider).get(NOTES).json()["count"] == 0


def test_api_retrieve_includes_addenda_and_is_audited(
    api_as, case_manager, teammate, client_record
):
    note = _signed(case_manager, client_record)
    services.note_addendum_add(actor=teammate, note=note, text="Correction: 25 minutes.")
    body = api_as(case_manager).get(f"{NOTES}{note.pk}/").json()
    assert body["is_signed"] and body["signed_by_name"] == case_manager.display_name
    assert body["addenda"][0]["text"] == "Correction: 25 minutes."
    assert body["addenda"][0]["author_name"] == teammate.display_name
    assert AuditEvent.objects.filter(
        action="view", object_type="clients.contactnote", object_id=str(note.pk)
    ).exists()


def _payload(client, **overrides) -> dict:
    return {
        "client": client.pk,
        "contact_at": (timezone.now() - timedelta(hours=1)).isoformat(),
        "contact_type": "video",
        "duration_minutes": 30,
        "data": "Video check-in.",
        "assessment": "Doing well.",
        "plan": "Continue weekly.",
    } | overrides


def test_api_create(api_as, case_manager, client_record):
    response = api_as(case_manager).post(NOTES, _payload(client_record), format="json")
    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["author"] == case_manager.pk and body["version"] == 1
    assert body["is_signed"] is False and body["addenda"] == []


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"duration_minutes": 0}, "duration_minutes"),
        ({"duration_minutes": "many"}, "duration_minutes"),
        ({"contact_at": "2999-01-01T10:00:00Z"}, "contact_at"),
        ({"contact_type": "fax"}, "contact_type"),
        ({"assessment": ""}, "assessment"),
        ({"data": ""}, "data"),
    ],
)
def test_api_create_bad_input_is_400_naming_the_field(
    api_as, case_manager, client_record, overrides, field
):
    response = api_as(case_manager).post(NOTES, _payload(client_record, **overrides), format="json")
    assert response.status_code == 400
    assert field in response.json()
    assert not ContactNote.objects.exists()


def test_api_create_for_out_of_reach_client_is_400_naming_client(api_as, case_manager, other_team):
    stranger = ClientFactory(team=other_team)
    response = api_as(case_manager).post(NOTES, _payload(stranger), format="json")
    assert response.status_code == 400 and "client" in response.json()
    assert not ContactNote.objects.exists()


def test_api_partial_update_of_a_draft(api_as, case_manager, client_record):
    note = _note(case_manager, client_record)
    api = api_as(case_manager)
    response = api.patch(f"{NOTES}{note.pk}/", {"plan": "Changed", "version": 1}, format="json")
    assert response.status_code == 200 and response.json()["version"] == 2
    stale = api.patch(f"{NOTES}{note.pk}/", {"plan": "Stale", "version": 1}, format="json")
    assert stale.status_code == 409 and stale.json()["version"] == 2
    missing = api.patch(f"{NOTES}{note.pk}/", {"plan": "No version"}, format="json")
    assert missing.status_code == 400 and "version" in missing.json()
    note.refresh_from_db()
    assert note.plan == "Changed"


def test_api_full_update_of_a_draft(api_as, case_manager, client_record):
    note = _note(case_manager, client_record)
    payload = _payload(client_record, version=1)
    del payload["client"]
    response = api_as(case_manager).put(f"{NOTES}{note.pk}/", payload, format="json")
    assert response.status_code == 200 and response.json()["contact_type"] == "video"


def test_api_update_of_a_signed_note_is_409_and_saves_nothing(api_as, case_manager, client_record):
    note = _signed(case_manager, client_record)
    response = api_as(case_manager).patch(
        f"{NOTES}{note.pk}/", {"data": "Rewritten", "version": note.version}, format="json"
    )
    assert response.status_code == 409
    assert "signed" in response.json()["detail"] and "locked" in response.json()["detail"]
    note.refresh_from_db()
    assert note.data.startswith("Client called") and note.version == 2


def test_api_only_the_author_edits_and_signs(api_as, case_manager, teammate, client_record):
    note = _note(case_manager, client_record)
    api = api_as(teammate)
    response = api.patch(f"{NOTES}{note.pk}/", {"plan": "Mine now", "version": 1}, format="json")
    assert response.status_code == 403 and "Only the author" in response.json()["detail"]
    response = api.post(f"{NOTES}{note.pk}/sign/", {}, format="json")
    assert response.status_code == 403 and "Only the author" in response.json()["detail"]
    note.refresh_from_db()
    assert not note.is_signed and note.plan == "CM to call housing office Friday."


def test_api_sign_and_addenda(api_as, case_manager, teammate, client_record):
    note = _note(case_manager, client_record)
    api = api_as(case_manager)
    early = api.post(f"{NOTES}{note.pk}/addenda/", {"text": "Too early"}, format="json")
    assert early.status_code == 409
    response = api.post(f"{NOTES}{note.pk}/sign/", {"version": 1}, format="json")
    assert response.status_code == 200 and response.json()["is_signed"] is True
    again = api.post(f"{NOTES}{note.pk}/sign/", {}, format="json")
    assert again.status_code == 409
    api = api_as(teammate)
    empty = api.post(f"{NOTES}{note.pk}/addenda/", {"text": ""}, format="json")
    assert empty.status_code == 400 and "text" in empty.json()
    added = api.post(f"{NOTES}{note.pk}/addenda/", {"text": "Late entry."}, format="json")
    assert added.status_code == 201 and added.json()["author"] == teammate.pk
    assert NoteAddendum.objects.get().text == "Late entry."


def test_api_nothing_is_deleted(api_as, case_manager, client_record):
    note = _note(case_manager, client_record)
    assert api_as(case_manager).delete(f"{NOTES}{note.pk}/").status_code == 405
    assert ContactNote.objects.filter(pk=note.pk).exists()


def test_api_outsider_gets_404_everywhere(api_as, case_manager, outsider, client_record):
    note = _signed(case_manager, client_record)
    api = api_as(outsider)
    assert api.get(f"{NOTES}{note.pk}/").status_code == 404
    assert api.patch(f"{NOTES}{note.pk}/", {"version": 2}, format="json").status_code == 404
    assert api.post(f"{NOTES}{note.pk}/sign/", {}, format="json").status_code == 404
    response = api.post(f"{NOTES}{note.pk}/addenda/", {"text": "x"}, format="json")
    assert response.status_code == 404
    assert not NoteAddendum.objects.exists()


def test_api_list_query_count_is_flat(
    api_as, case_manager, teammate, client_record, django_assert_max_num_queries
):
    api = api_as(case_manager)
    note = _signed(case_manager, client_record)
    services.note_addendum_add(actor=teammate, note=note, text="One.")
    # 11: the audit checks that ?client= is in reach before naming it in the access log
    with django_assert_max_num_queries(11) as one:
        api.get(NOTES, {"client": client_record.pk})
    for _ in range(20):
        note = _signed(teammate, client_record)
        services.note_addendum_add(actor=case_manager, note=note, text="More.")
    with django_assert_max_num_queries(11) as many:
        assert api.get(NOTES, {"client": client_record.pk}).json()["count"] == 21
    assert len(many.captured_queries) == len(one.captured_queries)
