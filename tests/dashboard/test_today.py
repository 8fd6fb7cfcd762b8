from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from careplans.models import CarePlan
from referrals.models import Referral
from referrals.services import followup_create
from tests.factories import ClientFactory

pytestmark = pytest.mark.django_db


def _setup(team, case_manager, n=1):
    today = timezone.localdate()
    for i in range(n):
        client = ClientFactory(team=team, primary_case_manager=case_manager, last_name=f"Person{i}")
        followup_create(
            actor=case_manager,
            client=client,
            assignee=case_manager,
            reason="general",
            title=f"Late call {i}",
            due_on=today - timedelta(days=2),
        )
        followup_create(
            actor=case_manager,
            client=client,
            assignee=case_manager,
            reason="general",
            title=f"Tomorrow {i}",
            due_on=today + timedelta(days=1),
        )
        client.risk_flags.create(kind="overdose_risk", reason="x")
        CarePlan.objects.create(
            client=client,
            version=1,
            status="active",
            author=case_manager,
            effective_date=today - timedelta(days=80),
            review_due=today + timedelta(days=3),
        )
        Referral.objects.create(
            client=client,
            provider_name="Harbor Detox",
            reason="x",
            status="sent",
            response_due_on=today - timedelta(days=1),
            created_by=case_manager,
            discloses_substance_use=False,
        )


def test_today_shows_what_needs_me(browser_as, case_manager, teammate, team):
    _setup(team, case_manager)
    other = ClientFactory(team=team, primary_case_manager=teammate)
    followup_create(
        actor=teammate,
        client=other,
        assignee=teammate,
        reason="general",
        title="Not mine",
        due_on=timezone.localdate() - timedelta(days=1),
    )
    response = browser_as(case_manager).get(reverse("home"))
    sections = response.context["sections"]
    assert [i.what for i in sections["overdue"]] == ["Late call 0"]
    assert sections["overdue"][0].when == "overdue by 2 days"
    assert [i.what for i in sections["this_week"]] == ["Tomorrow 0"]
    assert sections["this_week"][0].when == "due tomorrow"
    assert sections["flagged"][0].what == "Overdose risk"
    assert sections["plans"][0].when == "in 3 days"
    assert "Harbor Detox" in sections["referrals"][0].what
    assert "Not mine" not in response.text


def test_every_line_opens_and_a_follow_up_is_marked_done_from_today(browser_as, case_manager, team):
    _setup(team, case_manager)
    browser = browser_as(case_manager)
    response = browser.get(reverse("home"))
    items = [i for section in response.context["sections"].values() for i in section]
    assert items
    for item in items:  # every "Open" link is a page (a POST-only URL would be 405)
        assert browser.get(item.link).status_code == 200, item.link
    late = response.context["sections"]["overdue"][0]
    page = response.content.decode()
    assert f'href="/referrals/follow-ups/{late.followup_id}/reschedule/?next=/"' in page
    done = browser.post(
        reverse("referrals:followup_close", args=[late.followup_id]),
        {"status": "done", "next": "/"},
    )
    assert done.status_code == 302 and done["Location"] == "/"
    after = browser.get(reverse("home")).context["sections"]["overdue"]
    assert late.followup_id not in [i.followup_id for i in after]


def test_empty_today_says_so(browser_as, case_manager):
    page = browser_as(case_manager).get(reverse("home")).text
    assert "Nothing overdue." in page and "No referral is waiting." in page


def test_today_query_count_is_fixed(browser_as, case_manager, team, django_assert_max_num_queries):
    browser = browser_as(case_manager)
    _setup(team, case_manager, n=1)
    with django_assert_max_num_queries(30) as one:
        browser.get(reverse("home"))
    _setup(team, case_manager, n=8)
    with django_assert_max_num_queries(30) as many:
        browser.get(reverse("home"))
    assert len(many.captured_queries) == len(one.captured_queries)


def test_today_api_is_audited(api_as, case_manager):
    from casemgmt.audit.models import AuditEvent

    assert api_as(case_manager).get("/api/v1/dashboard/today/").status_code == 200
    assert AuditEvent.objects.filter(object_type="dashboard.today", user=case_manager).exists()


def test_the_page_loads_the_first_lines_and_counts_the_rest(
    browser_as, case_manager, team, monkeypatch
):
    """With a limit each section holds the first lines of the full list (the API's), and
    the totals count every line; the page says how many more there are."""
    from clients.services import diagnosis_add
    from dashboard import views
    from dashboard.selectors import today_for

    _setup(team, case_manager, n=5)
    for client in ClientFactory._meta.model.objects.filter(primary_case_manager=case_manager):
        diagnosis_add(actor=case_manager, client=client, icd10_code="F33.1")  # re-assess
    full = today_for(user=case_manager)
    limited = today_for(user=case_manager, limit=2)
    assert set(limited.sections) == set(full.sections)
    for name, items in full.sections.items():
        assert limited.totals[name] == len(items) == full.totals[name], name
        shown = [(i.client.pk, i.what, i.due, i.overdue) for i in limited.sections[name]]
        assert shown == [(i.client.pk, i.what, i.due, i.overdue) for i in items[:2]], name
    assert {name: len(items) for name, items in full.sections.items()} == {
        "imminent": 0,
        "transition": 0,
        "overdue": 5,
        "due_today": 0,
        "this_week": 5,
        "flagged": 5,
        "plans": 5,
        "reassessments": 5,
        "referrals": 5,
    }
    monkeypatch.setattr(views, "TODAY_LINES", 2)
    page = browser_as(case_manager).get(reverse("home"))
    assert len(page.context["sections"]["overdue"]) == 2
    assert page.text.count("and 3 more") == 6  # every section with five lines
