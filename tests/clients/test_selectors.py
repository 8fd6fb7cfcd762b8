import pytest
from django.http import Http404

from clients.selectors import client_get, client_list
from tests.factories import ClientFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def two_clients(team, other_team):
    return ClientFactory(team=team), ClientFactory(team=other_team)


def test_case_manager_sees_own_team_only(case_manager, two_clients):
    mine, theirs = two_clients
    assert list(client_list(user=case_manager)) == [mine]


def test_supervisor_sees_supervised_team(supervisor, two_clients):
    mine, theirs = two_clients
    assert list(client_list(user=supervisor)) == [mine]


def test_admin_sees_all(admin_user, two_clients):
    assert set(client_list(user=admin_user)) == set(two_clients)


def test_user_in_no_team_sees_nothing(two_clients):
    assert list(client_list(user=UserFactory())) == []


def test_member_and_supervisor_of_same_team_sees_each_client_once(team, two_clients):
    user = UserFactory()
    team.members.add(user)
    team.supervisors.add(user)
    assert client_list(user=user).count() == 1


def test_out_of_reach_client_is_404(outsider, two_clients):
    mine, _ = two_clients
    with pytest.raises(Http404):
        client_get(user=outsider, client_id=mine.pk)


def test_inactive_user_reaches_nothing(case_manager, two_clients):
    case_manager.is_active = False
    assert list(client_list(user=case_manager)) == []
