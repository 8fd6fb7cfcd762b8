"""Shared by the benchmarks: point Django at a database of the benchmark's own on the
same PostgreSQL server (embedded unless DATABASE_URL is set), before django.setup()."""

from __future__ import annotations

import os
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "casemgmt.settings_test")


def use_bench_database(name: str, *, fresh: bool) -> None:
    """Create database ``name`` (dropping it first when ``fresh``) and use it."""
    import psycopg
    from django.conf import settings

    db = settings.DATABASES["default"]
    owner = settings.DATABASE_OWNER or db  # the app role may not create databases
    params = {
        "host": owner["HOST"],
        "port": owner["PORT"] or None,
        "user": owner["USER"],
        "password": owner["PASSWORD"] or None,
        "dbname": "postgres",
        "autocommit": True,
    }
    with psycopg.connect(**{k: v for k, v in params.items() if v is not None}) as conn:
        if fresh:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}"')
        if not conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone():
            conn.execute(f'CREATE DATABASE "{name}"')
    db["NAME"] = name
