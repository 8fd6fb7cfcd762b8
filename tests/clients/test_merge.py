"""Merging duplicate client records: everything that points at a client moves, in one
transaction; the merged record stays as a pointer; audited; undone within 30 days."""

from datetime import date, timedelta

import pytest
from django.apps import apps
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.db import IntegrityError, models, transaction
from django.urls import reverse
from django.utils import timezone

from careplans.models import CarePlan
from casemgmt.accounts.models import Role, Team
from casemgmt.audit.models import AuditEvent
from casemgmt.lib.errors import Conflict
from clients.models import Client, ClientMerge, ClientStatus, RiskFlag
from clients.selectors import client_list
from clients.services import (
    client_merge,
    client_merge_relations,
    client_unmerge,
    timeline_record,
)
from tests.factories import ClientFactory, UserFactory

pytestmark = pytest.mark.django_db


def _pointing_at_client() -> set[tuple[str, str]]:
    """Every foreign key and one-to-one to Client in every installed model, read from the
    models' own fields (not from Client's reverse relations, as the service does)."""
    found = set()
    for model in apps.get_models():
        if model in (ClientMerge,):
            continue
        for field in model._meta.get_fields():
            if (
                isinstance(field, models.ForeignKey)  # OneToOneField is one
                and field.related_model is Client
                and not (model is Client and field.name == "merged_into")
            ):
                found.add((model._meta.label_lower, field.name))
    return found


def test_every_model_pointing_at_a_client_is_moved_by_a_merge():
    moved = {(r.label, r.field) for r in client_merge_relations()}
    missing = _pointing_at_client() - moved
    assert not missing, f"a merge would leave these behind: {sorted(missing)}"
    assert ("clients.contactnote", "client") in moved
    assert ("interop.adtmessage", "client") in moved  # related_name="+" counts too


def _snapshot(client) -> dict[tuple[str, str], set[int]]:
    rows = {}
    for relation in client_merge_relations():
        pks = set(
            relation.model._base_manager.filter(**{relation.field: client}).values_list(
                "pk", flat=True
            )
        )
        if pks:
            rows[(relation.label, relation.field)] = pks
    return rows


@pytest.fixture
def seeded(db):
    call_command("seed_demo", clients=9, teams=3, verbosity=0)
    admin = UserFactory(username="mergeadmin", role=Role.ADMIN)
    return admin


def _richest(team=None) -> Client:
    qs = Client.objects.all() if team is None else Client.objects.filter(team=team)
    return max(qs, key=lambda c: sum(len(v) for v in _snapshot(c).values()))


def _one_of_each_kind(duplicate) -> int:
    """Give ``duplicate`` a copy of a seeded row of every kind it lacks (any kind any
    client has in the seed); returns how many kinds exist in the seed."""
    kinds = 0
    for relation in client_merge_relations():
        rows = relation.model._base_manager
        sample = rows.exclude(**{f"{relation.field}__isnull": True}).first()
        if sample is None:
            continue
        kinds += 1
        if rows.filter(**{relation.field: duplicate}).exists():
            continue
        sample.pk = None
        setattr(sample, relation.field, duplicate)
        try:
            with transaction.atomic():
                sample.save(force_insert=True)
        except IntegrityError:  # a one-to-one or unique copy: not this kind
            kinds -= 1
    return kinds


def test_a_merge_moves_every_record_and_an_undo_puts_each_back(seeded):
    admin = seeded
    duplicate = _richest()
    timeline_record(client=duplicate, kind="note", summary="Seen at home", actor=admin)
    kinds = _one_of_each_kind(duplicate)
    before = _snapshot(duplicate)
    assert len(before) == kinds >= 8, sorted(before)
    survivor = ClientFactory(
        team=duplicate.team,
        first_name=duplicate.first_name,
        last_name=duplicate.last_name,
        date_of_birth=duplicate.date_of_birth,
        phone="",
    )
    merge = client_merge(
        actor=admin,
        survivor=survivor,
        duplicate=duplicate,
        take_from_duplicate=["phone"],
        reason="Registered twice",
    )
    after = _snapshot(duplicate)
    left = {k for k, pks in before.items() if pks & after.get(k, set())}
    assert {f"{label}.{field}" for label, field in left} <= set(merge.kept), left
    moved_to_survivor = _snapshot(survivor)
    for key, pks in before.items():
        if f"{key[0]}.{key[1]}" in merge.kept:
            continue
        assert pks <= moved_to_survivor.get(key, set()), key
    duplicate.refresh_from_db()
    survivor.refresh_from_db()
    assert duplicate.status == ClientStatus.MERGED and duplicate.merged_into_id == survivor.pk
    assert survivor.phone == duplicate.phone
    assert duplicate not in client_list(user=admin)
    assert (
        AuditEvent.objects.filter(
            object_type="clients.clientmerge", client_id__in=[survivor.pk, duplicate.pk]
        ).count()
        == 2
    )

    client_unmerge(actor=admin, merge=merge, reason="Not the same person after all")
    back = _snapshot(duplicate)
    for key, pks in before.items():
        assert pks <= back.get(key, set()), key
    duplicate.refresh_from_db()
    survivor.refresh_from_db()
    assert duplicate.status != ClientStatus.MERGED and duplicate.merged_into_id is None
    assert survivor.phone == ""
    merge.refresh_from_db()
    assert merge.unmerged_by == admin and merge.unmerge_reason


@pytest.fixture
def admin(db):
    return UserFactory(username="boss2", role=Role.ADMIN)


@pytest.fixture
def pair(team, case_manager):
    dob = date(1984, 3, 9)
    survivor = ClientFactory(
        team=team, first_name="Marisol", last_name="Quintero", date_of_birth=dob, phone=""
    )
    duplicate = ClientFactory(
        team=team,
        first_name="Marisol",
        last_name="Quintero",
        date_of_birth=dob,
        phone="555-0100",
        preferred_name="Mari",
    )
    return survivor, duplicate


def _plan(client, author, version, status):
    return CarePlan.objects.create(
        client=client,
        version=version,
        status=status,
        effective_date=date(2026, 1, 1),
        author=author,
    )


def test_plan_versions_are_renumbered_after_the_survivors_and_back(admin, pair, case_manager):
    survivor, duplicate = pair
    _plan(survivor, case_manager, 1, "active")
    old = [_plan(duplicate, case_manager, v, "superseded") for v in (1, 2)]
    merge = client_merge(
        actor=admin, survivor=survivor, duplicate=duplicate, take_from_duplicate=[], reason="x"
    )
    assert sorted(survivor.careplans.values_list("version", flat=True)) == [1, 2, 3]
    client_unmerge(actor=admin, merge=merge, reason="undo")
    assert sorted(
        CarePlan.objects.filter(pk__in=[p.pk for p in old]).values_list("client_id", "version")
    ) == [(duplicate.pk, 1), (duplicate.pk, 2)]


def test_two_active_plans_refuse_the_merge_and_nothing_moves(admin, pair, case_manager):
    survivor, duplicate = pair
    _plan(survivor, case_manager, 1, "active")
    _plan(duplicate, case_manager, 1, "active")
    with pytest.raises(Conflict, match="care plans"):
        client_merge(
            actor=admin, survivor=survivor, duplicate=duplicate, take_from_duplicate=[], reason="x"
        )
    duplicate.refresh_from_db()
    assert duplicate.status != ClientStatus.MERGED and duplicate.careplans.count() == 1


def test_a_flag_both_hold_is_cleared_on_the_duplicate_and_restored_on_undo(
    admin, pair, case_manager
):
    survivor, duplicate = pair
    RiskFlag.objects.create(client=survivor, kind="suicide", reason="a", set_by=case_manager)
    theirs = RiskFlag.objects.create(client=duplicate, kind="suicide", reason="b")
    other = RiskFlag.objects.create(client=duplicate, kind="overdose", reason="c")
    merge = client_merge(
        actor=admin, survivor=survivor, duplicate=duplicate, take_from_duplicate=[], reason="x"
    )
    theirs.refresh_from_db()
    other.refresh_from_db()
    assert theirs.client_id == survivor.pk and theirs.cleared_at is not None
    assert other.client_id == survivor.pk and other.cleared_at is None
    client_unmerge(actor=admin, merge=merge, reason="undo")
    theirs.refresh_from_db()
    assert theirs.client_id == duplicate.pk and theirs.cleared_at is None


def test_refusals(admin, pair, supervisor, team):
    survivor, duplicate = pair
    with pytest.raises(Conflict, match="program admin"):
        client_merge(
            actor=supervisor,
            survivor=survivor,
            duplicate=duplicate,
            take_from_duplicate=[],
            reason="x",
        )
    with pytest.raises(ValidationError):
        client_merge(
            actor=admin, survivor=survivor, duplicate=duplicate, take_from_duplicate=[], reason=""
        )
    client_merge(
        actor=admin, survivor=survivor, duplicate=duplicate, take_from_duplicate=[], reason="x"
    )
    third = ClientFactory(team=team)
    with pytest.raises(Conflict, match="already merged"):
        client_merge(
            actor=admin, survivor=third, duplicate=duplicate, take_from_duplicate=[], reason="x"
        )


def test_records_in_teams_out_of_reach_are_refused(pair, other_team, monkeypatch):
    survivor, duplicate = pair
    # An admin whose reach is narrowed to one team (as a team-scoped admin would be).
    narrow = UserFactory(username="teamadmin", role=Role.ADMIN)
    import clients.services.merge as merge_module

    monkeypatch.setattr(
        merge_module,
        "client_list",
        lambda *, user: Client.objects.filter(team=other_team),
    )
    with pytest.raises(Conflict, match="teams you can reach"):
        client_merge(
            actor=narrow,
            survivor=survivor,
            duplicate=duplicate,
            take_from_duplicate=[],
            reason="x",
        )


def test_an_undo_after_30_days_is_refused(admin, pair):
    survivor, duplicate = pair
    merge = client_merge(
        actor=admin, survivor=survivor, duplicate=duplicate, take_from_duplicate=[], reason="x"
    )
    ClientMerge.objects.filter(pk=merge.pk).update(merged_at=timezone.now() - timedelta(days=31))
    merge.refresh_from_db()
    with pytest.raises(Conflict, match="30 days"):
        client_unmerge(actor=admin, merge=merge, reason="late")


# ------------------------------------------------------------------------ pages
def test_the_admin_merges_from_the_pages_and_the_old_chart_leads_to_the_survivor(
    browser_as, admin, pair
):
    survivor, duplicate = pair
    browser = browser_as(admin)
    found = browser.get(reverse("clients:merge", args=[survivor.pk]))
    assert found.status_code == 200 and duplicate.client_number in found.text
    compare = reverse("clients:merge_compare", args=[survivor.pk, duplicate.pk])
    page = browser.get(compare)
    assert page.status_code == 200
    assert "555-0100" in page.text and "Mari" in page.text
    refused = browser.post(compare, {"take_phone": "duplicate", "reason": ""})
    assert refused.status_code == 200 and not ClientMerge.objects.exists()
    done = browser.post(
        compare,
        {
            "take_phone": "duplicate",
            "take_preferred_name": "survivor",
            "reason": "Same person, two intakes",
            "confirm": "on",
        },
    )
    assert done.status_code == 302 and done.url == reverse("clients:detail", args=[survivor.pk])
    survivor.refresh_from_db()
    assert survivor.phone == "555-0100" and survivor.preferred_name == ""
    old = browser.get(reverse("clients:detail", args=[duplicate.pk]))
    assert old.status_code == 302 and old.url == reverse("clients:detail", args=[survivor.pk])

    listing = browser.get(reverse("clients:merge_list"))
    assert duplicate.client_number in listing.text and "Undo merge" in listing.text
    merge = ClientMerge.objects.get()
    undone = browser.post(reverse("clients:merge_undo", args=[merge.pk]), {"reason": "wrong"})
    assert undone.status_code == 302
    assert browser.get(reverse("clients:detail", args=[duplicate.pk])).status_code == 200


def test_staff_who_are_not_admins_cannot_merge(browser_as, supervisor, case_manager, pair):
    survivor, duplicate = pair
    for user in (supervisor, case_manager):
        browser = browser_as(user)
        assert browser.get(reverse("clients:merge", args=[survivor.pk])).status_code == 403
        url = reverse("clients:merge_compare", args=[survivor.pk, duplicate.pk])
        assert browser.post(url, {"reason": "x", "confirm": "on"}).status_code == 403
        assert browser.get(reverse("clients:merge_list")).status_code == 403
    assert not ClientMerge.objects.exists()


def test_a_merged_chart_is_404_for_whoever_cannot_reach_the_survivor(
    browser_as, admin, pair, outsider
):
    survivor, duplicate = pair
    client_merge(
        actor=admin, survivor=survivor, duplicate=duplicate, take_from_duplicate=[], reason="x"
    )
    assert (
        browser_as(outsider).get(reverse("clients:detail", args=[duplicate.pk])).status_code == 404
    )
    assert Team.objects.count() >= 2


@pytest.mark.parametrize("merges", [1, 6])
def test_merged_records_page_queries_do_not_grow(
    browser_as, admin, team, django_assert_max_num_queries, merges
):
    for _ in range(merges):
        client_merge(
            actor=admin,
            survivor=ClientFactory(team=team),
            duplicate=ClientFactory(team=team),
            take_from_duplicate=[],
            reason="Registered twice",
        )
    browser = browser_as(admin)
    browser.get(reverse("clients:merge_list"))
    with django_assert_max_num_queries(15):  # 3 of them: the top bar's queue counts
        page = browser.get(reverse("clients:merge_list"))
    assert len(page.context["merges"]) == merges


@pytest.mark.parametrize("duplicates", [1, 5])
def test_possible_duplicates_page_queries_do_not_grow(
    browser_as, admin, team, django_assert_max_num_queries, duplicates
):
    dob = date(1990, 2, 2)
    first = ClientFactory(team=team, first_name="Ines", last_name="Abernathy", date_of_birth=dob)
    for _ in range(duplicates):
        ClientFactory(team=team, first_name="Ines", last_name="Abernathy", date_of_birth=dob)
    browser = browser_as(admin)
    url = reverse("clients:merge", args=[first.pk])
    browser.get(url)
    with django_assert_max_num_queries(18):  # 4 of them: the top bar's queue counts
        page = browser.get(url)
    assert len(page.context["found"]) == duplicates
