"""The one rule for tests that need something pip cannot install (a system package).

``make test`` needs only Python: a test whose system package is missing skips, and the
skip message says how to install it. Where ``CI`` is set (``.ci/run`` sets it), the same
test fails instead, so CI cannot go green by skipping what it was meant to run.
"""

from __future__ import annotations

import os

import pytest


def require_system_package(what: str, *, found: bool, install: str) -> None:
    """Skip (or fail, under CI) the calling test or fixture unless ``found``.

    ``what`` names the missing thing and where it was looked for; ``install`` is the
    command that installs it on Debian, e.g. ``apt-get install chromium``.
    """
    if found:
        return
    message = f"{what} not found: install it with `{install}`"
    if os.environ.get("CI"):
        pytest.fail(f"{message} (CI is set, so this fails instead of skipping)", pytrace=False)
    pytest.skip(message)
