"""The public_surface contract (tests/architecture.py) finds what it should, on a small
import graph made here (the real graph is checked in tests/test_platform.py)."""

import grimp

from tests.architecture import PublicSurfaceContract


def _contract(**options):
    defaults = {
        "apps": ["clients", "careplans", "casemgmt.audit"],
        "public": ["services", "selectors", "models", "clients.chart"],
        "allowed_importers": ["casemgmt.urls"],
    }
    return PublicSurfaceContract("surface", {}, {**defaults, **options})


def _graph(*imports):
    graph = grimp.ImportGraph()
    for module in (
        "clients",
        "clients.views",
        "clients.views.common",
        "clients.chart",
        "clients.services",
        "clients.selectors.record",
        "careplans",
        "careplans.views",
        "casemgmt",
        "casemgmt.urls",
        "casemgmt.audit",
        "casemgmt.audit.filters",
    ):
        graph.add_module(module)
    for importer, imported in imports:
        graph.add_import(importer=importer, imported=imported, line_number=3, line_contents="")
    return graph


def _illegal(graph, **options):
    check = _contract(**options).check(graph, verbose=False)
    return check.kept, [(i, m) for i, m, _ in check.metadata["illegal"]]


def test_the_public_modules_may_be_imported_from_another_app():
    graph = _graph(
        ("careplans.views", "clients.services"),
        ("careplans.views", "clients.selectors.record"),
        ("careplans.views", "clients.chart"),
    )
    assert _illegal(graph) == (True, [])


def test_a_private_module_imported_from_another_app_breaks_it():
    graph = _graph(
        ("careplans.views", "clients.views.common"),
        ("clients.views", "casemgmt.audit.filters"),
    )
    assert _illegal(graph) == (
        False,
        [("careplans.views", "clients.views.common"), ("clients.views", "casemgmt.audit.filters")],
    )


def test_the_app_itself_and_the_wiring_may_import_its_private_modules():
    graph = _graph(
        ("clients.chart", "clients.views.common"),
        ("casemgmt.urls", "clients.views"),
    )
    assert _illegal(graph) == (True, [])


def test_a_tolerated_import_is_named_one_by_one():
    graph = _graph(
        ("careplans.views", "clients.views.common"), ("careplans.views", "clients.views")
    )
    kept, illegal = _illegal(graph, ignore_imports=["careplans.views -> clients.views.common"])
    assert (kept, illegal) == (False, [("careplans.views", "clients.views")])
