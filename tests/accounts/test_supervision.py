"""``user_supervises_team``: the one rule for "supervisor of the client's team" (care plan
approval, the access log tab)."""

import pytest

from casemgmt.accounts.selectors import user_supervises_team

pytestmark = pytest.mark.django_db


def test_a_supervisor_of_the_team_supervises_it(supervisor, team):
    assert user_supervises_team(user=supervisor, team=team)


def test_a_member_does_not(case_manager, team):
    assert not user_supervises_team(user=case_manager, team=team)


def test_a_supervisor_of_another_team_does_not(supervisor, other_team):
    assert not user_supervises_team(user=supervisor, team=other_team)


def test_an_admin_supervises_every_team(admin_user, team, other_team):
    assert user_supervises_team(user=admin_user, team=team)
    assert user_supervises_team(user=admin_user, team=other_team)
