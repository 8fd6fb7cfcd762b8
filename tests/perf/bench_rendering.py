"""The HTML the dashboard writes most of, each way measured against the plain way it
replaced: the team dashboard's cells (200 rows x 7 figures), a bar chart of 200 case
managers and a pick-list of 200 staff. No database; the ways alternate, so a loaded
machine slows them alike. Prints the median and fastest time of each, in ms.

    .venv/bin/python tests/perf/bench_rendering.py [--repeat 40]

The README's "Performance rules" quote these figures.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from dataclasses import dataclass
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import _benchdb  # noqa: E402, F401  (the project on sys.path, the test settings)

ROWS = 200


def _cells():
    """The team table's cells: the fragment's shapes (``dashboard.views._Cell``), the
    fragment rendered per cell or in a template loop, and the Python-built HTML before."""
    from django.template import engines
    from django.template.loader import get_template
    from django.utils.html import format_html
    from django.utils.safestring import mark_safe

    from dashboard.views import _Cell

    @dataclass(frozen=True)
    class PythonBuilt(_Cell):
        def html(self) -> str:
            if not self.value:
                return '<td class="text-end"><span class="text-body-secondary">0</span></td>'
            css = ' class="fw-semibold text-danger-emphasis"' if self.emphasis else ""
            return format_html(
                '<td class="text-end"><a{} href="{}" aria-label="{}">{}</a></td>',
                mark_safe(css),
                self.href,
                self.label,
                self.value,
            )

    def values(i: int, j: int):
        value = (i * j) % 5
        href = f"/dashboard/clients/?metric=m{j}&case_manager={i}"
        return (f"m{j}", value, href, f"{value} figures, Case Manager {i}", j != 0)

    rows = [[_Cell(*values(i, j)) for j in range(7)] for i in range(ROWS)]
    before = [[PythonBuilt(*values(i, j)) for j in range(7)] for i in range(ROWS)]
    fragment = get_template("dashboard/_cell.html")
    source = fragment.template.source.split("{% endcomment %}")[1].strip()
    for name in ("value", "href", "label"):
        source = source.replace(f"{{{{ {name} }}}}", f"{{{{ c.{name} }}}}")
    source = source.replace("{% if value %}", "{% if c.value %}")
    source = source.replace("{% if emphasis %}", "{% if c.emphasis %}")
    loop = engines["django"].from_string(
        "{% for cells in rows %}{% for c in cells %}" + source + "{% endfor %}{% endfor %}"
    )

    def fragment_shapes():
        return "".join(c.html() for cells in rows for c in cells)

    def python_built():
        return "".join(c.html() for cells in before for c in cells)

    def render_per_cell():
        return "".join(fragment.render(vars(c)).strip() for cells in rows for c in cells)

    def template_loop():
        return loop.render({"rows": rows})

    assert fragment_shapes() == python_built() == render_per_cell() == template_loop()
    return [fragment_shapes, python_built, render_per_cell, template_loop]


def _bars():
    """``dashboard.charts.bars`` (coordinates as strings) against the same bars with
    float coordinates, which the template localises one attribute at a time."""
    from dataclasses import replace

    from django.template.loader import get_template

    from dashboard import charts

    template = get_template("dashboard/_bars.html")
    strings = charts.bars([(f"Case Manager {i}", 250 - i) for i in range(ROWS)])
    coordinates = ("text_y", "rect_y", "rect_width", "value_x")
    floats = [replace(b, **{k: float(getattr(b, k)) for k in coordinates}) for b in strings]

    def preformatted():
        return template.render({"bars": strings, "height": 8 * ROWS, "title": "Caseload"})

    def float_coordinates():
        return template.render({"bars": floats, "height": 8 * ROWS, "title": "Caseload"})

    return [preformatted, float_coordinates]


def _select():
    """``casemgmt.lib.forms.QuickSelect`` against Django's Select (same markup)."""
    from django import forms

    from casemgmt.lib.forms import QuickSelect

    choices = [(i, f"Case Manager {i}") for i in range(ROWS)]

    def quick_select():
        return QuickSelect(choices=choices).render("case_manager", ROWS // 2)

    def django_select():
        return forms.Select(choices=choices).render("case_manager", ROWS // 2)

    return [quick_select, django_select]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--repeat", type=int, default=40)
    args = parser.parse_args()

    import django

    django.setup()
    groups = {
        f"team dashboard cells, {ROWS} rows x 7": _cells(),
        f"bar chart, {ROWS} bars": _bars(),
        f"pick-list, {ROWS} staff": _select(),
    }
    print(f"{'':<36} {'median ms':>10} {'fastest ms':>10}")
    for title, ways in groups.items():
        times: dict[str, list[float]] = {way.__name__: [] for way in ways}
        for _ in range(args.repeat):
            for way in ways:
                t0 = time.perf_counter()
                way()
                times[way.__name__].append((time.perf_counter() - t0) * 1000)
        print(title)
        for name, t in times.items():
            print(f"  {name:<34} {statistics.median(t):>10.2f} {min(t):>10.2f}")


if __name__ == "__main__":
    main()
