"""``clients.chart``: the Overview panels the apps above ``clients`` register."""

import pytest

from clients import chart


@pytest.fixture
def panels(monkeypatch):
    """A registry of the test's own, so the apps' registered panels stay as they are."""
    monkeypatch.setattr(chart, "_PANELS", {})
    return chart


def test_panels_come_in_order_with_their_context_for_the_client(panels):
    seen = []

    def goals(client):
        seen.append(client)
        return {"goals": 2}

    panels.register_overview_panel(key="goals", template="x/_goals.html", context=goals, order=20)
    panels.register_overview_panel(
        key="scores", template="x/_scores.html", context=lambda c: {"lines": []}, order=10
    )
    client = object()
    assert panels.overview_panels(client) == [
        {"key": "scores", "template": "x/_scores.html", "panel": {"lines": []}},
        {"key": "goals", "template": "x/_goals.html", "panel": {"goals": 2}},
    ]
    assert seen == [client]  # once per Overview


def test_registering_a_key_again_replaces_the_panel(panels):
    panels.register_overview_panel(key="scores", template="a.html", context=repr, order=10)
    panels.register_overview_panel(key="scores", template="b.html", context=repr, order=10)
    assert [p["template"] for p in panels.overview_panels(None)] == ["b.html"]
