"""Downloads: a CSV file as an HTTP response.

Every CSV the project writes goes through ``csv_response``, which neutralises cells a
spreadsheet would run as a formula (CSV injection, OWASP): a text cell starting with
``=``, ``+``, ``-``, ``@``, a tab or a carriage return gets a leading single quote, so
``=HYPERLINK(...)`` in a client's name stays text. Numbers stay numbers (``-3``).
"""

from __future__ import annotations

import csv
from collections.abc import Iterable, Iterator, Sequence

from django.http import HttpResponse, StreamingHttpResponse

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def csv_cell(value: object) -> object:
    """``value`` safe to open in a spreadsheet: text that would start a formula is
    prefixed with ``'``; numbers and everything else are written as they are."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def _safe(rows: Iterable[Sequence[object]]) -> Iterator[list[object]]:
    for row in rows:
        yield [csv_cell(value) for value in row]


def csv_response(
    filename: str, header: Sequence[object], rows: Iterable[Sequence[object]]
) -> HttpResponse:
    """A CSV attachment named ``filename``: the ``header`` line, then ``rows`` (any
    iterable, consumed here, so a queryset iterator streams from the database), each cell
    through ``csv_cell``."""
    response = HttpResponse(content_type="text/csv")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    writer = csv.writer(response)
    writer.writerow([csv_cell(value) for value in header])
    writer.writerows(_safe(rows))
    return response


class _Echo:
    """A file that hands back what is written to it, for ``csv.writer`` in a stream."""

    def write(self, value: str) -> str:
        return value


def csv_stream_response(
    filename: str, header: Sequence[object], rows: Iterable[Sequence[object]]
) -> StreamingHttpResponse:
    """``csv_response`` for long downloads (the audit trail): the lines are written to the
    client as ``rows`` yields them, so memory stays flat whatever the size. The cells go
    through ``csv_cell`` the same way. Audit the export before returning this: the
    rows are produced after the view has returned."""
    writer = csv.writer(_Echo())

    def lines() -> Iterator[str]:
        yield writer.writerow([csv_cell(value) for value in header])
        for row in _safe(rows):
            yield writer.writerow(row)

    response = StreamingHttpResponse(lines(), content_type="text/csv")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response
