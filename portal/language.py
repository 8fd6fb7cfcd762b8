"""The language a client's pages are shown in: their preferred language when supported
(Spanish), else English (``casemgmt.lib.i18n``, shared with the printed copies)."""

from __future__ import annotations

from django.conf import settings

from casemgmt.lib.i18n import supported_language

#: The portal's languages, each named in itself (the switch on every client page).
PORTAL_LANGUAGES: dict[str, str] = {code: str(name) for code, name in settings.LANGUAGES}


def language_for(preferred_language: str) -> str:
    """ "es" for "Spanish", "Español", "es-MX", ...; else "en"."""
    return supported_language(preferred_language)
