"""The auditor's pages: search by client number or name, staff member, action and dates;
one line per visit of a chart; the raw events behind it in words; CSV export, itself
audited; per client "who viewed this record" and the accounting of disclosures."""

import csv
import io
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from casemgmt.audit.models import AuditEvent
from casemgmt.audit.selectors import SessionRows, detail_lines
from referrals.models import Disclosure
from tests.factories import ClientFactory, UserFactory

pytestmark = pytest.mark.django_db


def _event(user, client, *, minutes_ago=0, action="view", object_type="clients.client", **detail):
    return AuditEvent.objects.create(
        occurred_at=timezone.now() - timedelta(minutes=minutes_ago),
        user=user,
        action=action,
        client_id=client.pk if client else None,
        object_type=object_type,
        object_id=str(client.pk) if client else "",
        detail=detail,
    )


def _rows(page):
    return page.context["page"].object_list


@pytest.fixture
def other_client(team):
    return ClientFactory(team=team, first_name="Ottoline", last_name="Quarrington")


def test_a_visit_of_seven_tabs_is_one_line_with_the_tabs_seen(
    browser_as, case_manager, auditor, client_record
):
    browser = browser_as(case_manager)
    tabs = ["detail", "diagnoses", "notes", "careteam", "consents", "timeline"]
    for name in tabs:
        assert browser.get(reverse(f"clients:{name}", args=[client_record.pk])).status_code == 200
    assert (
        browser.get(reverse("referrals:client_referrals", args=[client_record.pk])).status_code
        == 200
    )
    events = AuditEvent.objects.filter(client_id=client_record.pk, user=case_manager)
    assert events.count() >= 7
    assert {"notes", "consents", "referrals"} <= {e.detail.get("tab") for e in events}

    page = browser_as(auditor).get(reverse("audit:list"), {"client": client_record.client_number})
    rows = _rows(page)
    assert len(rows) == 1
    visit = rows[0]
    assert visit.user_name == case_manager.display_name
    assert visit.events == events.count()
    assert {"Overview", "Diagnoses", "Notes", "Care team", "Consents", "Timeline"} <= set(
        visit.seen
    )
    assert "Referrals" in visit.seen
    assert client_record.client_number in page.text and client_record.last_name in page.text


def test_a_pause_longer_than_the_idle_timeout_starts_a_new_visit(
    case_manager, teammate, client_record, other_client
):
    for minutes in (120, 110, 100):  # one visit
        _event(case_manager, client_record, minutes_ago=minutes)
    _event(case_manager, client_record, minutes_ago=50)  # 50 minutes later: a second one
    _event(case_manager, client_record, minutes_ago=31)  # 19 minutes later: still the second
    _event(teammate, client_record, minutes_ago=100)  # someone else: their own
    _event(case_manager, other_client, minutes_ago=105)  # another client: its own
    sessions = SessionRows(AuditEvent.objects.all())[0:10]
    shape = sorted((s.user_id, s.client_id, s.events) for s in sessions)
    assert shape == sorted(
        [
            (case_manager.pk, client_record.pk, 3),
            (case_manager.pk, client_record.pk, 2),
            (teammate.pk, client_record.pk, 1),
            (case_manager.pk, other_client.pk, 1),
        ]
    )
    assert SessionRows(AuditEvent.objects.all()).count() == 4
    assert sessions[0].client_id == client_record.pk and sessions[0].events == 2  # newest first


@pytest.mark.parametrize("typed", ["number", "lower_number", "digits", "last_name", "full_name"])
def test_search_by_client_number_or_name(
    browser_as, auditor, case_manager, client_record, other_client, typed
):
    _event(case_manager, client_record)
    _event(case_manager, other_client)
    text = {
        "number": client_record.client_number,
        "lower_number": client_record.client_number.lower(),
        "digits": str(int(client_record.client_number[1:])),
        "last_name": client_record.last_name,
        "full_name": f"{client_record.first_name} {client_record.last_name}",
    }[typed]
    rows = _rows(browser_as(auditor).get(reverse("audit:list"), {"client": text}))
    assert [r.client_id for r in rows] == [client_record.pk]


def test_a_client_nobody_matches_finds_nothing(browser_as, auditor, case_manager, client_record):
    _event(case_manager, client_record)
    page = browser_as(auditor).get(reverse("audit:list"), {"client": "C9999999"})
    assert list(_rows(page)) == [] and "No audit entries match" in page.text


def test_search_by_staff_member_action_and_dates(
    browser_as, auditor, case_manager, teammate, client_record
):
    _event(case_manager, client_record, minutes_ago=60 * 24 * 10)
    _event(teammate, client_record, minutes_ago=60 * 24 * 3, action="update")
    _event(teammate, client_record, minutes_ago=5, action="export")
    browser = browser_as(auditor)
    url = reverse("audit:list")
    by_user = _rows(browser.get(url, {"user": teammate.pk}))
    assert {r.user_id for r in by_user} == {teammate.pk} and sum(r.events for r in by_user) == 2
    by_action = _rows(browser.get(url, {"action": "update"}))
    assert [(r.user_id, r.actions) for r in by_action] == [(teammate.pk, ["update"])]
    today = timezone.localdate()
    by_dates = _rows(
        browser.get(
            url,
            {
                "date_from": (today - timedelta(days=11)).isoformat(),
                "date_to": (today - timedelta(days=2)).isoformat(),
            },
        )
    )
    assert sorted(r.user_id for r in by_dates) == sorted([case_manager.pk, teammate.pk])
    assert all(r.started_at < timezone.now() - timedelta(days=1) for r in by_dates)


def test_with_no_filter_the_search_shows_the_last_30_days(
    browser_as, auditor, case_manager, client_record
):
    _event(case_manager, client_record, minutes_ago=60 * 24 * 40)
    page = browser_as(auditor).get(reverse("audit:list"))
    assert "Showing the last 30 days" in page.text
    assert [r for r in _rows(page) if r.client_id == client_record.pk] == []


def test_details_read_as_words_never_letter_by_letter(
    browser_as, auditor, case_manager, client_record
):
    _event(
        case_manager,
        client_record,
        action="update",
        fields=["status", "primary_case_manager"],
        status="active",
        filters={"status": "active", "mine": True},
        rows=12,
    )
    page = browser_as(auditor).get(reverse("audit:events"), {"client_id": client_record.pk})
    assert page.status_code == 200
    assert "a, c, t, i, v, e" not in page.text
    assert "status, primary case manager" in page.text
    (line,) = page.context["lines"]
    assert ("Filters", "Mine: yes; Status: active") in line["details"]  # JSONB key order
    assert ("Rows", "12") in line["details"]
    assert "Mine: yes; Status: active" in page.text
    assert detail_lines({"status": "active", "ids": [3, 4], "tab": "notes"}) == [
        ("Status", "active"),
        ("Ids", "3, 4"),
    ]


def test_a_visit_links_to_exactly_its_events(browser_as, auditor, case_manager, client_record):
    for minutes in (200, 190):
        _event(case_manager, client_record, minutes_ago=minutes, tab="notes")
    _event(case_manager, client_record, minutes_ago=20, tab="consents")
    browser = browser_as(auditor)
    visits = _rows(browser.get(reverse("audit:list"), {"client": client_record.client_number}))
    older = next(v for v in visits if v.events == 2)
    events = browser.get(reverse("audit:events") + "?" + older.drill_down_query)
    lines = events.context["lines"]
    assert len(lines) == 2 and {line["seen"] for line in lines} == {"Notes"}


def _csv(response):
    assert response.streaming
    return list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode())))


def test_csv_export_of_visits_and_events_is_audited_and_formula_safe(
    browser_as, auditor, case_manager, team
):
    risky = ClientFactory(team=team, first_name="=HYPERLINK(1)", last_name="@Evil")
    _event(case_manager, risky, minutes_ago=10, tab="notes")
    _event(case_manager, risky, minutes_ago=5, action="print", object_type="careplans.careplan")
    browser = browser_as(auditor)
    visits = _csv(browser.get(reverse("audit:export"), {"client": risky.client_number}))
    assert visits[0][:3] == ["First event (UTC)", "Last event (UTC)", "Staff member"]
    assert len(visits) == 2
    row = dict(zip(visits[0], visits[1], strict=True))
    assert row["Client number"] == risky.client_number
    assert row["Client name"] == "'=HYPERLINK(1) @Evil"
    assert row["Staff member"] == case_manager.display_name
    assert row["Events"] == "2" and row["Actions"] == "Print, View"
    assert "Notes" in row["Seen"] and "Care plan" in row["Seen"]

    events = _csv(
        browser.get(reverse("audit:export"), {"client": risky.client_number, "kind": "events"})
    )
    assert len(events) == 3 and events[1][3] == "View" and events[2][4] == "Care plan"

    exports = AuditEvent.objects.filter(user=auditor, action="export").order_by("id")
    assert [(e.object_type, e.detail["rows"]) for e in exports] == [
        ("audit.sessions", 1),
        ("audit.events", 2),
    ]
    assert exports[0].detail["filters"] == ["client"]


def test_auditor_home_is_the_audit_search_without_case_manager_menus(browser_as, auditor):
    browser = browser_as(auditor)
    home = browser.get("/")
    assert home.status_code == 302 and home.url == reverse("audit:list")
    page = browser.get(reverse("audit:list"))
    for menu in ("My caseload", "Follow-ups", "Directory", ">Today<", 'name="q"'):
        assert menu not in page.text, menu
    assert "Audit trail" in page.text and 'name="client"' in page.text


def test_an_admin_keeps_the_full_menus_and_the_audit_trail(browser_as, admin_user):
    page = browser_as(admin_user).get(reverse("audit:list"))
    assert "My caseload" in page.text and "Audit trail" in page.text


def test_who_viewed_this_record(browser_as, auditor, case_manager, teammate, client_record):
    _event(case_manager, client_record, minutes_ago=300)
    _event(case_manager, client_record, minutes_ago=5, action="update")
    _event(teammate, client_record, minutes_ago=60, action="emergency_access")
    page = browser_as(auditor).get(reverse("audit:client", args=[client_record.pk]))
    viewers = page.context["viewers"]
    assert [(v.user_id, v.events, v.changes, v.emergency) for v in viewers] == [
        (case_manager.pk, 2, 1, 0),
        (teammate.pk, 1, 0, 1),
    ]
    assert AuditEvent.objects.filter(
        user=auditor, object_type="audit.client_viewers", client_id=client_record.pk
    ).exists()


def test_accounting_of_disclosures(browser_as, auditor, case_manager, client_record):
    now = timezone.now()
    for days, recipient in ((10, "Harbor Clinic"), (400, "County Court"), (7 * 365, "Too old")):
        Disclosure.objects.create(
            client=client_record,
            recipient=recipient,
            purpose="Referral for treatment (sent)",
            information="Name, date of birth, diagnoses",
            consent_summary="42 CFR Part 2 consent signed 2026-01-02",
            disclosed_at=now - timedelta(days=days),
            disclosed_by=case_manager,
        )
    browser = browser_as(auditor)
    page = browser.get(reverse("audit:disclosures", args=[client_record.pk]))
    assert [r.recipient for r in page.context["rows"]] == ["Harbor Clinic", "County Court"]
    assert "Name, date of birth, diagnoses" in page.text and "Referral for treatment" in page.text
    assert case_manager.display_name in page.text and "164.528" in page.text
    since = (timezone.localdate() - timedelta(days=30)).isoformat()
    narrow = browser.get(
        reverse("audit:disclosures", args=[client_record.pk]), {"since": since, "print": "1"}
    )
    assert [r.recipient for r in narrow.context["rows"]] == ["Harbor Clinic"]
    logged = AuditEvent.objects.filter(
        user=auditor, object_type="audit.disclosure_accounting", client_id=client_record.pk
    )
    assert [e.action for e in logged.order_by("id")] == ["view", "print"]


@pytest.mark.parametrize(
    "name, args",
    [
        ("audit:list", []),
        ("audit:events", []),
        ("audit:export", []),
        ("audit:client", ["pk"]),
        ("audit:disclosures", ["pk"]),
    ],
)
def test_staff_without_the_audit_role_are_refused(
    browser_as, case_manager, supervisor, client_record, name, args
):
    url = reverse(name, args=[client_record.pk for _ in args])
    for user in (case_manager, supervisor):
        assert browser_as(user).get(url).status_code == 403


def test_an_unknown_client_is_404(browser_as, auditor):
    assert browser_as(auditor).get(reverse("audit:client", args=[987654])).status_code == 404
    assert browser_as(auditor).get(reverse("audit:disclosures", args=[987654])).status_code == 404


@pytest.mark.parametrize("visits", [1, 40])
def test_audit_search_queries_do_not_grow_with_the_rows(
    browser_as, auditor, team, django_assert_max_num_queries, visits
):
    clients = [ClientFactory(team=team) for _ in range(visits)]
    users = [UserFactory() for _ in range(min(visits, 10))]
    for i, client in enumerate(clients):
        _event(users[i % len(users)], client, minutes_ago=i, tab="notes")
    browser = browser_as(auditor)
    browser.get(reverse("audit:list"))  # warm the session
    with django_assert_max_num_queries(14):
        page = browser.get(reverse("audit:list"))
    assert len([r for r in _rows(page) if r.client_id]) == visits
    with django_assert_max_num_queries(14):
        page = browser.get(reverse("audit:events"))
    assert len([line for line in page.context["lines"] if line["client"]]) == visits


def test_who_viewed_links_the_trail_of_a_merged_duplicate(
    browser_as, auditor, case_manager, team, client_record, other_client
):
    from casemgmt.accounts.models import Role
    from clients.services import client_merge

    admin = UserFactory(role=Role.ADMIN)
    _event(case_manager, other_client)
    client_merge(
        actor=admin,
        survivor=client_record,
        duplicate=other_client,
        take_from_duplicate=[],
        reason="Registered twice",
    )
    browser = browser_as(auditor)
    survivor_page = browser.get(reverse("audit:client", args=[client_record.pk]))
    assert reverse("audit:client", args=[other_client.pk]) in survivor_page.text
    merged_page = browser.get(reverse("audit:client", args=[other_client.pk]))
    assert "merged into" in merged_page.text and client_record.client_number in merged_page.text
    assert {v.user_id for v in merged_page.context["viewers"]} == {case_manager.pk, admin.pk}
