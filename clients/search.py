"""Client search: full-text prefix search and a phonetic key for misspelt names.

Only core PostgreSQL is used (no pg_trgm, no fuzzystrmatch): a ``tsvector`` over the
names and client number with the ``simple`` configuration (no stemming, names are not
English words), a GIN index, and prefix queries (``word:*``); plus American Soundex
codes of every name word stored in an array with a GIN index.

Soundex as defined by the U.S. National Archives, "The Soundex Indexing System"
(NARA, 2007): keep the first letter; code B F P V = 1, C G J K Q S X Z = 2, D T = 3,
L = 4, M N = 5, R = 6; vowels A E I O U Y are not coded but separate equal codes;
H and W are not coded and do not separate equal codes; pad or cut to 4 characters.
"""

from __future__ import annotations

import re
import unicodedata

from django.contrib.postgres.search import SearchQuery, SearchVector
from django.db.models import Q, QuerySet, Value
from django.db.models.functions import Coalesce

_CODES = {
    **dict.fromkeys("BFPV", "1"),
    **dict.fromkeys("CGJKQSXZ", "2"),
    **dict.fromkeys("DT", "3"),
    "L": "4",
    **dict.fromkeys("MN", "5"),
    "R": "6",
}
_WORD = re.compile(r"[A-Za-z0-9]+")


def _ascii(text: str) -> str:
    return unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()


def soundex(word: str) -> str:
    """American Soundex code of one word ('' for a word with no letters)."""
    letters = [c for c in _ascii(word).upper() if c.isalpha()]
    if not letters:
        return ""
    first = letters[0]
    result = [first]
    previous = _CODES.get(first, "")
    for char in letters[1:]:
        code = _CODES.get(char, "")
        if code and code != previous:
            result.append(code)
        if char not in "HW":  # H and W do not separate letters with the same code
            previous = code
        if len(result) == 4:
            break
    return "".join(result).ljust(4, "0")


def name_words(*names: str) -> list[str]:
    return [w for name in names for w in _WORD.findall(_ascii(name or "")) if not w.isdigit()]


def phonetic_keys(*names: str) -> list[str]:
    """Sorted distinct Soundex codes of every word of the given names."""
    return sorted({code for word in name_words(*names) if (code := soundex(word))})


def search_vector() -> SearchVector:
    """The expression stored in ``Client.search_document``."""
    return SearchVector(
        "first_name",
        "last_name",
        Coalesce("preferred_name", Value("")),
        "client_number",
        config="simple",
    )


def search_names(queryset: QuerySet, text: str) -> QuerySet:
    """Every word must match a name (prefix) or sound like one (Soundex)."""
    for word in _WORD.findall(_ascii(text)):
        condition = Q(
            search_document=SearchQuery(f"{word.lower()}:*", config="simple", search_type="raw")
        )
        if not word.isdigit() and len(word) >= 2:
            condition |= Q(name_phonetic__contains=[soundex(word)])
        queryset = queryset.filter(condition)
    return queryset
