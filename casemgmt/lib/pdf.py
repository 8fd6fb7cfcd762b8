"""The one PDF renderer (WeasyPrint) every PDF of the project goes through.

It fetches nothing but the project's static files: the base URL is fixed (the ``file:``
URL of the first static directory, never the request's Host header), and the URL
fetcher serves only ``file:`` URLs that name a static file (found by Django's static
file finders: ``static/`` and each app's ``static/``, or under ``STATIC_ROOT``). Any
other URL (http, data, a file outside the static directories) is refused, so a PDF
render never opens a network connection and never reads a file it should not.

A template links its stylesheet relative to the base: ``css/careplan-print.css``,
``referrals/packet.css``.
"""

from __future__ import annotations

import functools
import logging
import mimetypes
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlparse

from django.conf import settings
from django.contrib.staticfiles import finders
from weasyprint import HTML
from weasyprint.urls import URLFetcher, URLFetcherResponse

# WeasyPrint logs every rendering step at INFO: noise in the web server's log.
logging.getLogger("weasyprint.progress").setLevel(logging.WARNING)


def static_roots() -> list[Path]:
    """The directories a PDF may read from: ``STATICFILES_DIRS``, then ``STATIC_ROOT``."""
    roots = [Path(d).resolve() for d in settings.STATICFILES_DIRS]
    if settings.STATIC_ROOT:
        roots.append(Path(settings.STATIC_ROOT).resolve())
    return roots


def static_base_url() -> str:
    """The fixed base URL relative links in a PDF's HTML resolve against."""
    return Path(settings.STATICFILES_DIRS[0]).resolve().as_uri() + "/"


def _refuse(url: str) -> ValueError:
    return ValueError(f"The PDF renderer only reads the project's static files: {url}")


class StaticOnlyFetcher(URLFetcher):
    """Serves ``file:`` URLs of static files; refuses everything else."""

    def __init__(self) -> None:
        super().__init__(allowed_protocols=("file",))
        self._roots = static_roots()
        self._base = Path(settings.STATICFILES_DIRS[0]).resolve()

    def _path(self, url: str) -> Path:
        parsed = urlparse(url)
        if parsed.scheme != "file" or parsed.netloc not in ("", "localhost"):
            raise _refuse(url)
        path = Path(unquote(parsed.path)).resolve()
        if any(path.is_relative_to(root) for root in self._roots) and path.is_file():
            return path
        if path.is_relative_to(self._base):
            # A link relative to the base that names an app's static file.
            found = finders.find(path.relative_to(self._base).as_posix())
            if isinstance(found, str) and Path(found).is_file():
                return Path(found).resolve()
        raise _refuse(url)

    def fetch(self, url: str, headers: Any = None) -> URLFetcherResponse:
        path = self._path(url)
        content_type = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
        if path.suffix == ".ttf":
            content_type = "font/ttf"
        body = _static_bytes(str(path), path.stat().st_mtime_ns)
        return URLFetcherResponse(path.as_uri(), body, headers={"Content-Type": content_type})


@functools.lru_cache(maxsize=32)
def _static_bytes(path: str, mtime_ns: int) -> bytes:
    """The stylesheets and fonts (about 2 MB) are read once per process, not per print;
    a changed file (new mtime) is read again."""
    return Path(path).read_bytes()


def pdf_render(html: str) -> bytes:
    """``html`` as a PDF, with the fixed base URL and the static-only fetcher."""
    pdf = HTML(string=html, base_url=static_base_url(), url_fetcher=StaticOnlyFetcher()).write_pdf()
    assert pdf is not None  # write_pdf() without a target returns the bytes
    return pdf
