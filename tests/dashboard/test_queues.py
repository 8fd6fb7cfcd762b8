"""Issue 19, item 2: the supervisor's queues (plans awaiting approval, notes to co-sign,
consents expiring, no recent contact), their counts in the navigation, and the
notifications that name the client and are marked read when the work is done."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from careplans import services as plan_services
from careplans.models import CarePlan, Domain, GoalType, PlanStatus
from casemgmt.accounts.models import Role
from casemgmt.notifications.models import Notification, OutboxMessage
from clients.models import Consent, ConsentKind, ContactNote, ExpiryKind
from clients.services import consent_expiry_reminders_send, note_cosign, note_create, note_sign
from tests.factories import ClientFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def second_supervisor(team):
    user = UserFactory(username="sup2", role=Role.SUPERVISOR)
    team.supervisors.add(user)
    return user


def submitted_plan(client, author):
    plan = plan_services.careplan_create(actor=author, client=client)
    problem = plan_services.problem_add(
        actor=author,
        plan=plan,
        domain=Domain.HOUSING,
        description="Sofa-surfing",
        concerns_mental_health=False,
        concerns_substance_use=False,
    )
    plan_services.goal_add(
        actor=author,
        problem=problem,
        text="A place of my own",
        goal_type=GoalType.SYMPTOM_MANAGEMENT,
        target_date=plan.effective_date + timedelta(days=60),
    )
    return plan_services.careplan_submit(actor=author, plan=plan)


def waiting_plan(client, author, *, days_ago):
    """A plan awaiting approval since ``days_ago`` days (no goals needed to list it)."""
    return CarePlan.objects.create(
        client=client,
        version=1,
        status=PlanStatus.AWAITING_APPROVAL,
        author=author,
        submitted_by=author,
        submitted_at=timezone.now() - timedelta(days=days_ago),
        effective_date=timezone.localdate(),
    )


# ------------------------------------------------------------------------- approvals
def test_approval_queue_lists_client_author_waiting_since_oldest_first(
    browser_as, supervisor, case_manager, team, other_team
):
    newer = waiting_plan(ClientFactory(team=team, last_name="Newer"), case_manager, days_ago=1)
    older = waiting_plan(ClientFactory(team=team, last_name="Older"), case_manager, days_ago=9)
    waiting_plan(ClientFactory(team=other_team, last_name="Elsewhere"), case_manager, days_ago=20)
    response = browser_as(supervisor).get(reverse("dashboard:queue_approvals"))
    assert response.status_code == 200
    assert [p.pk for p in response.context["page"].object_list] == [older.pk, newer.pk]
    html = response.text
    assert html.index("Older") < html.index("Newer")
    assert "Elsewhere" not in html
    assert case_manager.display_name in html and "1\xa0week" in html  # waiting 9 days


def test_case_manager_gets_no_queue(browser_as, case_manager):
    for name in ("queues", "queue_approvals", "queue_cosign", "queue_consents"):
        assert browser_as(case_manager).get(reverse(f"dashboard:{name}")).status_code == 403


def test_approve_from_the_queue_marks_every_request_read(
    browser_as, supervisor, second_supervisor, case_manager, client_record
):
    plan = submitted_plan(client_record, case_manager)
    requests = Notification.objects.filter(kind="approval")
    assert requests.count() == 2
    for n in requests:  # names the client, in-app
        assert client_record.display_name in n.title and n.read_at is None
    response = browser_as(supervisor).post(reverse("dashboard:queue_approve", args=[plan.pk]))
    assert response.status_code == 302 and response["Location"] == reverse(
        "dashboard:queue_approvals"
    )
    plan.refresh_from_db()
    assert plan.status == PlanStatus.ACTIVE and plan.approver == supervisor
    assert not requests.filter(read_at__isnull=True).exists()  # both supervisors' requests
    page = browser_as(supervisor).get(reverse("dashboard:queue_approvals"))
    assert f"for {client_record.display_name} approved" in page.text
    assert page.context["page"].paginator.count == 0
    # No email names the client.
    for row in OutboxMessage.objects.all():
        assert client_record.last_name not in str(row.params)


def test_return_from_the_queue_needs_comments_and_keeps_nothing_lost(
    browser_as, supervisor, case_manager, client_record
):
    plan = submitted_plan(client_record, case_manager)
    browser = browser_as(supervisor)
    url = reverse("dashboard:queue_return", args=[plan.pk])
    bad = browser.post(url, {"comments": "   "})
    assert bad.status_code == 400
    assert "Say what needs to change." in bad.text
    assert f'id="comments-{plan.pk}-error"' in bad.text
    plan.refresh_from_db()
    assert plan.status == PlanStatus.AWAITING_APPROVAL
    good = browser.post(url, {"comments": "Add a goal for sleep"})
    assert good.status_code == 302
    plan.refresh_from_db()
    assert plan.status == PlanStatus.DRAFT and plan.return_comments == "Add a goal for sleep"
    assert not Notification.objects.filter(kind="approval", read_at__isnull=True).exists()


def test_a_supervisor_cannot_approve_a_plan_they_wrote(browser_as, supervisor, client_record):
    plan = waiting_plan(client_record, supervisor, days_ago=2)
    browser = browser_as(supervisor)
    page = browser.get(reverse("dashboard:queue_approvals"))
    assert "another supervisor approves it" in page.text
    browser.post(reverse("dashboard:queue_approve", args=[plan.pk]))
    plan.refresh_from_db()
    assert plan.status == PlanStatus.AWAITING_APPROVAL


def test_a_plan_out_of_reach_is_404(browser_as, supervisor, case_manager, other_team):
    plan = waiting_plan(ClientFactory(team=other_team), case_manager, days_ago=1)
    browser = browser_as(supervisor)
    assert browser.post(reverse("dashboard:queue_approve", args=[plan.pk])).status_code == 404
    response = browser.post(reverse("dashboard:queue_return", args=[plan.pk]), {"comments": "x"})
    assert response.status_code == 404


# -------------------------------------------------------------------------- co-sign
@pytest.fixture
def trainee(team):
    user = UserFactory(username="trainee", role=Role.CASE_MANAGER, first_name="Tia")
    team.members.add(user)
    team.cosign_required.add(user)
    return user


def signed_note(client, author):
    note = note_create(
        actor=author,
        client=client,
        contact_at=timezone.now() - timedelta(hours=1),
        contact_type="in_person",
        duration_minutes=30,
        data="Met at the drop-in centre.",
        assessment="Engaged, calmer than last week.",
        plan="Meet again Friday.",
    )
    return note_sign(actor=author, note=note)


def test_a_trainee_note_waits_for_a_cosignature(
    browser_as, supervisor, trainee, case_manager, team
):
    client = ClientFactory(team=team, primary_case_manager=trainee)
    note = signed_note(client, trainee)
    assert note.cosign_required and note.awaits_cosignature
    own = signed_note(ClientFactory(team=team), case_manager)  # not marked: no co-signature
    assert not own.cosign_required
    request = Notification.objects.get(recipient=supervisor, kind="approval")
    assert client.display_name in request.title and "co-signature" in request.title
    page = browser_as(supervisor).get(reverse("dashboard:queue_cosign"))
    assert [n.pk for n in page.context["page"].object_list] == [note.pk]
    detail = browser_as(supervisor).get(
        reverse("clients:note_detail", args=[client.pk, note.pk]) + "?from=queue"
    )
    assert "Co-sign note" in detail.text and "Awaiting co-signature" in detail.text
    done = browser_as(supervisor).post(
        reverse("clients:note_cosign", args=[client.pk, note.pk]), {"next": "queue"}
    )
    assert done["Location"] == reverse("dashboard:queue_cosign")
    note.refresh_from_db()
    assert note.cosigned_by == supervisor and note.cosigned_at is not None
    request.refresh_from_db()
    assert request.read_at is not None
    detail = browser_as(trainee).get(reverse("clients:note_detail", args=[client.pk, note.pk]))
    assert "Co-signed" in detail.text and supervisor.display_name in detail.text
    assert trainee.display_name in detail.text


def test_both_signatures_are_on_the_note_pdf(browser_as, supervisor, trainee, team):
    from casemgmt.audit.models import AuditEvent
    from tests.pdf import text

    client = ClientFactory(team=team, primary_case_manager=trainee)
    note = signed_note(client, trainee)
    note_cosign(actor=supervisor, note=note)
    response = browser_as(trainee).get(reverse("clients:note_pdf", args=[client.pk, note.pk]))
    assert response["Content-Type"] == "application/pdf"
    words = " ".join(text(response.content).split())
    assert f"Signed by {trainee.display_name}" in words
    assert f"Co-signed by {supervisor.display_name} (supervisor)" in words
    assert AuditEvent.objects.filter(action="print", object_id=str(note.pk)).exists()


def test_only_a_supervisor_other_than_the_author_cosigns(
    browser_as, trainee, teammate, supervisor, team
):
    from django.core.exceptions import PermissionDenied

    from casemgmt.lib.errors import Conflict

    client = ClientFactory(team=team, primary_case_manager=trainee)
    note = signed_note(client, trainee)
    with pytest.raises(PermissionDenied):
        note_cosign(actor=teammate, note=note)
    with pytest.raises(PermissionDenied):
        note_cosign(actor=trainee, note=note)
    response = browser_as(teammate).post(reverse("clients:note_cosign", args=[client.pk, note.pk]))
    assert response.status_code == 302
    note.refresh_from_db()
    assert note.cosigned_at is None
    note_cosign(actor=supervisor, note=note)
    with pytest.raises(Conflict):
        note_cosign(actor=supervisor, note=note)


def test_a_note_outside_reach_is_404_for_cosigning(browser_as, outsider, trainee, team):
    client = ClientFactory(team=team, primary_case_manager=trainee)
    note = signed_note(client, trainee)
    url = reverse("clients:note_cosign", args=[client.pk, note.pk])
    assert browser_as(outsider).post(url).status_code == 404
    pdf = reverse("clients:note_pdf", args=[client.pk, note.pk])
    assert browser_as(outsider).get(pdf).status_code == 404


# -------------------------------------------------------------------------- consents
def consent(client, actor, *, days, revoked=False):
    today = timezone.localdate()
    return Consent.objects.create(
        client=client,
        kind=ConsentKind.RELEASE,
        recipients=["Harbor Clinic"],
        information_description="Treatment summary",
        purpose="coordination",
        expiry_kind=ExpiryKind.DATE,
        expires_on=today + timedelta(days=days),
        signed_by="Client",
        signed_on=today - timedelta(days=300),
        signature_method="paper",
        revoked_on=today - timedelta(days=1) if revoked else None,
        recorded_by=actor,
    )


def test_consents_expiring_within_30_days_are_listed_soonest_first(
    browser_as, supervisor, case_manager, client_record
):
    later = consent(client_record, case_manager, days=25)
    soon = consent(client_record, case_manager, days=3)
    consent(client_record, case_manager, days=45)  # not yet
    consent(client_record, case_manager, days=5, revoked=True)  # no longer in effect
    consent(client_record, case_manager, days=-2)  # expired already
    page = browser_as(supervisor).get(reverse("dashboard:queue_consents"))
    assert [c.pk for c in page.context["page"].object_list] == [soon.pk, later.pk]
    assert "In 3 days" in page.text


def test_the_case_manager_is_reminded_once(case_manager, client_record, mailoutbox):
    from casemgmt.notifications.services import outbox_send

    expiring = consent(client_record, case_manager, days=10)
    assert consent_expiry_reminders_send() == 1
    assert consent_expiry_reminders_send() == 0  # the sweep ran again: nothing twice
    reminder = Notification.objects.get(recipient=case_manager, kind="reminder")
    assert client_record.display_name in reminder.title and "in 10 days" in reminder.title
    assert reminder.link == reverse("clients:consent_detail", args=[client_record.pk, expiring.pk])
    outbox_send()
    assert len(mailoutbox) == 1
    email = mailoutbox[0]
    assert client_record.last_name not in email.subject + email.body  # no client data
    expiring.refresh_from_db()
    assert expiring.expiry_reminded_at is not None


def test_the_reminder_task_and_command_run_the_same_sweep(case_manager, client_record):
    from django.core.management import call_command

    from clients.tasks import consent_expiry_sweep

    consent(client_record, case_manager, days=10)
    assert consent_expiry_sweep() == 1
    consent(client_record, case_manager, days=12)
    call_command("consent_expiry_remind")
    assert Notification.objects.filter(kind="reminder").count() == 2


# -------------------------------------------------------------------------- no contact
def note_at(client, author, *, days_ago, contact_type="in_person"):
    return ContactNote.objects.create(
        client=client,
        author=author,
        contact_at=timezone.now() - timedelta(days=days_ago),
        contact_type=contact_type,
        duration_minutes=20,
        data="x",
        assessment="y" if contact_type != "outreach" else "",
        plan="z",
    )


def test_no_recent_contact_follows_the_team_setting(browser_as, supervisor, case_manager, team):
    stale = ClientFactory(team=team, primary_case_manager=case_manager, last_name="Stale")
    note_at(stale, case_manager, days_ago=40)
    note_at(stale, case_manager, days_ago=2, contact_type="outreach")  # an attempt only
    seen = ClientFactory(team=team, primary_case_manager=case_manager, last_name="Seen")
    note_at(seen, case_manager, days_ago=5)
    never = ClientFactory(team=team, primary_case_manager=case_manager, last_name="Never")
    type(never).objects.filter(pk=never.pk).update(created_at=timezone.now() - timedelta(days=50))
    ClientFactory(team=team, last_name="Fresh")  # registered today: not late yet
    discharged = ClientFactory(team=team, status="discharged", last_name="Gone")
    type(discharged).objects.filter(pk=discharged.pk).update(
        created_at=timezone.now() - timedelta(days=90)
    )
    browser = browser_as(supervisor)
    page = browser.get(reverse("dashboard:queue_no_contact"))
    assert [c.last_name for c in page.context["page"].object_list] == ["Never", "Stale"]
    assert "Never" in page.text
    team.no_contact_days = 45
    team.save(update_fields=["no_contact_days"])
    page = browser.get(reverse("dashboard:queue_no_contact"))
    assert [c.last_name for c in page.context["page"].object_list] == ["Never"]


# ------------------------------------------------------------------ navigation, counts
def test_the_navigation_shows_the_counts_to_supervisors_only(
    browser_as, supervisor, case_manager, client_record
):
    waiting_plan(client_record, case_manager, days_ago=1)
    consent(client_record, case_manager, days=3)
    html = browser_as(supervisor).get(reverse("dashboard:team")).text
    assert 'id="nav-queues"' in html
    assert "Plans awaiting approval" in html
    counts = browser_as(supervisor).get(reverse("dashboard:queues")).context["counts"]
    assert counts == {"approvals": 1, "cosign": 0, "consents": 1, "no_contact": 0}
    assert 'id="nav-queues"' not in browser_as(case_manager).get(reverse("home")).text


@pytest.mark.parametrize(
    "name", ["queue_approvals", "queue_cosign", "queue_consents", "queue_no_contact"]
)
def test_each_queue_has_a_fixed_query_count(
    browser_as, supervisor, case_manager, trainee, team, name, django_assert_max_num_queries
):
    from django.core.cache import cache

    def rows(n):
        for _ in range(n):
            client = ClientFactory(team=team, primary_case_manager=trainee)
            waiting_plan(client, case_manager, days_ago=3)
            signed_note(client, trainee)
            consent(client, case_manager, days=4)
            type(client).objects.filter(pk=client.pk).update(
                created_at=timezone.now() - timedelta(days=90)
            )
            ContactNote.objects.filter(client=client).update(
                contact_at=timezone.now() - timedelta(days=60)
            )

    browser = browser_as(supervisor)
    rows(1)
    cache.clear()
    browser.get(reverse(f"dashboard:{name}"))
    cache.clear()
    with django_assert_max_num_queries(20) as one:
        response = browser.get(reverse(f"dashboard:{name}"))
    assert response.context["page"].paginator.count == 1
    rows(6)
    cache.clear()
    with django_assert_max_num_queries(20) as many:
        response = browser.get(reverse(f"dashboard:{name}"))
    assert response.context["page"].paginator.count == 7
    print(
        name,
        len(one.captured_queries),
        len(many.captured_queries),
        [q["sql"][:90] for q in many.captured_queries],
    )
    assert len(many.captured_queries) == len(one.captured_queries) <= 20
