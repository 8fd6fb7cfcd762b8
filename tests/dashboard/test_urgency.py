"""Issue 19, item 1: one urgency order for Today, My follow-ups and Needs attention.

The scenario of the issue: a new client in Intake with suicide and overdose flags and an
overdose today was missing from "High-risk clients" (only Active clients counted), ranked
32nd of 100 on Needs attention, and its 24-hour post-overdose follow-up sat under "This
week" below routine check-ins. Expectations from the issue and from the SAMHSA National
Guidelines for Behavioral Health Crisis Care (follow-up within 24 hours of a crisis)."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from careplans.models import CarePlan
from clients.models import ClientStatus
from dashboard.models import UrgencyWeight
from dashboard.selectors import my_followups, today_for
from health.services import crisis_record
from referrals.models import FollowUp
from referrals.services import followup_create
from tests.factories import ClientFactory

pytestmark = pytest.mark.django_db


def _routine_caseload(team, case_manager, n=12):
    """Active clients with routine check-ins this week, overdue calls, suicide flags
    without a safety plan and overdose flags without naloxone: what would outrank a new
    client if only flags and due dates counted."""
    today = timezone.localdate()
    clients = []
    for i in range(n):
        client = ClientFactory(
            team=team, primary_case_manager=case_manager, last_name=f"Routine{i:02d}"
        )
        client.risk_flags.create(kind="suicide_risk", reason="x")
        client.risk_flags.create(kind="overdose_risk", reason="x")
        followup_create(
            actor=case_manager,
            client=client,
            assignee=case_manager,
            reason="general",
            title=f"Routine check-in {i}",
            due_on=today + timedelta(days=1 + i % 5),
        )
        followup_create(
            actor=case_manager,
            client=client,
            assignee=case_manager,
            reason="general",
            title=f"Late call {i}",
            due_on=today - timedelta(days=3 + i),
        )
        clients.append(client)
    return clients


@pytest.fixture
def new_client_in_crisis(team, case_manager):
    client = ClientFactory(
        team=team, primary_case_manager=case_manager, status=ClientStatus.INTAKE, last_name="New"
    )
    client.risk_flags.create(kind="suicide_risk", reason="disclosed at intake")
    crisis_record(  # raises the overdose flag and creates the 24-hour follow-up
        actor=case_manager,
        client=client,
        occurred_at=timezone.now() - timedelta(hours=2),
        crisis_type="overdose",
        description="Found unresponsive, revived",
        outcome="Taken to the emergency department",
        actions=["naloxone", "ed"],
    )
    return client


def test_intake_client_in_crisis_counts_in_high_risk(
    browser_as, supervisor, case_manager, team, new_client_in_crisis
):
    _routine_caseload(team, case_manager, n=3)
    response = browser_as(supervisor).get(reverse("dashboard:team"))
    totals = {m.key: total for m, total in response.context["totals"]}
    assert totals["high_risk"] == 4  # 3 active + the one in intake
    assert "open episode of care (referred, intake or active)" in response.text
    drill = browser_as(supervisor).get(reverse("dashboard:clients") + "?metric=high_risk")
    assert "New" in drill.text


def test_intake_client_in_crisis_ranks_first_on_needs_attention(
    browser_as, supervisor, case_manager, team, new_client_in_crisis
):
    _routine_caseload(team, case_manager)
    response = browser_as(supervisor).get(reverse("dashboard:attention"))
    rows = response.context["rows"]
    assert rows[0].client == new_client_in_crisis
    keys = [r.key for r in rows[0].reasons]
    assert keys[:3] == ["followup_after_event", "crisis_recent", "suicide_no_plan"]
    assert "Imminent risk" in response.text


def test_post_overdose_follow_up_is_at_the_top_of_today(
    browser_as, case_manager, team, new_client_in_crisis
):
    _routine_caseload(team, case_manager)
    followup = FollowUp.objects.get(client=new_client_in_crisis)
    response = browser_as(case_manager).get(reverse("home"))
    sections = response.context["sections"]
    assert list(sections)[0] == "imminent"
    first = sections["imminent"][0]
    assert first.followup_id == followup.pk
    assert first.why == "Follow-up due within 24 hours of a crisis or discharge"
    # The routine check-ins stay under "This week", the late calls under "Overdue".
    assert all("Routine" in i.what for i in sections["this_week"])
    assert followup.pk not in [i.followup_id for i in sections["this_week"]]
    html = response.text
    assert html.index("Act now: imminent risk") < html.index("Overdue follow-ups")
    assert html.index(new_client_in_crisis.display_name) < html.index("Late call")
    # My follow-ups: the same order, the same line first.
    first_line = next(iter(my_followups(user=case_manager).values()))[0]
    assert first_line.followup == followup


def test_today_high_risk_list_is_the_dashboard_figure(
    browser_as, case_manager, supervisor, team, new_client_in_crisis
):
    _routine_caseload(team, case_manager, n=3)
    discharged = ClientFactory(
        team=team, primary_case_manager=case_manager, status=ClientStatus.DISCHARGED
    )
    discharged.risk_flags.create(kind="suicide_risk", reason="x")  # episode closed
    medical = ClientFactory(team=team, primary_case_manager=case_manager)
    medical.risk_flags.create(kind="medical_risk", reason="x")  # not a high-risk flag
    today = today_for(user=case_manager, limit=12)
    team_page = browser_as(supervisor).get(reverse("dashboard:team"))
    totals = {m.key: total for m, total in team_page.context["totals"]}
    assert today.totals["flagged"] == totals["high_risk"] == 4
    listed = browser_as(case_manager).get(reverse("clients:list") + "?mine=true&high_risk=true")
    assert listed.context["page"].paginator.count == 4


def test_a_crisis_a_week_ago_is_no_longer_imminent(case_manager, team):
    client = ClientFactory(team=team, primary_case_manager=case_manager)
    crisis_record(
        actor=case_manager,
        client=client,
        occurred_at=timezone.now() - timedelta(days=6),
        crisis_type="other",
        description="x",
        outcome="y",
    )
    today = today_for(user=case_manager)
    assert today.sections["imminent"] == []
    assert [i.what for i in today.sections["overdue"]] == ["Follow up after crisis (other)"]


def test_a_suicide_risk_answer_today_is_imminent(case_manager, team):
    from assessments.services import instrument_response_record

    client = ClientFactory(team=team, primary_case_manager=case_manager)
    instrument_response_record(
        actor=case_manager, client=client, instrument="phq9", answers=[1, 1, 1, 1, 1, 1, 1, 1, 2]
    )
    lines = today_for(user=case_manager).sections["imminent"]
    assert [(i.client.pk, i.what) for i in lines] == [
        (client.pk, "Suicide risk answer on a screening in the past 72 hours")
    ]


def test_a_follow_up_due_the_day_after_a_discharge_is_imminent(case_manager, team):
    from referrals.models import CareTransition

    client = ClientFactory(team=team, primary_case_manager=case_manager)
    today = timezone.localdate()
    transition = CareTransition.objects.create(
        client=client,
        from_level="inpatient_psych",
        to_level="outpatient",
        facility="General Hospital",
        discharged_on=today,
        recorded_by=case_manager,
    )
    followup = followup_create(
        actor=case_manager,
        client=client,
        assignee=case_manager,
        reason="general",
        title="Call after discharge",
        due_on=today + timedelta(days=1),
    )
    FollowUp.objects.filter(pk=followup.pk).update(transition=transition)
    lines = today_for(user=case_manager).sections["imminent"]
    assert [i.followup_id for i in lines] == [followup.pk]


def test_the_weights_are_data(case_manager, team):
    """An administrator who wants "due today" above "overdue" edits two rows in admin."""
    client = ClientFactory(team=team, primary_case_manager=case_manager)
    today = timezone.localdate()
    for days, title in ((-3, "Late"), (0, "Today")):
        followup_create(
            actor=case_manager,
            client=client,
            assignee=case_manager,
            reason="general",
            title=title,
            due_on=today + timedelta(days=days),
        )
    before = [i.title for items in my_followups(user=case_manager).values() for i in items]
    assert before == ["Late", "Today"]
    UrgencyWeight.objects.update_or_create(reason="due_today", defaults={"weight": 450})
    after = my_followups(user=case_manager)
    keys = list(after)
    assert keys.index("due_today") == keys.index("overdue") - 1
    assert [i.title for items in after.values() for i in items] == ["Today", "Late"]


def test_one_rule_for_a_current_plan(browser_as, supervisor, case_manager, team):
    """The dashboard's "Without a current plan", the measure's gap and both drill-downs
    count the same clients (the issue saw 42 and 61)."""
    today = timezone.localdate()
    none_ = ClientFactory(team=team, primary_case_manager=case_manager)
    overdue = ClientFactory(team=team, primary_case_manager=case_manager)
    current = ClientFactory(team=team, primary_case_manager=case_manager)
    draft_only = ClientFactory(team=team, primary_case_manager=case_manager)
    ClientFactory(team=team, primary_case_manager=case_manager, status=ClientStatus.INTAKE)
    for client, status, due in (
        (overdue, "active", today - timedelta(days=1)),
        (current, "active", today),
        (draft_only, "draft", None),
    ):
        CarePlan.objects.create(
            client=client,
            version=1,
            status=status,
            author=case_manager,
            effective_date=today - timedelta(days=90),
            review_due=due,
        )
    browser = browser_as(supervisor)
    team_page = browser.get(reverse("dashboard:team"))
    figure = {m.key: total for m, total in team_page.context["totals"]}["no_plan"]
    measures = browser.get(reverse("dashboard:measures")).context["measures"]
    measure = next(m for m in measures if m.key == "current_plan")
    by_metric = browser.get(reverse("dashboard:clients") + "?metric=no_plan")
    by_measure = browser.get(reverse("dashboard:clients") + "?measure=current_plan")
    assert figure == measure.gap_count == 3
    assert by_metric.context["page"].paginator.count == 3
    assert by_measure.context["page"].paginator.count == 3
    assert {c.pk for c in by_metric.context["page"].object_list} == {
        none_.pk,
        overdue.pk,
        draft_only.pk,
    }


def test_needs_attention_counts_filters_and_pages(browser_as, supervisor, case_manager, team):
    _routine_caseload(team, case_manager, n=30)
    browser = browser_as(supervisor)
    response = browser.get(reverse("dashboard:attention"))
    assert response.context["total"] == 30
    assert len(response.context["rows"]) == 25
    counts = {r.key: n for r, n in response.context["counts"]}
    assert counts["suicide_no_plan"] == 30 and counts["crisis_recent"] == 0
    second = browser.get(reverse("dashboard:attention") + "?page=2")
    assert len(second.context["rows"]) == 5
    assert not {r.client.pk for r in second.context["rows"]} & {
        r.client.pk for r in response.context["rows"]
    }
    only = browser.get(reverse("dashboard:attention") + "?reason=overdue")
    assert only.context["total"] == 30 and only.context["reason"] == "overdue"
    assert 'href="?reason=overdue"' in response.text


def test_my_followups_groups_filters_and_pages(browser_as, case_manager, team):
    _routine_caseload(team, case_manager, n=20)  # 20 overdue, 20 this week
    browser = browser_as(case_manager)
    page = browser.get(reverse("my_followups"))
    assert page.context["page"].paginator.count == 40
    assert len(page.context["page"].object_list) == 25
    assert {k: n for k, _, n in page.context["section_filters"]}["overdue"] == 20
    assert [(k, n) for k, _, n in page.context["kind_filters"]] == [("general", 40)]
    overdue = browser.get(reverse("my_followups") + "?section=overdue")
    assert overdue.context["page"].paginator.count == 20
    assert {i.section for i in overdue.context["page"].object_list} == {"overdue"}
    none_ = browser.get(reverse("my_followups") + "?kind=reassessment")
    assert none_.context["page"].paginator.count == 0
    assert "Nothing here with these filters" in none_.text
    last = browser.get(reverse("my_followups") + "?page=2")
    assert len(last.context["page"].object_list) == 15


def test_every_and_n_more_is_a_link_that_opens(browser_as, case_manager, team, monkeypatch):
    from dashboard import views

    _routine_caseload(team, case_manager, n=4)
    monkeypatch.setattr(views, "TODAY_LINES", 2)
    browser = browser_as(case_manager)
    response = browser.get(reverse("home"))
    links = response.context["more_urls"]
    assert response.text.count(">and 2 more</a>") == 3  # overdue, this week, high-risk
    for key in ("overdue", "this_week", "flagged"):
        assert f'href="{links[key]}"'.replace("&", "&amp;") in response.text
        assert browser.get(links[key]).status_code == 200


@pytest.mark.parametrize("rows", [1, 12])
def test_my_followups_query_count_is_fixed(
    browser_as, case_manager, team, rows, django_assert_num_queries
):
    _routine_caseload(team, case_manager, n=rows)
    browser = browser_as(case_manager)
    browser.get(reverse("my_followups"))  # warm the session
    with django_assert_num_queries(12):
        browser.get(reverse("my_followups"))
