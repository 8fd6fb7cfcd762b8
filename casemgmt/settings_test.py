"""Settings for the test suite: production settings, with plain-HTTP and no-collectstatic
defaults so the test client and the live server work. Everything else is as deployed."""

import os

os.environ.setdefault("SECRET_KEY", "test-only-secret-key-not-used-anywhere-else-0123456789")
os.environ.setdefault("DEBUG", "false")
os.environ.setdefault("SECURE_SSL_REDIRECT", "false")
os.environ.setdefault("SESSION_COOKIE_SECURE", "false")
os.environ.setdefault("CSRF_COOKIE_SECURE", "false")
os.environ.setdefault("STATIC_MANIFEST", "false")
os.environ.setdefault("WHITENOISE_USE_FINDERS", "true")
os.environ.setdefault("EMAIL_URL", "consolemail://")
# Figures and counts recomputed on every request: a test reads what it just wrote and
# its query counts do not depend on what an earlier request cached (each cache has
# tests of its own: tests/dashboard/test_measures_cache.py,
# tests/notifications/test_unread_cache.py).
os.environ.setdefault("MEASURES_CACHE_SECONDS", "0")
os.environ.setdefault("UNREAD_COUNT_CACHE_SECONDS", "0")
os.environ.setdefault("SMS_BACKEND", "locmem")
# Uploaded documents of the tests stay under the git-ignored .data/ (tests of the
# documents app point the storage at a temporary folder of their own).
os.environ.setdefault(
    "MEDIA_ROOT",
    os.path.join(
        os.path.dirname(os.path.dirname(os.path.abspath(__file__))), ".data", "test-media"
    ),
)
# Pages count the supervisor's queues on every request, so query counts do not depend on
# what an earlier request left in the cache.
os.environ.setdefault("QUEUE_COUNTS_SECONDS", "0")

from casemgmt.settings import *  # noqa: E402, F403

# Tasks queued by the tests go to a queue of this test database's own, never to the queue
# a running `make run` worker consumes (nor to a suite running beside this one), and
# purging it in a test cannot drop anyone else's messages.
CELERY_TASK_DEFAULT_QUEUE = f"casemgmt-{DATABASES['default']['TEST']['NAME']}"  # noqa: F405
