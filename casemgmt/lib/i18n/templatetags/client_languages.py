"""``{% print_in url client %}``: the language switch next to a client copy's print
button ("Print in: English | Español"), the client's preferred language marked."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from django import template

from casemgmt.lib.i18n import client_language, default_language, language_choices

register = template.Library()


@register.inclusion_tag("i18n/print_in.html")
def print_in(href: str, client: Any, label: str = "Print in", **query: Any) -> dict[str, Any]:
    """Links to ``href`` with ``query`` and ``language=<code>`` for each language."""
    preferred = client_language(client)
    return {
        "label": label,
        "choices": [
            (choice, f"{href}?{urlencode({**query, 'language': choice.code})}")
            for choice in language_choices(selected=preferred, preferred=preferred)
        ],
    }


@register.simple_tag
def preferred_language_name(client: Any) -> str:
    """The client's supported language named in itself ("Español") when it is not
    English, else "" (a print button then says which language it prints in)."""
    code = client_language(client)
    if code == default_language():
        return ""
    return next((c.name for c in language_choices(selected=code) if c.code == code), "")
