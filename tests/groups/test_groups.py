"""Group sessions (issue 16 section 2): members, capacity, attendance taken once, one
group note written once and a note per attending member that names no other member (in
the chart, the API and the PDF), signed together; interventions linked; family sessions
gated on consent. Services, pages and API."""

from datetime import date, timedelta

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from casemgmt.audit.models import AuditEvent
from casemgmt.lib.errors import Conflict
from clients import services as client_services
from clients.models import ContactNote
from groups import selectors, services
from groups.models import GroupSession, SessionAttendance
from groups.services import AttendanceEntry
from referrals.models import FollowUp
from scheduling.models import AppointmentKind
from tests.factories import ClientFactory
from tests.pdf import text as pdf_text

pytestmark = pytest.mark.django_db

NAMES = [("Robin", "Okafor"), ("Dana", "Whitfield"), ("Sam", "Quintero"), ("Lee", "Ashby")]
SHARED = {
    "shared_data": "Topic: coping with cravings. Members practised urge surfing.",
    "shared_assessment": "Engaged group; cravings discussed openly.",
    "shared_plan": "Next week: relapse warning signs.",
}


@pytest.fixture
def members(team, case_manager):
    return [
        ClientFactory(team=team, first_name=f, last_name=last, primary_case_manager=case_manager)
        for f, last in NAMES
    ]


@pytest.fixture
def group(case_manager, team):
    return services.group_create(
        actor=case_manager,
        team=team,
        name="Dual Recovery Group",
        facilitators=[case_manager],
        capacity=4,
        first_starts_at=timezone.now() - timedelta(hours=2),
    )


@pytest.fixture
def session(group, members, case_manager):
    for client in members:
        services.group_member_add(
            actor=case_manager, group=group, client=client, joined_on=date(2026, 1, 1)
        )
    return group.sessions.get()


def _record(session, case_manager, members, **overrides):
    attendance = {
        members[0].pk: AttendanceEntry("present", "Robin shared a plan for the weekend."),
        members[1].pk: AttendanceEntry("present", "Quiet, listened."),
        members[2].pk: AttendanceEntry("left_early", ""),
        members[3].pk: AttendanceEntry("absent"),
    }
    values = {"attendance": attendance, **SHARED} | overrides
    return services.group_session_record(actor=case_manager, session=session, **values)


# ============================================================================= services
def test_a_group_plans_its_sessions_from_its_schedule(case_manager, team):
    group = services.group_create(
        actor=case_manager,
        team=team,
        name="Seeking Safety",
        facilitators=[case_manager],
        capacity=8,
        first_starts_at=timezone.now() + timedelta(days=1),
        schedule_rule="FREQ=WEEKLY",
    )
    assert group.sessions.count() == 12  # 12 weeks ahead, weekly
    assert services.group_sessions_plan(actor=case_manager, group=group) == 0  # twice: nothing


def test_a_bad_schedule_is_refused_naming_the_field(case_manager, team):
    with pytest.raises(ValidationError) as error:
        services.group_create(
            actor=case_manager,
            team=team,
            name="G",
            facilitators=[case_manager],
            capacity=0,
            first_starts_at=timezone.now(),
            schedule_rule="FREQ=SECONDLY",
        )
    assert {"capacity", "schedule_rule"} <= set(error.value.message_dict)


def test_over_capacity_is_refused_with_the_reason(session, group, case_manager, team):
    extra = ClientFactory(team=team)
    with pytest.raises(ValidationError) as error:
        services.group_member_add(actor=case_manager, group=group, client=extra)
    assert "The group is full: 4 of 4 places" in error.value.message_dict["client"][0]
    assert group.memberships.count() == 4


def test_each_attending_member_gets_their_own_note_naming_no_other(session, case_manager, members):
    _record(session, case_manager, members)
    session.refresh_from_db()
    assert session.status == "held"
    rows = {a.client_id: a for a in SessionAttendance.objects.filter(session=session)}
    assert {r.status for r in rows.values()} == {"present", "left_early", "absent"}
    assert rows[members[3].pk].note is None
    for i, client in enumerate(members[:3]):
        note = rows[client.pk].note
        assert note is not None and note.client_id == client.pk
        assert "Dual Recovery Group" in note.data and SHARED["shared_data"] in note.data
        text = " ".join([note.data, note.assessment, note.plan])
        for j, (first, last) in enumerate(NAMES):
            if j != i:
                assert first not in text and last not in text
    assert "Left the session early." in rows[members[2].pk].note.data
    # The absent member is reached after: a follow-up for their case manager.
    assert FollowUp.objects.filter(client=members[3], title__startswith="Missed Dual").exists()


def test_a_note_for_a_client_not_in_the_group_is_refused_and_nothing_saved(
    session, case_manager, members, team
):
    stranger = ClientFactory(team=team, first_name="Ari", last_name="Stone")
    attendance = {m.pk: AttendanceEntry("present") for m in members}
    attendance[stranger.pk] = AttendanceEntry("present")
    with pytest.raises(ValidationError) as error:
        services.group_session_record(
            actor=case_manager, session=session, attendance=attendance, **SHARED
        )
    assert "Not a member of Dual Recovery Group" in error.value.message_dict["attendance"][0]
    assert "Ari Stone" in error.value.message_dict["attendance"][0]
    assert not ContactNote.objects.exists() and not SessionAttendance.objects.exists()
    assert GroupSession.objects.get(pk=session.pk).status == "scheduled"


def test_a_shared_part_or_line_naming_another_member_is_refused(session, case_manager, members):
    with pytest.raises(ValidationError) as error:
        _record(session, case_manager, members, shared_data="Dana talked about her week.")
    assert "name no member" in error.value.message_dict["shared_data"][0]
    attendance = {m.pk: AttendanceEntry("present") for m in members}
    attendance[members[0].pk] = AttendanceEntry("present", "Supported Whitfield after the break.")
    with pytest.raises(ValidationError) as error:
        services.group_session_record(
            actor=case_manager, session=session, attendance=attendance, **SHARED
        )
    assert f"line_{members[0].pk}" in error.value.message_dict
    assert not ContactNote.objects.exists()


def test_every_member_must_be_marked(session, case_manager, members):
    with pytest.raises(ValidationError) as error:
        services.group_session_record(
            actor=case_manager,
            session=session,
            attendance={members[0].pk: AttendanceEntry("present")},
            **SHARED,
        )
    assert "Take everyone's attendance" in error.value.message_dict["attendance"][0]


def test_attendance_is_taken_once_and_notes_are_signed_together(session, case_manager, members):
    _record(session, case_manager, members, sign=True)
    notes = ContactNote.objects.filter(group_attendance__session=session)
    assert notes.count() == 3 and all(n.is_signed for n in notes)
    with pytest.raises(Conflict):
        _record(session, case_manager, members)


def test_attending_is_linked_to_the_members_group_interventions(session, case_manager, members):
    from careplans.models import CarePlan, Goal, Intervention, Problem

    plan = CarePlan.objects.create(
        client=members[0],
        version=1,
        author=case_manager,
        effective_date=timezone.localdate(),
        status="active",
    )
    problem = Problem.objects.create(plan=plan, domain="substance_use", description="Drinking")
    goal = Goal.objects.create(
        plan=plan,
        problem=problem,
        text="Cut down",
        goal_type="harm_reduction",
        target_date=timezone.localdate() + timedelta(days=90),
    )
    group_treatment = Intervention.objects.create(
        goal=goal, category="group", frequency="weekly", start_date=date(2026, 1, 1)
    )
    Intervention.objects.create(
        goal=goal, category="mi", frequency="weekly", start_date=date(2026, 1, 1)
    )
    _record(session, case_manager, members)
    row = SessionAttendance.objects.get(session=session, client=members[0])
    assert list(row.interventions.all()) == [group_treatment]
    assert selectors.client_group_attendance(client_id=members[0].pk) == {"present": 1}


def test_a_future_session_takes_no_attendance(group, case_manager, members):
    later = services.group_session_add(
        actor=case_manager, group=group, starts_at=timezone.now() + timedelta(days=2)
    )
    with pytest.raises(Conflict):
        services.group_session_record(actor=case_manager, session=later, attendance={}, **SHARED)


# ---------------------------------------------------------------------- family sessions
def test_a_family_session_needs_a_release_for_each_relative(case_manager, client_record):
    sister = client_services.related_person_add(
        actor=case_manager, client=client_record, name="Mia Roe", relationship="sibling"
    )
    start = timezone.now() + timedelta(days=3)
    values = {
        "actor": case_manager,
        "client": client_record,
        "related_persons": [sister],
        "staff": [case_manager],
        "starts_at": start,
        "ends_at": start + timedelta(hours=1),
        "location": "office",
    }
    with pytest.raises(ValidationError) as error:
        services.family_session_create(**values)
    assert (
        "No release of information names Mia Roe" in error.value.message_dict["related_persons"][0]
    )
    client_services.consent_create(
        actor=case_manager,
        client=client_record,
        kind="release",
        information_description="Treatment progress",
        recipients=["Mia Roe"],
        purpose="Family sessions",
        signed_by="Client",
        signed_on=timezone.localdate(),
        signature_method="paper",
    )
    appointment = services.family_session_create(**values)
    assert appointment.kind == AppointmentKind.FAMILY_SESSION
    assert [
        a.related_person for a in selectors.family_attendees(appointment_ids=[appointment.pk])
    ] == [sister]


# ================================================================================ pages
def test_run_a_session_on_one_page(browser_as, case_manager, session, members):
    web = browser_as(case_manager)
    url = reverse("groups:session", args=[session.pk])
    page = web.get(url)
    assert page.status_code == 200 and "Robin Okafor" in page.content.decode()
    form = {f"status_{m.pk}": "present" for m in members} | SHARED | {"sign": "1"}
    done = web.post(url, form)
    assert done.status_code == 302
    assert ContactNote.objects.filter(signed_at__isnull=False).count() == 4


def test_a_page_error_keeps_what_was_typed(browser_as, case_manager, session, members):
    web = browser_as(case_manager)
    url = reverse("groups:session", args=[session.pk])
    form = {f"status_{m.pk}": "present" for m in members} | SHARED
    form["shared_data"] = "Sam arrived late."
    page = web.post(url, form)
    html = page.content.decode()
    assert page.status_code == 200 and "name no member" in html
    assert "Sam arrived late." in html and not ContactNote.objects.exists()


def test_outsider_gets_404_on_the_pages(browser_as, outsider, session, group):
    web = browser_as(outsider)
    for url in (
        reverse("groups:detail", args=[group.pk]),
        reverse("groups:session", args=[session.pk]),
    ):
        assert web.get(url).status_code == 404


def test_group_page_query_count_is_flat(
    browser_as, case_manager, group, team, django_assert_max_num_queries
):
    web = browser_as(case_manager)
    url = reverse("groups:detail", args=[group.pk])
    services.group_member_add(actor=case_manager, group=group, client=ClientFactory(team=team))
    with django_assert_max_num_queries(25) as one:
        web.get(url)
    group.capacity = 30
    group.save(update_fields=["capacity"])
    for _ in range(20):
        services.group_member_add(actor=case_manager, group=group, client=ClientFactory(team=team))
    with django_assert_max_num_queries(25) as many:
        web.get(url)
    assert len(many.captured_queries) == len(one.captured_queries)


def test_no_members_note_or_pdf_names_another_member(browser_as, case_manager, session, members):
    case_manager.first_name, case_manager.last_name = "Casey", "Jones"  # not a member's name
    case_manager.save(update_fields=["first_name", "last_name"])
    _record(session, case_manager, members, sign=True)
    web = browser_as(case_manager)
    for i, client in enumerate(members[:3]):
        note = SessionAttendance.objects.get(session=session, client=client).note
        page = web.get(reverse("clients:note_detail", args=[client.pk, note.pk])).content.decode()
        pdf = web.get(reverse("clients:note_pdf", args=[client.pk, note.pk]))
        assert pdf["Content-Type"] == "application/pdf"
        printed = pdf_text(pdf.content)
        assert NAMES[i][1] in printed  # the PDF is the member's own
        for j, (first, last) in enumerate(NAMES):
            if j != i:
                assert last not in page and last not in printed
                assert first not in printed
    assert AuditEvent.objects.filter(action="print", object_type="clients.contactnote").count() == 3


# ================================================================================== API
def test_api_record_and_lists(api_as, case_manager, session, members):
    api = api_as(case_manager)
    body = {
        "attendance": [{"client": m.pk, "status": "present"} for m in members],
        **SHARED,
        "sign": True,
    }
    done = api.post(f"/api/v1/group-sessions/{session.pk}/record/", body, format="json")
    assert done.status_code == 200, done.json()
    assert len(done.json()["attendance"]) == 4
    rows = api.get("/api/v1/group-attendance/", {"client": members[0].pk}).json()
    assert rows["count"] == 1 and rows["results"][0]["note"] is not None
    again = api.post(f"/api/v1/group-sessions/{session.pk}/record/", body, format="json")
    assert again.status_code == 409


def test_api_bad_input_is_400_naming_the_field(api_as, case_manager, session, members, team):
    api = api_as(case_manager)
    stranger = ClientFactory(team=team)
    body = {
        "attendance": [{"client": m.pk, "status": "present"} for m in [*members, stranger]],
        **SHARED,
    }
    refused = api.post(f"/api/v1/group-sessions/{session.pk}/record/", body, format="json")
    assert refused.status_code == 400 and "attendance" in refused.json()
    assert not ContactNote.objects.exists()
    full = api.post(
        "/api/v1/group-memberships/",
        {"group": session.group_id, "client": stranger.pk},
        format="json",
    )
    assert full.status_code == 400 and "full" in full.json()["client"][0]
    bad = api.post("/api/v1/groups/", {"team": session.group.team_id, "name": "X"}, format="json")
    assert bad.status_code == 400 and "capacity" in bad.json()


def test_api_outsider_gets_404(api_as, outsider, session, members):
    api = api_as(outsider)
    assert api.get(f"/api/v1/group-sessions/{session.pk}/").status_code == 404
    assert api.get(f"/api/v1/groups/{session.group_id}/").status_code == 404
    assert (
        api.post(f"/api/v1/group-sessions/{session.pk}/record/", {}, format="json").status_code
        == 404
    )
    assert api.get("/api/v1/group-memberships/").json()["count"] == 0


def test_api_session_list_query_count_is_flat(
    api_as, case_manager, group, team, django_assert_max_num_queries
):
    api = api_as(case_manager)
    with django_assert_max_num_queries(12) as one:
        assert api.get("/api/v1/group-sessions/").json()["count"] == 1
    for n in range(15):
        services.group_session_add(
            actor=case_manager, group=group, starts_at=timezone.now() + timedelta(days=n + 1)
        )
    with django_assert_max_num_queries(12) as many:
        assert api.get("/api/v1/group-sessions/").json()["count"] == 16
    assert len(many.captured_queries) == len(one.captured_queries)


def test_api_schema_documents_groups(api_as, case_manager):
    paths = api_as(case_manager).get("/api/schema/", {"format": "json"}).json()["paths"]
    for path in (
        "/api/v1/groups/",
        "/api/v1/group-memberships/{id}/leave/",
        "/api/v1/group-sessions/{id}/record/",
        "/api/v1/group-attendance/",
        "/api/v1/family-sessions/",
    ):
        assert path in paths


def test_beat_extends_schedules_once(case_manager, team):
    group = services.group_create(
        actor=case_manager,
        team=team,
        name="Seeking Safety",
        facilitators=[case_manager],
        capacity=8,
        first_starts_at=timezone.now() + timedelta(days=1),
        schedule_rule="FREQ=WEEKLY",
    )
    later = timezone.now() + timedelta(weeks=4)
    assert services.group_sessions_extend(now=later) == 4
    assert services.group_sessions_extend(now=later) == 0
    assert group.sessions.count() == 16


def test_the_demo_seed_has_a_group_with_last_weeks_session_taken():
    from django.core.management import call_command

    from clients.models import RelatedPerson
    from groups.models import Group

    call_command("seed_demo", clients=40)
    group = Group.objects.get(name="Dual Recovery Group")
    held = group.sessions.get(status="held")
    assert held.attendance.filter(note__signed_at__isnull=False).count() >= 3
    assert RelatedPerson.objects.filter(consents__isnull=False).exists()
    call_command("seed_demo", clients=40)  # twice: nothing twice
    assert Group.objects.filter(name="Dual Recovery Group").count() == 1


def test_api_session_filter_with_an_odd_offset_is_not_a_500(api_as, case_manager, group):
    api = api_as(case_manager)
    odd = api.get("/api/v1/group-sessions/", {"starts_after": "9335-10-07T14:08:07+18:25"})
    assert odd.status_code == 200 and odd.json()["count"] == 0
    far = api.get("/api/v1/group-sessions/", {"starts_before": "9999-12-31T23:59:59-18:00"})
    assert far.status_code in (200, 400)
