"""Reads for assessments. The instrument library is data in code, the same for every user."""

from django.http import Http404

from .instruments import INSTRUMENTS, InstrumentDefinition


def instrument_list() -> list[InstrumentDefinition]:
    """Every instrument, in the library's order."""
    return list(INSTRUMENTS.values())


def instrument_get(code: str) -> InstrumentDefinition:
    """One instrument by code; ``Http404`` for an unknown code."""
    try:
        return INSTRUMENTS[code]
    except KeyError:
        raise Http404(f"No instrument {code!r}.") from None
