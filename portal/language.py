"""The language a client's pages are shown in: their preferred language when the portal
has it (Spanish), else English. ``Client.preferred_language`` is free text ("Spanish",
"Español", "es"); anything else stays English."""

from __future__ import annotations

import unicodedata

#: Languages the portal's pages are translated into (portal/locale), by code.
PORTAL_LANGUAGES = {"en": "English", "es": "Español"}

_NAMES = {"spanish": "es", "espanol": "es", "castellano": "es", "es": "es"}


def _plain(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text or "")
    return "".join(c for c in decomposed if not unicodedata.combining(c)).strip().lower()


def language_for(preferred_language: str) -> str:
    """ "es" for Spanish ("Spanish", "Español", "es", "es-MX", "Spanish (Mexico)"), else
    "en"."""
    text = _plain(preferred_language)
    for name, code in _NAMES.items():
        if text == name or text.startswith(name + "-") or text.startswith(name + " "):
            return code
    return "en"
