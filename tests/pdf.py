"""Read the PDFs the app renders, in Python (pypdf): their text, page sizes and fonts.

No poppler: ``make test`` needs nothing but Python.
"""

from __future__ import annotations

import io
from dataclasses import dataclass

from pypdf import PdfReader
from pypdf.generic import DictionaryObject, IndirectObject


def read(pdf: bytes) -> PdfReader:
    assert pdf.startswith(b"%PDF"), pdf[:20]
    return PdfReader(io.BytesIO(pdf), strict=True)


def text(pdf: bytes) -> str:
    """Every page's text, in reading order, one page after the other."""
    return "\n".join(page.extract_text() for page in read(pdf).pages)


def page_sizes(pdf: bytes) -> list[tuple[float, float]]:
    """Width and height of each page in points, rounded to 0.01 (letter: 612 x 792)."""
    return [
        (round(float(page.mediabox.width), 2), round(float(page.mediabox.height), 2))
        for page in read(pdf).pages
    ]


@dataclass(frozen=True)
class Font:
    name: str  # the BaseFont without the subset tag: "Plan-Sans"
    subset: bool  # named "ABCDEF+..." (a subset of the font is embedded)
    program: str  # where the font program is embedded: /FontFile2 (TrueType), ...; "" if not
    subtype: str  # /Type0, /TrueType, ...

    @property
    def embedded(self) -> bool:
        return bool(self.program)


def fonts(pdf: bytes) -> set[Font]:
    """The fonts used on every page and in the form XObjects they draw (as pdffonts lists)."""
    found: set[Font] = set()
    seen: set[int] = set()

    def walk(resources) -> None:
        resources = _resolve(resources)
        if not isinstance(resources, DictionaryObject) or id(resources) in seen:
            return
        seen.add(id(resources))
        for font in _resolve(resources.get("/Font", {})).values():
            found.add(_describe(_resolve(font)))
        for xobject in _resolve(resources.get("/XObject", {})).values():
            xobject = _resolve(xobject)
            if xobject.get("/Subtype") == "/Form":
                walk(xobject.get("/Resources"))

    for page in read(pdf).pages:
        walk(page.get("/Resources"))
    return found


def _resolve(obj):
    return obj.get_object() if isinstance(obj, IndirectObject) else obj


def _describe(font: DictionaryObject) -> Font:
    base = str(font.get("/BaseFont", "")).lstrip("/")
    tag, plus, name = base.partition("+")
    subset = bool(plus) and len(tag) == 6 and tag.isalpha() and tag.isupper()
    descriptor = font.get("/FontDescriptor")
    if descriptor is None and "/DescendantFonts" in font:  # Type0: the CID font holds it
        descriptor = _resolve(_resolve(font["/DescendantFonts"])[0]).get("/FontDescriptor")
    descriptor = _resolve(descriptor) or {}
    program = next((k for k in ("/FontFile2", "/FontFile3", "/FontFile") if k in descriptor), "")
    return Font(
        name=name if subset else base,
        subset=subset,
        program=program,
        subtype=str(font.get("/Subtype", "")),
    )


class Listener:
    """A real listening socket on 127.0.0.1 that records every connection made to it and
    closes each at once (so a renderer that does connect fails fast instead of hanging):
    ``with Listener() as listener: ... listener.port ... listener.connections``."""

    def __enter__(self) -> Listener:
        import socket
        import threading

        self._socket = socket.socket()
        self._socket.bind(("127.0.0.1", 0))
        self._socket.listen(5)
        self._socket.settimeout(0.2)
        self.port: int = self._socket.getsockname()[1]
        self.connections: list[tuple[str, int]] = []
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._accept, daemon=True)
        self._thread.start()
        return self

    def _accept(self) -> None:
        while not self._stop.is_set():
            try:
                conn, address = self._socket.accept()
            except TimeoutError:
                continue
            except OSError:
                return
            self.connections.append(address)
            conn.close()

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join(timeout=2)
        self._socket.close()
