"""casemgmt.lib.sql: named placeholders to positional ones, and the team scope."""

from casemgmt.lib.sql import in_teams, positional


def test_named_placeholders_become_positional_in_order():
    sql, params = positional(
        "a = %(x)s AND b = %(y)s AND c = %(x)s AND d LIKE 'z%%'", {"x": 1, "y": 2, "z": 3}
    )
    assert sql == "a = %s AND b = %s AND c = %s AND d LIKE 'z%%'"
    assert params == [1, 2, 1]


def test_team_scope():
    params: dict = {}
    assert in_teams(None, params) == "" and params == {}
    assert in_teams((3, 4), params, alias="pc") == "AND pc.team_id = ANY(%(team_ids)s)"
    assert params == {"team_ids": [3, 4]}
