"""Issue 19, smaller fixes in health: a crisis with "Emergency department" records the ED
visit as a care transition (so the HEDIS FUM/FUA clock starts); a medication's start date
can be corrected while no check-in predates it; adherence check-ins in the API."""

from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from casemgmt.audit.models import AuditEvent
from health import services
from health.models import AdherenceCheckIn, CrisisEpisode, Medication
from referrals.models import CareTransition, FollowUp
from tests.factories import ClientFactory

pytestmark = pytest.mark.django_db


def _crisis(**extra):
    values = {
        "occurred_at": timezone.now() - timedelta(hours=3),
        "crisis_type": "overdose",
        "actions": ["ed", "naloxone"],
        "description": "Found unresponsive",
        "outcome": "Taken to the ED",
    }
    values.update(extra)
    return values


# ---------------------------------------------------------------- crisis -> ED visit
def test_a_crisis_with_an_ed_visit_records_the_transition_and_starts_fua(
    case_manager, client_record
):
    today = client_record.team.local_date()
    episode = services.crisis_record(
        actor=case_manager,
        client=client_record,
        **_crisis(),
        ed_visit=services.EdVisit(facility="Riverside General", discharged_on=today),
    )
    transition = CareTransition.objects.get(pk=episode.ed_transition_id)
    assert transition.client_id == client_record.pk
    assert (transition.from_level, transition.focus) == ("emergency", "substance_use")
    # An ED visit for substance use is FUA (NCQA HEDIS MY2025): 7- and 30-day windows.
    assert transition.measure == "FUA" and transition.discharged_on == today
    windows = FollowUp.objects.filter(transition=transition)
    assert sorted(windows.values_list("window_days", flat=True)) == [7, 30]


def test_a_psychiatric_crisis_ed_visit_is_fum_and_the_ed_action_is_ticked(
    case_manager, client_record
):
    episode = services.crisis_record(
        actor=case_manager,
        client=client_record,
        **_crisis(crisis_type="suicidal", actions=["crisis_line"]),
        ed_visit=services.EdVisit(
            facility="Riverside General", discharged_on=client_record.team.local_date()
        ),
    )
    assert "ed" in episode.actions
    assert CareTransition.objects.get(pk=episode.ed_transition_id).measure == "FUM"


def test_an_ed_visit_still_in_progress_opens_an_admission_without_windows(
    case_manager, client_record
):
    episode = services.crisis_record(
        actor=case_manager,
        client=client_record,
        **_crisis(),
        ed_visit=services.EdVisit(facility="Riverside General"),
    )
    transition = CareTransition.objects.get(pk=episode.ed_transition_id)
    assert transition.discharged_on is None and not transition.measure
    assert not FollowUp.objects.filter(transition=transition).exists()


def test_a_bad_ed_visit_saves_nothing_and_names_the_field(case_manager, client_record):
    with pytest.raises(ValidationError) as error:
        services.crisis_record(
            actor=case_manager,
            client=client_record,
            **_crisis(),
            ed_visit=services.EdVisit(facility="  "),
        )
    assert "ed_facility" in error.value.message_dict
    future = client_record.team.local_date() + timedelta(days=2)
    with pytest.raises(ValidationError) as error:
        services.crisis_record(
            actor=case_manager,
            client=client_record,
            **_crisis(),
            ed_visit=services.EdVisit(facility="Riverside General", discharged_on=future),
        )
    assert "ed_discharged_on" in error.value.message_dict
    assert not CrisisEpisode.objects.exists() and not CareTransition.objects.exists()


def test_crisis_page_records_the_ed_visit(browser_as, case_manager, client_record):
    browser = browser_as(case_manager)
    url = reverse("health:crisis", args=[client_record.pk])
    page = browser.get(url)
    assert 'id="ed-visit"' in page.text and "Record the ED visit as a care transition" in page.text
    when = timezone.localtime() - timedelta(hours=2)
    data = {
        "action": "crisis",
        "occurred_at": when.strftime("%Y-%m-%dT%H:%M"),
        "crisis_type": "overdose",
        "actions": ["ed"],
        "description": "Overdose at home",
        "outcome": "ED",
        "ed_visit_record": "on",
        "ed_facility": "",
    }
    response = browser.post(url, data)
    assert 'id="id_ed_facility_error"' in response.text and not CrisisEpisode.objects.exists()
    data |= {"ed_facility": "Riverside General", "ed_discharged_on": when.strftime("%Y-%m-%d")}
    response = browser.post(url, data, follow=True)
    assert "The ED visit is recorded as a care transition" in response.text
    episode = CrisisEpisode.objects.get()
    assert CareTransition.objects.get(pk=episode.ed_transition_id).measure == "FUA"
    assert "ED visit recorded as a care transition" in response.text


def test_crisis_with_ed_but_no_visit_offers_to_record_it(browser_as, case_manager, client_record):
    services.crisis_record(actor=case_manager, client=client_record, **_crisis())
    browser = browser_as(case_manager)
    page = browser.get(reverse("health:crisis", args=[client_record.pk]))
    assert "no FUM/FUA follow-up has started" in page.text
    link = reverse("referrals:transition_create", args=[client_record.pk])
    assert f"{link}?from_level=emergency&amp;to_level=community" in page.text
    form = browser.get(f"{link}?from_level=emergency&focus=substance_use&admitted_on=2026-01-02")
    assert 'value="emergency" selected' in form.text
    assert 'value="substance_use" selected' in form.text and 'value="2026-01-02"' in form.text


def test_api_crisis_with_ed_visit(api_as, case_manager, client_record):
    api = api_as(case_manager)
    body = _crisis() | {"client": client_record.pk, "occurred_at": timezone.now().isoformat()}
    response = api.post(
        "/api/v1/crisis-episodes/", body | {"ed_visit": {"facility": ""}}, format="json"
    )
    assert response.status_code == 400 and "facility" in str(response.json())
    today = client_record.team.local_date().isoformat()
    response = api.post(
        "/api/v1/crisis-episodes/",
        body | {"ed_visit": {"facility": "Riverside General", "discharged_on": today}},
        format="json",
    )
    assert response.status_code == 201, response.content
    transition = CareTransition.objects.get(pk=response.json()["ed_transition_id"])
    assert transition.measure == "FUA"


# ------------------------------------------------------------ medication start date
@pytest.fixture
def med(case_manager, client_record):
    return services.medication_add(
        actor=case_manager,
        client=client_record,
        name="Buprenorphine",
        dose="16 mg",
        frequency="once daily",
        started_on=timezone.localdate() - timedelta(days=10),
    )


def test_start_date_corrected_earlier_then_an_earlier_check_in_is_accepted(case_manager, med):
    earlier = timezone.localdate() - timedelta(days=40)
    with pytest.raises(ValidationError) as error:
        services.checkin_record(
            actor=case_manager, medication=med, checked_on=earlier, adherence="as_prescribed"
        )
    assert "correct it first" in str(error.value.message_dict["checked_on"])
    services.medication_update(actor=case_manager, medication=med, data={"started_on": earlier})
    med.refresh_from_db()
    assert med.started_on == earlier
    event = AuditEvent.objects.filter(object_type="health.medication", action="update").last()
    assert event is not None and "started_on" in str(event.detail)
    services.checkin_record(
        actor=case_manager, medication=med, checked_on=earlier, adherence="as_prescribed"
    )
    assert AdherenceCheckIn.objects.filter(medication=med).count() == 1


def test_start_date_cannot_move_after_a_check_in(case_manager, med):
    day = timezone.localdate() - timedelta(days=5)
    services.checkin_record(
        actor=case_manager, medication=med, checked_on=day, adherence="as_prescribed"
    )
    with pytest.raises(ValidationError) as error:
        services.medication_update(
            actor=case_manager, medication=med, data={"started_on": day + timedelta(days=1)}
        )
    assert f"{day:%b %-d, %Y}" in error.value.message_dict["started_on"][0]
    # up to the check-in's day is fine
    services.medication_update(actor=case_manager, medication=med, data={"started_on": day})
    assert Medication.objects.get(pk=med.pk).started_on == day


def test_start_date_page_and_api(browser_as, api_as, case_manager, client_record, med):
    day = timezone.localdate() - timedelta(days=5)
    services.checkin_record(
        actor=case_manager, medication=med, checked_on=day, adherence="as_prescribed"
    )
    browser = browser_as(case_manager)
    url = reverse("health:medication", args=[client_record.pk, med.pk])
    later = (day + timedelta(days=2)).isoformat()
    response = browser.post(
        url,
        {
            "action": "change",
            "dose": "16 mg",
            "frequency": "once daily",
            "route": "oral",
            "started_on": later,
            "status": "active",
            "edit_version": str(med.edit_version),
        },
    )
    assert 'id="id_started_on_error"' in response.text
    assert Medication.objects.get(pk=med.pk).started_on != day + timedelta(days=2)
    api = api_as(case_manager)
    response = api.patch(f"/api/v1/medications/{med.pk}/", {"started_on": later}, format="json")
    assert response.status_code == 400 and "started_on" in response.json()
    earlier = (day - timedelta(days=30)).isoformat()
    response = api.patch(f"/api/v1/medications/{med.pk}/", {"started_on": earlier}, format="json")
    assert response.status_code == 200 and response.json()["started_on"] == earlier


# ------------------------------------------------------- adherence check-ins in the API
def _checkins(case_manager, client, n):
    med = services.medication_add(
        actor=case_manager,
        client=client,
        name="Sertraline",
        dose="50 mg",
        frequency="daily",
        started_on=timezone.localdate() - timedelta(days=100),
    )
    for i in range(n):
        services.checkin_record(
            actor=case_manager,
            medication=med,
            checked_on=timezone.localdate() - timedelta(days=i),
            adherence="as_prescribed" if i % 2 else "unknown",
        )
    return med


def test_api_check_ins_list_filters_and_reach(api_as, case_manager, outsider, client_record):
    med = _checkins(case_manager, client_record, 4)
    api = api_as(case_manager)
    rows = api.get("/api/v1/adherence-check-ins/").json()["results"]
    assert len(rows) == 4 and rows[0]["client"] == client_record.pk
    assert rows[0]["medication_name"] == "Sertraline"
    assert rows[0]["checked_on"] >= rows[-1]["checked_on"]  # newest first
    filtered = api.get(
        "/api/v1/adherence-check-ins/",
        {"client": client_record.pk, "medication": med.pk, "adherence": "unknown"},
    ).json()["results"]
    assert len(filtered) == 2
    since = (timezone.localdate() - timedelta(days=1)).isoformat()
    assert (
        len(api.get("/api/v1/adherence-check-ins/", {"checked_after": since}).json()["results"])
        == 2
    )
    bad = api.get("/api/v1/adherence-check-ins/", {"adherence": "sometimes"})
    assert bad.status_code == 400 and "adherence" in bad.json()
    one = rows[0]["id"]
    assert api.get(f"/api/v1/adherence-check-ins/{one}/").status_code == 200
    assert AuditEvent.objects.filter(
        object_type="health.adherencecheckin", client_id=client_record.pk
    ).exists()
    other = api_as(outsider)
    assert other.get(f"/api/v1/adherence-check-ins/{one}/").status_code == 404
    assert other.get("/api/v1/adherence-check-ins/").json()["results"] == []


@pytest.mark.parametrize("n", [1, 25])
def test_api_check_ins_query_count(
    api_as, case_manager, team, client_record, django_assert_max_num_queries, n
):
    _checkins(case_manager, client_record, n)
    _checkins(case_manager, ClientFactory(team=team, primary_case_manager=case_manager), n)
    api = api_as(case_manager)
    with django_assert_max_num_queries(12):
        response = api.get("/api/v1/adherence-check-ins/")
    assert response.status_code == 200 and response.json()["count"] == 2 * n
