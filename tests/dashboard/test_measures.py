from datetime import date, datetime, time, timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from careplans.models import CarePlan, Goal, Problem, SafetyPlan
from clients.models import ContactNote
from referrals.models import CareTransition, Referral
from tests.factories import ClientFactory

pytestmark = pytest.mark.django_db


def _aware(day: date, hour=10):
    return timezone.make_aware(datetime.combine(day, time(hour)))


def _by_key(response):
    return {m.key: m for m in response.context["measures"]}


def _behind(browser, key, **params) -> set[int]:
    """The clients on the drill-down page behind a measure's gap."""
    response = browser.get(reverse("dashboard:clients"), {"measure": key, **params})
    assert response.status_code == 200
    return {c.pk for c in response.context["page"].object_list}


def test_follow_up_after_discharge_rates(browser_as, supervisor, case_manager, team):
    today = timezone.localdate()
    seen, missed = ClientFactory(team=team), ClientFactory(team=team)
    for client in (seen, missed):
        CareTransition.objects.create(
            client=client,
            from_level="inpatient_psych",
            to_level="community",
            measure="FUH",
            denominator="counted",
            facility="St Mary",
            admitted_on=today - timedelta(days=45),
            discharged_on=today - timedelta(days=40),
            recorded_by=case_manager,
        )
    ContactNote.objects.create(
        client=seen,
        contact_at=_aware(today - timedelta(days=35)),
        contact_type="in_person",
        duration_minutes=30,
        data="d",
        assessment="a",
        plan="p",
        author=case_manager,
        signed_at=_aware(today - timedelta(days=35)),
        signed_by=case_manager,
    )
    response = browser_as(supervisor).get(reverse("dashboard:measures"))
    fuh7 = _by_key(response)["fuh_7"]
    assert (fuh7.numerator, fuh7.denominator, fuh7.percent) == (1, 2, "50%")
    assert "discharge day does not count" in fuh7.definition
    assert "1 missed →" in response.content.decode()
    browser = browser_as(supervisor)
    assert _behind(browser, "fuh_7") == {missed.pk}
    assert _behind(browser, "fum_7") == set()
    # The period rides along: discharges before it are not behind the figure.
    later = (today - timedelta(days=30)).isoformat()
    assert _behind(browser, "fuh_7", start=later) == set()


def test_closed_loop_rate_and_median(browser_as, supervisor, case_manager, team):
    client = ClientFactory(team=team)
    now = timezone.now()
    for days, status, confirmation in (
        (4, "completed", "client"),
        (10, "completed", "provider"),
        (3, "declined", ""),
        (5, "completed", ""),
    ):
        Referral.objects.create(
            client=client,
            provider_name="Harbor",
            reason="x",
            status=status,
            completion_confirmation=confirmation,
            sent_at=now - timedelta(days=days),
            closed_at=now,
            created_by=case_manager,
            discloses_substance_use=False,
        )
    m = _by_key(browser_as(supervisor).get(reverse("dashboard:measures")))["closed_loop"]
    assert (m.numerator, m.denominator) == (2, 4)
    assert m.note == "median 7.0 days from sending to completion"
    assert m.gap_count == 2
    assert _behind(browser_as(supervisor), "closed_loop") == {client.pk}


def test_plan_measures(browser_as, supervisor, case_manager, team):
    today = timezone.localdate()
    both, one, none = (ClientFactory(team=team, is_dual_diagnosis=True) for _ in range(3))
    for client, disorders in ((both, ("mh", "su")), (one, ("mh",))):
        plan = CarePlan.objects.create(
            client=client,
            version=1,
            status="active",
            author=case_manager,
            effective_date=today,
            review_due=today + timedelta(days=90),
        )
        for disorder in disorders:
            problem = Problem.objects.create(
                plan=plan,
                domain="mental_health",
                description="x",
                concerns_mental_health=disorder == "mh",
                concerns_substance_use=disorder == "su",
            )
            Goal.objects.create(
                plan=plan,
                problem=problem,
                text="x",
                goal_type="recovery",
                target_date=today + timedelta(days=60),
            )
    from careplans.services import careplan_coverage_refresh

    careplan_coverage_refresh()  # plans made active here without approval
    none.risk_flags.create(kind="suicide_risk", reason="x")
    both.risk_flags.create(kind="suicide_risk", reason="x")
    SafetyPlan.objects.create(client=both, version=1, created_by=case_manager)
    m = _by_key(browser_as(supervisor).get(reverse("dashboard:measures")))
    assert (m["current_plan"].numerator, m["current_plan"].denominator) == (2, 3)
    assert (m["dual_both_goals"].numerator, m["dual_both_goals"].denominator) == (1, 3)
    assert (m["suicide_safety_plan"].numerator, m["suicide_safety_plan"].denominator) == (1, 2)
    browser = browser_as(supervisor)
    assert _behind(browser, "current_plan") == {none.pk}
    assert _behind(browser, "dual_both_goals") == {one.pk, none.pk}
    assert _behind(browser, "suicide_safety_plan") == {none.pk}
    assert _behind(browser, "no_such_measure") == {both.pk, one.pk, none.pk}  # no drill-down:
    # an unknown or gap-less measure falls back to the active caseload, like a bad metric


def test_measure_drilldown_stays_in_reach(browser_as, supervisor, case_manager, team, other_team):
    mine, theirs = ClientFactory(team=team), ClientFactory(team=other_team)
    browser = browser_as(supervisor)
    assert _behind(browser, "current_plan") == {mine.pk}
    page = browser.get(reverse("dashboard:clients"), {"measure": "current_plan"}).content
    assert b"Back to the quality measures" in page
    assert theirs.pk not in _behind(browser, "current_plan", team=other_team.pk)
    csv = browser.get(reverse("dashboard:clients_csv"), {"measure": "current_plan"})
    assert csv.status_code == 200 and mine.client_number in csv.content.decode()
    assert theirs.client_number not in csv.content.decode()


def test_measures_csv_and_api(browser_as, api_as, supervisor, case_manager):
    from casemgmt.audit.models import AuditEvent

    body = browser_as(supervisor).get(reverse("dashboard:measures_csv")).content.decode()
    assert body.splitlines()[0] == "Measure,Numerator,Denominator,Rate,Note,Definition"
    assert AuditEvent.objects.filter(action="export", object_type="dashboard.measures").exists()
    api = api_as(supervisor)
    rows = {m["key"]: m for m in api.get("/api/v1/dashboard/measures/").json()}
    assert "fuh_7" in rows and "closed_loop" in rows
    assert rows["current_plan"]["gap"] == "without a current plan"
    assert rows["dep_rem_12"]["gap"] == "not met" and rows["dep_rem_12"]["gap_count"] == 0
    assert api.get("/api/v1/dashboard/caseload/").status_code == 200
    assert api_as(case_manager).get("/api/v1/dashboard/caseload/").status_code == 403
    assert api_as(case_manager).get("/api/v1/dashboard/today/").status_code == 200


def test_measures_query_count_is_fixed(
    browser_as, supervisor, case_manager, team, django_assert_max_num_queries
):
    browser = browser_as(supervisor)
    ClientFactory(team=team, primary_case_manager=case_manager)
    with django_assert_max_num_queries(80) as one:
        browser.get(reverse("dashboard:measures"))
    for client in ClientFactory.create_batch(15, team=team, primary_case_manager=case_manager):
        client.risk_flags.create(kind="suicide_risk", reason="x")
    with django_assert_max_num_queries(80) as many:
        browser.get(reverse("dashboard:measures"))
    assert len(many.captured_queries) == len(one.captured_queries)


def test_shared_tallies_give_the_same_rates_as_the_referrals_selector(case_manager, team):
    from dashboard.measures import follow_up_measures
    from referrals.selectors import followup_window_tallies

    today = timezone.localdate()
    for i, (measure, level) in enumerate(
        [("FUH", "inpatient_psych"), ("FUM", "emergency"), ("FUI", "withdrawal_management")] * 3
    ):
        client = ClientFactory(team=team)
        discharged = today - timedelta(days=10 + 15 * i)
        CareTransition.objects.create(
            client=client,
            from_level=level,
            to_level="community",
            measure=measure,
            denominator="counted",
            facility="x",
            admitted_on=discharged - timedelta(days=3),
            discharged_on=discharged,
            recorded_by=case_manager,
        )
        if i % 2:
            ContactNote.objects.create(
                client=client,
                contact_type="video",
                duration_minutes=20,
                contact_at=_aware(discharged + timedelta(days=i % 9)),
                data="d",
                assessment="a",
                plan="p",
                author=case_manager,
                signed_at=_aware(discharged + timedelta(days=i % 9)),
                signed_by=case_manager,
            )
    start, end = today - timedelta(days=90), today
    tallies = followup_window_tallies(
        team_ids=[team.pk], start=today - timedelta(days=365), end=end, as_of=today
    )
    shared = follow_up_measures(
        team_ids=[team.pk], start=start, end=end, as_of=today, tallies=tallies
    )
    direct = follow_up_measures(team_ids=[team.pk], start=start, end=end, as_of=today)
    assert [(m.key, m.numerator, m.denominator) for m in shared] == [
        (m.key, m.numerator, m.denominator) for m in direct
    ]
    assert sum(m.denominator for m in direct) > 0
