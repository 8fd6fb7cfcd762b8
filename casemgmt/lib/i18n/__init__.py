"""What a client reads, in the client's language.

Staff pages stay in English. What a client takes home or opens (the client copy of the
care plan, the safety plan, the relapse-prevention plan, reminders sent to clients, the
portal) is rendered in a supported language with :func:`render_in`; the language is the
client's preferred language (``Client.preferred_language``, free text such as "Spanish"
or "Español") mapped by :func:`supported_language`, or the one chosen with the switch
shown next to each client copy ("Print in: English | Español", :func:`language_choices`).

Inside :func:`render_in` Django's gettext catalogues and locale formats are active, so
dates and numbers follow the language too (``{{ day|date:_("M j, Y") }}`` prints
"Dec 2, 2026" in English and "2 de diciembre de 2026" in Spanish).
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.utils import translation

ENGLISH = "en"
SPANISH = "es"

# Words a case manager may have typed in "preferred language" for each supported
# language, compared without case or accents ("Español", "espanol", "Spanish (Mexico)").
_ALIASES: dict[str, tuple[str, ...]] = {
    ENGLISH: ("en", "eng", "english", "ingles"),
    SPANISH: ("es", "spa", "spanish", "espanol", "castellano", "castilian"),
}


def languages() -> tuple[str, ...]:
    """The supported language codes (``settings.LANGUAGES``), English first."""
    return tuple(code for code, _name in settings.LANGUAGES)


def default_language() -> str:
    """The language of the staff pages and the fallback for a client: English."""
    return translation.get_supported_language_variant(settings.LANGUAGE_CODE).split("-")[0]


def _fold(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    return "".join(c for c in decomposed if not unicodedata.combining(c))


def supported_language(value: str | None) -> str:
    """The supported language code for a preferred language as typed ("Spanish",
    "Español", "es-MX", "spa", "Spanish (Mexico)"), or English when its first word names
    no supported language."""
    words = re.findall(r"[a-z]+", _fold(value or ""))
    if words:
        for code, aliases in _ALIASES.items():
            if code in languages() and words[0] in aliases:
                return code
    return default_language()


def client_language(client: Any) -> str:
    """The language a client's copies are rendered in: their preferred language when it
    is supported, else English (any object with ``preferred_language`` will do)."""
    return supported_language(getattr(client, "preferred_language", ""))


def language_from(value: str | None, *, default: str) -> str:
    """A language chosen on a page (``?lang=es``), or ``default`` when the value is
    missing or not a supported code."""
    value = (value or "").strip().lower()
    return value if value in languages() else default


@contextmanager
def render_in(language: str | None) -> Iterator[str]:
    """Render in ``language`` (a supported code; anything else means English): gettext
    and locale formats follow it inside the block; the previous language comes back
    after. Yields the language actually used."""
    code = language if language in languages() else default_language()
    with translation.override(code):
        yield code


@dataclass(frozen=True)
class LanguageChoice:
    code: str
    name: str  # in its own language: "English", "Español"
    selected: bool
    preferred: bool  # the client's preferred language


def language_choices(*, selected: str, preferred: str | None = None) -> list[LanguageChoice]:
    """The entries of a language switch ("Print in: English | Español"), each language
    named in itself; ``selected`` is the one shown, ``preferred`` the client's."""
    return [
        LanguageChoice(
            code=code,
            name=str(name),
            selected=code == selected,
            preferred=code == (preferred or default_language()),
        )
        for code, name in settings.LANGUAGES
    ]
