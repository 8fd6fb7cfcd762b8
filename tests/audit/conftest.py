import psycopg
import pytest
from django.db import connection

from casemgmt.lib import dbroles


@pytest.fixture
def owner_cursor(db):
    """A cursor on the test database as its owner (a connection of its own, rolled back)."""
    owner = dbroles.owner_settings()
    if not dbroles.separated() or owner is None:
        pytest.fail("the tests must run as the app role, with DATABASE_OWNER set")
    params = {
        "host": owner["HOST"],
        "port": owner["PORT"] or None,
        "user": owner["USER"],
        "password": owner["PASSWORD"] or None,
        "dbname": connection.settings_dict["NAME"],
        **(owner.get("OPTIONS") or {}),
    }
    with psycopg.connect(**{k: v for k, v in params.items() if v is not None}) as conn:
        with conn.cursor() as cursor:
            yield cursor
        conn.rollback()
