"""``team_ids_in_reach``: each team once, however many ways the user reaches it."""

import pytest

from casemgmt.accounts.selectors import team_ids_in_reach

pytestmark = pytest.mark.django_db


def test_a_team_reached_as_member_and_supervisor_is_listed_once(
    supervisor, team, other_team, case_manager, teammate
):
    team.members.add(supervisor)  # supervises and belongs; the team has three members
    other_team.supervisors.add(supervisor)
    ids = list(team_ids_in_reach(user=supervisor).values_list("id", flat=True))
    assert sorted(ids) == sorted([team.pk, other_team.pk])
