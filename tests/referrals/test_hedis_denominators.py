"""Which discharges and ED visits are in the HEDIS MY2025 FUH, FUM, FUA and FUI
denominators, and which contacts meet a window.

Every expected value below is written from the published measure text (NCQA HEDIS
MY2025 Volume 2, each measure's "Eligible population: Event/diagnosis" and
"Numerators"; quoted in the test's docstring), not computed by the code under test.
Dates are fixed days in the past so that each edge (day 30 / 31, same day, day after)
is spelt out.
"""

from datetime import date, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.urls import reverse
from django.utils import timezone

from referrals.models import CareTransition, FollowUpStatus
from referrals.selectors import followup_window_tallies, transition_windows
from referrals.services import transition_discharge, transition_record
from tests.factories import ClientFactory, TeamFactory
from tests.referrals.conftest import contact_note

pytestmark = pytest.mark.django_db

D = date(2026, 3, 13)  # the first discharge (or ED visit); D + 30 days is 12 Apr


def day(n: int) -> date:
    return D + timedelta(days=n)


def stay(client, actor, level, *, admitted, discharged, to="community", focus="mental_health"):
    """A stay (or an ED visit: admitted == discharged) recorded through the service."""
    return transition_record(
        actor=actor,
        client=client,
        from_level=level,
        to_level=to,
        focus=focus,
        facility="General Hospital",
        admitted_on=admitted,
        discharged_on=discharged,
    )


def ed(client, actor, visit_day, *, focus="mental_health", to="community"):
    return stay(
        client, actor, "emergency", admitted=visit_day, discharged=visit_day, to=to, focus=focus
    )


def verdict(t: CareTransition) -> tuple[str, str]:
    t.refresh_from_db()
    return t.denominator, t.denominator_reason


# ------------------------------------------------------------------------------ FUH
def test_fuh_readmission_on_day_30_counts_only_the_last_discharge(client_record, case_manager):
    """FUH MY2025, Event/diagnosis, "Acute readmission or direct transfer": "If the
    discharge is followed by readmission or direct transfer to an acute inpatient care
    setting for a principal mental health diagnosis within the 30-day follow-up period,
    count only the last discharge." Day 30 is inside the period (NCQA FAQ 12.15.2020:
    "30 days after discharge")."""
    first = stay(client_record, case_manager, "inpatient_psych", admitted=day(-5), discharged=D)
    second = stay(
        client_record, case_manager, "inpatient_psych", admitted=day(30), discharged=day(36)
    )
    assert verdict(first) == ("superseded", "readmitted on 12 Apr: the later discharge counts")
    assert verdict(second) == ("counted", "")
    assert transition_windows([first]) == {}
    # The first discharge's follow-ups stop (no reminder, no escalation, not on Today).
    assert {f.status for f in first.followups.all()} == {FollowUpStatus.CANCELLED}
    assert "the later discharge counts" in first.followups.first().outcome_note
    assert {f.status for f in second.followups.all()} == {FollowUpStatus.OPEN}


def test_fuh_readmission_on_day_31_is_a_new_discharge(client_record, case_manager):
    """FUH MY2025: the readmission rule looks "within the 30-day follow-up period";
    an admission on day 31 is after it, so both discharges count ("If members have more
    than one discharge, include all discharges")."""
    first = stay(client_record, case_manager, "inpatient_psych", admitted=day(-5), discharged=D)
    second = stay(
        client_record, case_manager, "inpatient_psych", admitted=day(31), discharged=day(36)
    )
    assert verdict(first) == ("counted", "")
    assert verdict(second) == ("counted", "")


def test_fuh_direct_transfer_to_acute_care_counts_the_later_discharge(client_record, case_manager):
    """FUH MY2025, "Acute readmission or direct transfer": a direct transfer (admitted
    on the discharge day) to another acute inpatient setting: count only the last
    discharge. The transfer recorded only as the "to" setting supersedes as well."""
    first = stay(
        client_record,
        case_manager,
        "inpatient_psych",
        admitted=day(-5),
        discharged=D,
        to="inpatient_psych",
    )
    assert verdict(first)[0] == "superseded"
    second = stay(client_record, case_manager, "inpatient_psych", admitted=D, discharged=day(9))
    assert verdict(first) == ("superseded", "readmitted on 13 Mar: the later discharge counts")
    assert verdict(second) == ("counted", "")


@pytest.mark.parametrize(("admitted", "expected"), [(30, "excluded"), (31, "counted")])
def test_fuh_nonacute_admission_within_30_days_excludes_the_discharge(
    client_record, case_manager, admitted, expected
):
    """FUH MY2025, "Nonacute readmission or direct transfer": "Exclude discharges
    followed by readmission or direct transfer to a nonacute inpatient care setting
    within the 30-day follow-up period, regardless of principal diagnosis." Residential
    treatment is a nonacute inpatient setting; day 31 is outside the period."""
    first = stay(client_record, case_manager, "inpatient_psych", admitted=day(-5), discharged=D)
    stay(
        client_record,
        case_manager,
        "residential",
        admitted=day(admitted),
        discharged=day(admitted + 20),
    )
    assert verdict(first)[0] == expected
    if expected == "excluded":
        assert verdict(first)[1] == (
            "admitted to residential on 12 Apr: nonacute care within 30 days excludes the discharge"
        )


def test_fuh_direct_transfer_to_residential_excludes_the_discharge(client_record, case_manager):
    """FUH MY2025, "Nonacute readmission or direct transfer": a direct transfer to a
    nonacute inpatient setting excludes the discharge; no window is measured and no
    follow-up is created for it."""
    t = stay(
        client_record,
        case_manager,
        "inpatient_psych",
        admitted=day(-5),
        discharged=D,
        to="residential",
    )
    assert verdict(t)[0] == "excluded"
    assert not t.followups.exists()


def test_fuh_transfer_to_partial_hospitalisation_is_a_follow_up_not_an_exclusion(
    client_record, case_manager
):
    """FUH MY2025 excludes transfers to a nonacute *inpatient* setting only; a partial
    hospitalisation is one of the FUH Numerator's follow-up visits ("an intensive
    outpatient encounter or partial hospitalization"), so the discharge stays in the
    denominator."""
    t = stay(
        client_record,
        case_manager,
        "inpatient_psych",
        admitted=day(-5),
        discharged=D,
        to="partial_hospitalization",
    )
    stay(client_record, case_manager, "partial_hospitalization", admitted=D, discharged=day(20))
    assert verdict(t) == ("counted", "")


def test_fuh_acute_readmission_for_substance_use_excludes_the_discharge(
    client_record, case_manager
):
    """FUH MY2025: only a readmission "for a principal mental health diagnosis" makes
    the later discharge count; a discharge followed within 30 days by an acute
    readmission for another principal diagnosis is excluded. The substance use stay is
    FUI's (MY2025 FUI: "acute inpatient hospitalizations ... for a diagnosis of
    substance use disorder")."""
    first = stay(client_record, case_manager, "inpatient_psych", admitted=day(-5), discharged=D)
    sud = stay(
        client_record,
        case_manager,
        "inpatient_psych",
        admitted=day(10),
        discharged=day(14),
        focus="substance_use",
    )
    assert verdict(first)[0] == "excluded"
    assert "for substance use" in verdict(first)[1]
    assert (sud.measure, verdict(sud)) == ("FUI", ("counted", ""))


def test_acute_stay_for_substance_use_is_fui_and_residential_for_mental_illness_is_neither(
    client_record, case_manager
):
    """FUH MY2025 Description: discharges "hospitalized for treatment of selected mental
    illness or intentional self-harm diagnoses"; FUI MY2025 Description: "acute
    inpatient hospitalizations, residential treatment or withdrawal management visits
    for a diagnosis of substance use disorder". A residential stay for mental illness
    is neither acute (FUH) nor for substance use (FUI)."""
    sud = stay(
        client_record,
        case_manager,
        "inpatient_psych",
        admitted=day(-5),
        discharged=D,
        focus="substance_use",
    )
    other = ClientFactory(team=client_record.team, primary_case_manager=case_manager)
    residential = stay(other, case_manager, "residential", admitted=day(-30), discharged=D)
    assert sud.measure == "FUI" and sud.followups.count() == 2
    assert residential.measure == "" and not residential.followups.exists()
    assert verdict(residential) == ("", "")


# ------------------------------------------------------------------------- FUM / FUA
def test_ed_visit_admitted_the_same_day_is_excluded(client_record, case_manager):
    """FUM and FUA MY2025, "ED visits followed by inpatient admission": exclude ED
    visits that result in an inpatient stay and those followed by an admission "on the
    date of the ED visit or within the 30 days after the ED visit, regardless of
    principal diagnosis for the admission"."""
    admitted_from_ed = ed(client_record, case_manager, D, to="inpatient_psych")
    assert verdict(admitted_from_ed)[0] == "excluded"
    assert not admitted_from_ed.followups.exists()
    other = ClientFactory(team=client_record.team, primary_case_manager=case_manager)
    visit = ed(other, case_manager, D, focus="substance_use")
    assert visit.measure == "FUA" and verdict(visit) == ("counted", "")
    stay(other, case_manager, "withdrawal_management", admitted=D, discharged=day(4))
    assert verdict(visit)[0] == "excluded"
    assert {f.status for f in visit.followups.all()} == {FollowUpStatus.CANCELLED}


@pytest.mark.parametrize(("admitted", "expected"), [(30, "excluded"), (31, "counted")])
def test_ed_visit_followed_by_admission_on_day_30_or_31(
    client_record, case_manager, admitted, expected
):
    """FUM MY2025: an admission "within the 30 days after the ED visit" excludes it;
    one on day 31 does not."""
    visit = ed(client_record, case_manager, D)
    stay(
        client_record,
        case_manager,
        "inpatient_psych",
        admitted=day(admitted),
        discharged=day(admitted + 3),
    )
    assert verdict(visit)[0] == expected


@pytest.mark.parametrize(("second", "expected"), [(30, "superseded"), (31, "counted")])
def test_only_the_first_ed_visit_in_31_days_counts(client_record, case_manager, second, expected):
    """FUM and FUA MY2025, "Multiple visits in a 31-day period": "If a member has more
    than one ED visit in a 31-day period, include only the first eligible ED visit";
    e.g. a visit on January 1 excludes visits January 2-31, and the next counted one is
    on or after February 1 (day 31)."""
    first = ed(client_record, case_manager, D)
    later = ed(client_record, case_manager, day(second))
    assert verdict(first) == ("counted", "")
    assert verdict(later)[0] == expected
    if expected == "superseded":
        assert verdict(later)[1] == "FUM ED visit on 13 Mar counts: one per 31 days"


def test_exclusions_come_before_the_31_day_rule(client_record, case_manager):
    """FUM MY2025: only the first *eligible* ED visit counts; a visit excluded because
    it was followed by an admission does not start a 31-day period."""
    first = ed(client_record, case_manager, D)
    stay(client_record, case_manager, "inpatient_psych", admitted=day(2), discharged=day(6))
    second = ed(client_record, case_manager, day(10))
    assert verdict(first)[0] == "excluded"
    assert verdict(second) == ("counted", "")


def test_fum_and_fua_visits_do_not_supersede_each_other(client_record, case_manager):
    """FUM and FUA are separate measures, each with its own denominator of ED visits;
    the 31-day rule applies within each."""
    mental = ed(client_record, case_manager, D)
    substance = ed(client_record, case_manager, day(3), focus="substance_use")
    assert (mental.measure, verdict(mental)) == ("FUM", ("counted", ""))
    assert (substance.measure, verdict(substance)) == ("FUA", ("counted", ""))


# ------------------------------------------------------------------------------ FUI
@pytest.mark.parametrize(("gap", "expected"), [(0, "superseded"), (1, "superseded")])
def test_fui_direct_transfer_counts_the_last_discharge(client_record, case_manager, gap, expected):
    """FUI MY2025, "Direct transfers": an episode followed by a direct transfer to
    another high-intensity setting (acute inpatient, residential, withdrawal
    management) counts once, on the last discharge. A direct transfer: the discharge
    precedes the admission by one calendar day or less (HEDIS General Guidelines)."""
    detox = stay(
        client_record,
        case_manager,
        "withdrawal_management",
        admitted=day(-4),
        discharged=D,
        focus="substance_use",
    )
    residential = stay(
        client_record,
        case_manager,
        "residential",
        admitted=day(gap),
        discharged=day(45),
        focus="substance_use",
    )
    assert verdict(detox)[0] == expected
    assert verdict(detox)[1].endswith("the later discharge counts")
    assert verdict(residential) == ("counted", "")
    assert {f.status for f in detox.followups.all()} == {FollowUpStatus.CANCELLED}


@pytest.mark.parametrize(("discharged", "expected"), [(30, "superseded"), (31, "counted")])
def test_fui_only_the_first_episode_in_31_days_counts(
    client_record, case_manager, discharged, expected
):
    """FUI MY2025, "Multiple visits in a 31-day period": include only the first
    eligible visit or discharge in a 31-day period. An admission two days after the
    discharge is not a direct transfer (more than one calendar day)."""
    first = stay(
        client_record,
        case_manager,
        "withdrawal_management",
        admitted=day(-4),
        discharged=D,
        focus="substance_use",
    )
    later = stay(
        client_record,
        case_manager,
        "withdrawal_management",
        admitted=day(2),
        discharged=day(discharged),
        focus="substance_use",
    )
    assert verdict(first) == ("counted", "")
    assert verdict(later)[0] == expected


# ------------------------------------------------------------------ contacts that count
def test_only_a_signed_contact_with_the_client_meets_a_window(client_record, case_manager):
    """FUH MY2025 Numerators: a follow-up *visit* (outpatient, telehealth, telephone)
    within 7 / 30 days after discharge, not on the discharge date. An outreach attempt
    that did not reach the client and a collateral contact are not visits with the
    member; an unsigned draft is not yet a record of one (the window shows what to do).
    """
    t = stay(client_record, case_manager, "inpatient_psych", admitted=day(-5), discharged=D)
    contact_note(client_record, case_manager, day(2), contact_type="outreach")
    contact_note(client_record, case_manager, day(3), contact_type="collateral")
    contact_note(client_record, case_manager, day(5), signed=False)
    contact_note(client_record, case_manager, day(30), contact_type="phone")
    seven, thirty = transition_windows([t], as_of=day(60))[t.pk]
    assert (seven.state, seven.met_on, seven.pending_on) == ("pending", None, day(5))
    assert seven.label == "Pending: unsigned note on Mar 18"
    assert (thirty.state, thirty.met_on) == ("met", day(30))
    tally = {
        (r.measure, r.days): (r.numerator, r.denominator)
        for r in followup_window_tallies(start=D, end=D, as_of=day(60))
    }
    assert tally == {("FUH", 7): (0, 1), ("FUH", 30): (1, 1)}


def test_a_signed_video_note_on_day_7_meets_and_day_8_does_not(client_record, case_manager):
    """FUH MY2025: "within 7 days after discharge": day 7 counts, day 8 only for the
    30-day rate; a draft on day 6 is not yet a visit (pending until signed)."""
    t = stay(client_record, case_manager, "inpatient_psych", admitted=day(-5), discharged=D)
    contact_note(client_record, case_manager, day(8), contact_type="video")
    contact_note(client_record, case_manager, day(6), contact_type="video", signed=False)
    seven, thirty = transition_windows([t], as_of=day(60))[t.pk]
    assert (seven.state, seven.pending_on, thirty.state) == ("pending", day(6), "met")
    assert thirty.met_on == day(8)
    contact_note(client_record, case_manager, day(7), contact_type="video")
    seven, _ = transition_windows([t], as_of=day(60))[t.pk]
    assert (seven.state, seven.met_on) == ("met", day(7))


def test_windows_close_by_the_team_date_in_python_and_sql(case_manager):
    """Open, met or missed is read in the team's own calendar (issue 15, "The team's
    date"): at one instant Kiritimati (UTC+14) and Pago Pago (UTC-11) are on different
    days, so a 7-day window whose last day is Pago Pago's today is still open there and
    already missed in Kiritimati."""
    now = timezone.now()
    east, west = (
        TeamFactory(time_zone="Pacific/Kiritimati"),
        TeamFactory(time_zone="Pacific/Pago_Pago"),
    )
    west_today = timezone.localdate(now, ZoneInfo("Pacific/Pago_Pago"))
    discharged = west_today - timedelta(days=7)
    got = {}
    for team in (east, west):
        client = ClientFactory(team=team, primary_case_manager=case_manager)
        t = stay(
            client, case_manager, "inpatient_psych", admitted=discharged, discharged=discharged
        )
        got[team.time_zone] = transition_windows([t])[t.pk][0].state
        tallies = followup_window_tallies(team_ids=[team.pk], start=discharged, end=discharged)
        got[team.time_zone + " sql"] = {(r.days): r.denominator for r in tallies}[7]
    assert got == {
        "Pacific/Kiritimati": "missed",
        "Pacific/Kiritimati sql": 1,
        "Pacific/Pago_Pago": "open",
        "Pacific/Pago_Pago sql": 0,
    }


def test_sql_and_python_spellings_agree_on_the_denominator_cases(case_manager, team):
    """``followup_window_tallies`` (SQL: measures page, trend) and ``transition_windows``
    (Python: transition page, API, sweep) on the same cases: superseded, excluded and
    31-day duplicates are in neither; drafts, outreach and collateral notes meet no
    window."""
    cases = []

    def client():
        c = ClientFactory(team=team, primary_case_manager=case_manager)
        cases.append(c)
        return c

    c = client()  # FUH readmitted on day 30
    stay(c, case_manager, "inpatient_psych", admitted=day(-5), discharged=D)
    stay(c, case_manager, "inpatient_psych", admitted=day(30), discharged=day(33))
    contact_note(c, case_manager, day(3))
    contact_note(c, case_manager, day(36), signed=False)
    contact_note(c, case_manager, day(38))
    c = client()  # FUH then residential on day 12
    stay(c, case_manager, "inpatient_psych", admitted=day(-5), discharged=D)
    stay(c, case_manager, "residential", admitted=day(12), discharged=day(40))
    contact_note(c, case_manager, day(2))
    c = client()  # two ED visits 30 days apart, and a substance use one
    ed(c, case_manager, D)
    ed(c, case_manager, day(30))
    ed(c, case_manager, day(1), focus="substance_use")
    contact_note(c, case_manager, D, contact_type="phone")
    contact_note(c, case_manager, day(31), contact_type="outreach")
    c = client()  # detox, direct transfer to residential
    stay(
        c,
        case_manager,
        "withdrawal_management",
        admitted=day(-3),
        discharged=D,
        focus="substance_use",
    )
    stay(c, case_manager, "residential", admitted=day(1), discharged=day(20), focus="substance_use")
    contact_note(c, case_manager, day(25), contact_type="collateral")
    contact_note(c, case_manager, day(27), contact_type="video")
    as_of = day(90)
    transitions = list(CareTransition.objects.filter(client__in=cases))
    expected: dict[tuple, list[int]] = {}
    for t in transitions:
        for status in transition_windows([t], as_of=as_of).get(t.pk, []):
            cell = expected.setdefault((t.measure, status.window.days, t.discharged_on), [0, 0])
            cell[0] += status.state == "met"
            cell[1] += status.state == "met" or status.closed
    tallies = followup_window_tallies(team_ids=[team.pk], start=day(-10), end=day(60), as_of=as_of)
    got = {(r.measure, r.days, r.discharged_on): [r.numerator, r.denominator] for r in tallies}
    assert got == expected
    # As published: FUH counts the day-33 discharge only (met on day 38 for 7 and 30
    # days); FUM counts the first ED visit (met the same day); FUA its visit (the phone
    # call on D is the day before it: missed); FUI the residential discharge (video on
    # day 27, within 7 days).
    assert got == {
        ("FUH", 7, day(33)): [1, 1],
        ("FUH", 30, day(33)): [1, 1],
        ("FUM", 7, D): [1, 1],
        ("FUM", 30, D): [1, 1],
        ("FUA", 7, day(1)): [0, 1],
        ("FUA", 30, day(1)): [0, 1],
        ("FUI", 7, day(20)): [1, 1],
        ("FUI", 30, day(20)): [1, 1],
    }


def test_discharge_recorded_later_reclassifies_the_earlier_stay(client_record, case_manager):
    """The readmission is often recorded as an admission first and discharged later;
    the earlier discharge is superseded as soon as the readmission is on record (the
    later discharge will count)."""
    first = stay(client_record, case_manager, "inpatient_psych", admitted=day(-5), discharged=D)
    open_stay = stay(
        client_record, case_manager, "inpatient_psych", admitted=day(9), discharged=None
    )
    assert verdict(first)[0] == "superseded"
    transition_discharge(actor=case_manager, transition=open_stay, discharged_on=day(15))
    assert verdict(open_stay) == ("counted", "")


# ---------------------------------------------------------------- pages, API, drill-down
def _readmitted(client, actor):
    first = stay(client, actor, "inpatient_psych", admitted=day(-5), discharged=D)
    stay(client, actor, "inpatient_psych", admitted=day(30), discharged=day(33))
    return first


def test_transition_page_shows_why_a_discharge_is_not_measured(
    browser_as, client_record, case_manager
):
    """The superseded discharge's page says so, with the reason, and shows no window."""
    first = _readmitted(client_record, case_manager)
    url = reverse("referrals:transition_detail", args=[client_record.pk, first.pk])
    page = browser_as(case_manager).get(url).content.decode()
    assert "Superseded: not in FUH." in page
    assert "Readmitted on 12 Apr: the later discharge counts." in page
    assert 'id="windows"' not in page


def test_api_gives_the_denominator_and_pending_windows(api_as, client_record, case_manager):
    """``/api/v1/care-transitions/``: a superseded discharge has no windows and says
    why; a counted one with only a draft in its window is "pending"."""
    first = _readmitted(client_record, case_manager)
    contact_note(client_record, case_manager, day(35), signed=False)
    rows = api_as(case_manager).get("/api/v1/care-transitions/", {"client": client_record.pk})
    by_id = {r["id"]: r for r in rows.json()["results"]}
    assert by_id[first.pk]["denominator"] == "superseded"
    assert (
        by_id[first.pk]["denominator_reason"] == "readmitted on 12 Apr: the later discharge counts"
    )
    assert by_id[first.pk]["windows"] == []
    (later,) = [r for r in by_id.values() if r["id"] != first.pk]
    assert [w["state"] for w in later["windows"]] == ["pending", "pending"]
    assert later["windows"][0]["pending_on"] == str(day(35))


def test_measures_drill_down_lists_set_aside_discharges_with_the_reason(
    browser_as, supervisor, case_manager, team, django_assert_max_num_queries
):
    """The FUH drill-down names the discharges left out of the denominator and why; the
    page's queries do not grow with them."""
    params = {"measure": "fuh_7", "start": str(day(-10)), "end": str(day(60))}
    browser = browser_as(supervisor)
    _readmitted(ClientFactory(team=team, primary_case_manager=case_manager), case_manager)
    with django_assert_max_num_queries(60) as one:
        page = browser.get(reverse("dashboard:clients"), params)
    html = page.content.decode()
    assert "Not in the FUH denominator" in html
    assert "readmitted on 12 Apr: the later discharge counts" in html
    assert len(page.context["set_aside"]) == 1
    for _ in range(5):
        _readmitted(ClientFactory(team=team, primary_case_manager=case_manager), case_manager)
    with django_assert_max_num_queries(60) as many:
        page = browser.get(reverse("dashboard:clients"), params)
    assert len(page.context["set_aside"]) == 6
    assert len(many.captured_queries) == len(one.captured_queries)


def test_a_follow_up_with_only_a_draft_in_its_window_says_what_to_do(
    browser_as, client_record, case_manager
):
    """The case manager sees why a window is not met yet: "Pending: unsigned note on
    <date>" (issue 15: an unsigned draft does not count, and the window says so)."""
    t = stay(client_record, case_manager, "inpatient_psych", admitted=day(-5), discharged=D)
    contact_note(client_record, case_manager, day(4), signed=False)
    url = reverse("referrals:transition_detail", args=[client_record.pk, t.pk])
    page = browser_as(case_manager).get(url).content.decode()
    assert "Pending: unsigned note on Mar 17" in page
    assert "Sign the note to count the visit." in page


def test_discharge_dates_are_checked_against_the_team_date(case_manager):
    """A discharge "cannot be in the future" in the team's own calendar (issue 15, the
    team's date): at any instant Kiritimati (UTC+14) or Pago Pago (UTC-11) is on
    another day than the server, so one of them catches a server-dated check."""
    from django.core.exceptions import ValidationError

    for zone in ("Pacific/Kiritimati", "Pacific/Pago_Pago"):
        team = TeamFactory(time_zone=zone)
        client = ClientFactory(team=team, primary_case_manager=case_manager)
        today = team.local_date()
        ok = stay(client, case_manager, "inpatient_psych", admitted=today, discharged=today)
        assert ok.discharged_on == today
        with pytest.raises(ValidationError) as error:
            stay(
                client,
                case_manager,
                "inpatient_psych",
                admitted=today,
                discharged=today + timedelta(days=1),
            )
        assert "discharged_on" in error.value.message_dict


def test_the_migration_classifies_the_rows_already_there(client_record, case_manager):
    """Migration ``referrals.0007_transition_denominator`` applies the published rules to
    existing rows: an acute stay for substance use moves from FUH to FUI (MY2025 FUI),
    a residential stay for mental illness leaves every measure, and a discharge
    readmitted within 30 days is superseded (MY2025 FUH), its open follow-ups
    cancelled."""
    import importlib

    from django.apps import apps

    from referrals.models import FollowUp

    migration = importlib.import_module("referrals.migrations.0007_transition_denominator")
    old = {"recorded_by": case_manager, "facility": "x", "to_level": "community"}
    sud = CareTransition.objects.create(
        client=client_record,
        from_level="inpatient_psych",
        focus="substance_use",
        measure="FUH",
        admitted_on=day(-40),
        discharged_on=day(-35),
        **old,
    )
    first = transition_record(
        actor=case_manager,
        client=client_record,
        from_level="inpatient_psych",
        to_level="community",
        facility="x",
        admitted_on=day(-5),
        discharged_on=D,
    )
    CareTransition.objects.create(
        client=client_record,
        from_level="inpatient_psych",
        measure="FUH",
        admitted_on=day(20),
        discharged_on=day(25),
        **old,
    )
    other = ClientFactory(team=client_record.team)
    residential = CareTransition.objects.create(
        client=other,
        from_level="residential",
        measure="FUI",
        admitted_on=day(-20),
        discharged_on=D,
        **old,
    )
    CareTransition.objects.update(denominator="")  # as before the migration
    migration.classify_existing(apps, None)
    for t in (sud, first, residential):
        t.refresh_from_db()
    assert (sud.measure, sud.denominator) == ("FUI", "counted")
    assert (first.measure, first.denominator) == ("FUH", "superseded")
    assert (residential.measure, residential.denominator) == ("", "")
    assert set(FollowUp.objects.filter(transition=first).values_list("status", flat=True)) == {
        "cancelled"
    }


# ----------------------------------------------------------------- entered in error
def test_a_readmission_entered_in_error_gives_the_first_discharge_its_windows_back(
    client_record, case_manager
):
    """A stay recorded in error (a hospital's A11, or a case manager's correction) is not a
    readmission: FUH counts "only the last discharge" of real stays, so the earlier
    discharge it superseded is counted again, with its 7- and 30-day windows."""
    from referrals.services import transition_enter_in_error

    first = stay(client_record, case_manager, "inpatient_psych", admitted=day(-5), discharged=D)
    second = stay(
        client_record, case_manager, "inpatient_psych", admitted=day(10), discharged=day(12)
    )
    assert verdict(first)[0] == "superseded"
    transition_enter_in_error(actor=case_manager, transition=second, reason="recorded twice")
    second.refresh_from_db()
    assert (second.measure, second.denominator) == ("", "")
    assert second.entered_in_error_reason == "recorded twice"
    assert {f.status for f in second.followups.all()} == {FollowUpStatus.CANCELLED}
    assert verdict(first) == ("counted", "")
    windows = sorted(
        (f.window_days, f.status) for f in first.followups.filter(status=FollowUpStatus.OPEN)
    )
    assert windows == [(7, FollowUpStatus.OPEN), (30, FollowUpStatus.OPEN)]
    # Recorded in error twice is refused; a reason is required.
    from django.core.exceptions import ValidationError

    from casemgmt.lib.errors import Conflict

    with pytest.raises(Conflict):
        transition_enter_in_error(actor=case_manager, transition=second, reason="again")
    with pytest.raises(ValidationError):
        transition_enter_in_error(actor=case_manager, transition=first, reason="  ")


def test_the_transition_page_marks_a_stay_entered_in_error(client, client_record, case_manager):
    t = stay(client_record, case_manager, "inpatient_psych", admitted=day(-5), discharged=D)
    client.force_login(case_manager)
    url = reverse("referrals:transition_detail", args=[client_record.pk, t.pk])
    page = client.post(url, {"enter_in_error": "1", "reason": ""})
    assert page.status_code == 200
    assert "This field is required." in page.content.decode()
    response = client.post(url, {"enter_in_error": "1", "reason": "The admission was cancelled"})
    assert response.status_code == 302
    page = client.get(url).content.decode()
    assert "Entered in error" in page
    assert "The admission was cancelled" in page
    assert "Record the discharge" not in page
    t.refresh_from_db()
    assert t.entered_in_error_at is not None
