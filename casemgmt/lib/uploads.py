"""Uploaded files: what a file is, told by its content (its first bytes), never by its
name or the browser's say-so.

Detection uses ``puremagic`` (pure Python, the file signatures of the ``file``/libmagic
family): a file named ``scan.pdf`` that is really an HTML page, a program or a ZIP is
not a PDF. Only the types in ``allowed`` pass.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from typing import IO

import puremagic

# Enough for every signature checked (PDF, JPEG, PNG and TIFF at 0, HEIF/HEIC "ftyp" at 4).
HEAD_BYTES = 8192
# The extension a stored file gets, from its detected type (never from the uploaded name).
EXTENSIONS = {
    "application/pdf": ".pdf",
    "image/jpeg": ".jpg",
    "image/png": ".png",
    "image/tiff": ".tiff",
    "image/heif": ".heic",  # iPhone photos (HEIC is HEIF)
}


def detect_content_type(head: bytes, *, allowed: Iterable[str]) -> str | None:
    """The MIME type of a file starting with ``head`` when it is one of ``allowed``,
    else None (unknown, or a type not allowed)."""
    wanted = set(allowed)
    if not head:
        return None
    try:
        matches = puremagic.magic_string(head)
    except puremagic.PureError:
        return None
    for match in matches:
        mime = (match.mime_type or "").lower()
        if mime == "image/tif":
            mime = "image/tiff"
        # A signature at offset 0 (or HEIF box type at 4) is what the type says it is.
        if mime in wanted and match.offset <= 4:
            return mime
    return None


def file_head(upload: IO[bytes]) -> bytes:
    """The first bytes of ``upload``, leaving it at its start."""
    upload.seek(0)
    head = upload.read(HEAD_BYTES)
    upload.seek(0)
    return head


def file_sha256(upload: IO[bytes], chunk: int = 1 << 16) -> str:
    """The SHA-256 of ``upload``'s content (read in chunks), leaving it at its start."""
    upload.seek(0)
    digest = hashlib.sha256()
    while block := upload.read(chunk):
        digest.update(block)
    upload.seek(0)
    return digest.hexdigest()
