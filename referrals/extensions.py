"""Extension points of the referrals pages for the apps above it.

``referrals`` never imports those apps. They register, in their ``AppConfig.ready()``,
a panel for the care transition page: a template included with the page's context and
``panel`` (what ``context(transition)`` returned; a panel whose context is None is not
shown).

    from referrals.extensions import register_transition_panel

    register_transition_panel(
        key="adt_messages", template="interop/_transition_messages.html",
        context=transition_messages_panel, order=10,
    )
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from .models import CareTransition


@dataclass(frozen=True)
class TransitionPanel:
    key: str
    template: str
    context: Callable[[CareTransition], Any]
    order: int


_PANELS: dict[str, TransitionPanel] = {}


def register_transition_panel(
    *, key: str, template: str, context: Callable[[CareTransition], Any], order: int = 50
) -> None:
    _PANELS[key] = TransitionPanel(key=key, template=template, context=context, order=order)


def transition_panels(transition: CareTransition) -> list[tuple[str, Any]]:
    """(template, panel) for each registered panel that has something to show."""
    shown = []
    for panel in sorted(_PANELS.values(), key=lambda p: p.order):
        value = panel.context(transition)
        if value is not None:
            shown.append((panel.template, value))
    return shown
